"""PyOD's baselines (the optional extra aejax[baselines]), and aejax's own PCA, Isolation Forest and
KNN detectors scoring as PyOD's do."""

import numpy as np
import pytest
from scipy import stats

from aejax.anomaly.pyod_baselines import minmax_scaled, pyod_class, pyod_scores


def test_minmax_scaling_uses_the_training_rows_only():
    train, test = minmax_scaled([[0.0, 5.0], [2.0, 5.0]], [[4.0, 6.0]])
    np.testing.assert_array_equal(train, [[0.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(test, [[2.0, 1.0]])  # beyond the training range: not clipped


def test_unknown_methods_are_named():
    with pytest.raises(ValueError, match="unknown PyOD baseline 'svm'"):
        pyod_class("svm")


def _data():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(300, 5)) @ rng.normal(size=(5, 5))
    train[:, 4] = train[:, 0] + train[:, 1]  # a direction without variance, as cardio has
    test = rng.normal(size=(40, 5)) @ rng.normal(size=(5, 5))
    return minmax_scaled(train, test)


@pytest.mark.parametrize("method", ["pca", "iforest", "knn"])
def test_aejax_detectors_agree_with_pyods(method):
    pytest.importorskip("pyod")
    from aejax.anomaly.candidates import partner_detector

    train, test = _data()
    pyod_train, pyod_test = pyod_scores(method, train, test, seed=0)
    ours = partner_detector(method, seed=0).fit(train)
    if method == "pca":  # the same score up to the eps floor's scale: compare orders
        assert stats.spearmanr(ours.score(test), pyod_test)[0] > 0.9999
        assert stats.spearmanr(ours.train_scores_, pyod_train)[0] > 0.9999
    else:  # the same scores up to a constant (PyOD's IForest subtracts scikit-learn's offset 0.5)
        for a, b in ((ours.score(test), pyod_test), (ours.train_scores_, pyod_train)):
            assert np.ptp(a - b) < 1e-9
    assert np.all(np.isfinite(pyod_test))
