"""VMT loading and fixed-length resampling."""

import numpy as np
import pytest

from aejax.anomaly import datasets as anomaly
from aejax.anomaly.datasets.trajectories import resample, resampled_array


def test_vmt_has_1500_tracks_and_24_anomalies():
    data = anomaly.load("vmt")
    assert len(data) == 1500 and int(data.labels.sum()) == 24
    assert data.labels[[21, 1484]].tolist() == [1, 1] and data.labels[0] == 0  # vmt_gt.txt, 0-based
    assert resampled_array(data, 12).shape == (1500, 12, 2)


def test_resample_is_even_in_arc_length():
    track = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 3.0]])  # path length 4
    out = resample(track, 5)
    np.testing.assert_allclose(out, [[0, 0], [1, 0], [1, 1], [1, 2], [1, 3]])
    np.testing.assert_allclose(resample(np.ones((3, 2)), 4), np.ones((4, 2)))
    with pytest.raises(ValueError, match="at least 2"):
        resample(track, 1)
