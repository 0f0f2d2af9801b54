"""The Isolation Forest detector."""

import numpy as np
from sklearn.ensemble import IsolationForest

from aejax.anomaly.detector import load_detector
from aejax.anomaly.iforest import IForestDetector


def test_iforest_matches_scikit_learn_ranks_an_isolated_point_highest_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    train = np.column_stack([rng.normal(size=(300, 2)) * 3, 0.01 * rng.normal(size=300)])
    detector = IForestDetector(seed=3).fit(train)
    points = np.vstack([train[:5], [[30.0, 30.0, 5.0]]])
    reference = IsolationForest(random_state=3).fit(train)
    np.testing.assert_allclose(detector.score(points), -reference.score_samples(points))
    assert np.argmax(detector.score(points)) == 5
    detector.fit_threshold("max_train")
    assert detector.predict(points).tolist() == [0, 0, 0, 0, 0, 1]
    detector.save(tmp_path)
    restored = load_detector(tmp_path)
    np.testing.assert_array_equal(restored.predict(points), detector.predict(points))
    np.testing.assert_array_equal(restored.score(points), detector.score(points))
