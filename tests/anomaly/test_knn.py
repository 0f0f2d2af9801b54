"""k-nearest-neighbour distance as a detector (aejax.anomaly.knn)."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from aejax.anomaly.detector import load_detector
from aejax.anomaly.knn import KNNDetector


def _rows(n, seed):
    return np.random.default_rng(seed).normal(size=(n, 4))


def test_scores_are_the_distance_to_the_kth_nearest_training_row():
    train, test = _rows(60, 0), _rows(10, 1)
    detector = KNNDetector(n_neighbors=3).fit(train)
    np.testing.assert_allclose(detector.score(test), np.sort(cdist(test, train), axis=1)[:, 2])
    own = cdist(train, train)
    np.fill_diagonal(own, np.inf)  # a training row is not its own neighbour
    np.testing.assert_allclose(detector.train_scores_, np.sort(own, axis=1)[:, 2])


def test_a_large_training_set_keeps_a_seeded_subset_and_saved_detectors_score_alike(tmp_path):
    train, test = _rows(500, 0), _rows(20, 1)
    detector = KNNDetector(max_rows=100, seed=3).fit(train)
    assert detector.reference_.shape == (100, 4) and detector.train_scores_.shape == (500,)
    detector.save(tmp_path)
    np.testing.assert_array_equal(load_detector(tmp_path).score(test), detector.score(test))
    with pytest.raises(ValueError, match="needs more training rows"):
        KNNDetector().fit(train[:5])
