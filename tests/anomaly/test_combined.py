"""A detector combining others' scores, each standardised by its training median and IQR (aejax.anomaly.combined)."""

import numpy as np
import pytest

from aejax.anomaly.combined import CombinedDetector, combine, robust_reference
from aejax.anomaly.detector import load_detector
from aejax.anomaly.iforest import IForestDetector
from aejax.anomaly.knn import KNNDetector


def test_the_reference_is_the_median_and_iqr_with_fallbacks():
    ref = robust_reference([1.0, 2.0, 3.0, 4.0, 5.0, np.inf])
    assert (ref.mean[0], ref.std[0]) == (3.0, 2.0)  # the inf is left out
    assert robust_reference([2.0, 2.0, 2.0, 2.0, 6.0]).std[0] == pytest.approx(np.std([2, 2, 2, 2, 6]))
    assert robust_reference([1.0, 1.0]).std[0] == 1.0


def test_combined_scores_are_the_weighted_sum_of_standardised_member_scores(tmp_path):
    rng = np.random.default_rng(0)
    train, test = rng.normal(size=(200, 3)), rng.normal(size=(20, 3)) * 2
    members = {"iforest": IForestDetector(seed=0), "knn": KNNDetector()}
    detector = CombinedDetector(members, {"iforest": 0.3, "knn": 0.7}).fit(train)
    alone = {"iforest": IForestDetector(seed=0).fit(train), "knn": KNNDetector().fit(train)}
    expected = sum(w * (alone[n].score(test) - np.median(alone[n].train_scores_))
                   / np.subtract(*np.percentile(alone[n].train_scores_, [75, 25]))
                   for n, w in (("iforest", 0.3), ("knn", 0.7)))
    np.testing.assert_allclose(detector.score(test), expected)
    refs = {n: robust_reference(d.train_scores_) for n, d in alone.items()}
    np.testing.assert_allclose(combine({n: d.score(test) for n, d in alone.items()}, refs, detector.weights), expected)
    detector.fit_threshold("percentile", q=95)
    detector.save(tmp_path / "d")
    restored = load_detector(tmp_path / "d")
    np.testing.assert_allclose(restored.score(test), detector.score(test))
    np.testing.assert_array_equal(restored.predict(test), detector.predict(test))
    with pytest.raises(ValueError, match="must name the same detectors"):
        CombinedDetector(members, {"iforest": 1.0})
