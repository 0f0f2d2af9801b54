"""Sliding windows, window labels, per-step score alignment, and the NAB / SKAB loaders."""

import numpy as np
import pytest

from aejax.data import anomaly
from aejax.data.anomaly.series import sliding_windows, window_labels
from aejax.tasks.anomaly import step_scores, steps_to_series


def test_window_shapes_and_contents():
    values = np.arange(20.0).reshape(10, 2)  # step t holds (2t, 2t + 1)
    windows, starts = sliding_windows(values, size=4, stride=3)
    assert windows.shape == (3, 4, 2)  # (10 - 4) // 3 + 1
    assert starts.tolist() == [0, 3, 6]
    np.testing.assert_array_equal(windows[1], values[3:7])
    assert sliding_windows(values, size=10)[0].shape == (1, 10, 2)
    with pytest.raises(ValueError, match="longer than the series"):
        sliding_windows(values, size=11)


def test_window_labels_flag_windows_touching_an_anomaly():
    labels = np.array([0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    _, starts = sliding_windows(np.zeros((10, 1)), size=3, stride=1)
    assert window_labels(labels, starts, 3).tolist() == [0, 0, 1, 1, 1, 0, 0, 0]


def test_per_step_scores_align_with_point_labels():
    # an error injected at steps 6 and 7 must land at series steps 6 and 7 after averaging
    values = np.zeros((12, 3))
    labels = np.zeros(12, np.int32)
    labels[6:8] = 1
    recon = values.copy()
    recon[6:8] += 1.0
    x_w, starts = sliding_windows(values, size=4, stride=2)
    r_w, _ = sliding_windows(recon, size=4, stride=2)
    series = steps_to_series(step_scores(x_w, r_w), starts, len(values))
    assert series.shape == labels.shape
    np.testing.assert_array_equal(np.flatnonzero(series > 0), np.flatnonzero(labels))
    np.testing.assert_allclose(series[6:8], 3.0)


def test_skab_experiments_match_provenance():
    data = anomaly.load("skab")
    assert len(data) == 34
    assert sum(len(s) for s in data) == 46806 - 9405  # all rows minus the anomaly-free run
    assert sum(int(s.labels.sum()) for s in data) == 13067
    first = data[0]
    assert first.name == "valve1/0" and first.values.shape == (1147, 8) and first.labels.sum() == 401
    assert "anomaly" not in first.channels and len(first.channels) == 8


def test_nab_known_cause_streams_have_labelled_windows():
    data = anomaly.load("nab")
    assert [s.name.split("/")[1] for s in data][:2] == ["ambient_temperature_system_failure",
                                                        "cpu_utilization_asg_misconfiguration"]
    assert sum(len(s) for s in data) == 69561  # PROVENANCE.md: realKnownCause rows
    taxi = next(s for s in data if s.name.endswith("nyc_taxi"))
    # nyc_taxi has 5 labelled windows: 5 contiguous runs of 1s
    assert int(np.sum(np.diff(np.concatenate([[0], taxi.labels])) == 1)) == 5
