"""PCA detectors: PyOD's scoring (against a NumPy/scikit-learn transcription of
pyod.models.pca.PCA.decision_function) and the reconstruction-error PCA."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from aejax.anomaly.detector import load_detector
from aejax.anomaly.pca import PCADetector, PCAReconstructionDetector, pca_components_for


def _plane_data(seed=0):
    """Normal rows on the plane z = 0 in 3-D plus noise."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.normal(size=(300, 2)) * 3, 0.01 * rng.normal(size=300)])


def pyod_pca_scores(x_train, x):
    """pyod.models.pca.PCA() (defaults: standardization=True, weighted=True, every component),
    transcribed: fit() then decision_function()."""
    scaler = StandardScaler().fit(x_train)
    detector = PCA().fit(scaler.transform(x_train))
    return np.sum(cdist(scaler.transform(x), detector.components_) / detector.explained_variance_ratio_, axis=1)


@pytest.mark.parametrize("shape", [(400, 6), (60, 12)])
def test_pca_detector_scores_as_pyod(shape):
    rng = np.random.default_rng(3)
    mix = rng.normal(size=(shape[1], shape[1])) * np.linspace(3, 0.2, shape[1])
    x_train = rng.normal(size=shape) @ mix + 5.0
    x_test = np.vstack([rng.normal(size=(50, shape[1])) @ mix + 5.0, 20 * rng.normal(size=(5, shape[1]))])
    detector = PCADetector().fit(x_train)
    np.testing.assert_allclose(detector.score(x_test), pyod_pca_scores(x_train, x_test), rtol=1e-8)
    np.testing.assert_allclose(detector.train_scores_, pyod_pca_scores(x_train, x_train), rtol=1e-8)
    assert detector.score(x_test)[50:].min() > np.median(detector.score(x_test)[:50])


def test_pca_detector_survives_a_constant_column_and_round_trips(tmp_path):
    x = _plane_data()
    x = np.column_stack([x, np.full(len(x), 7.0)])  # no variance: weight 1/eps, never a division by zero
    detector = PCADetector().fit(x)
    assert np.all(np.isfinite(detector.train_scores_))
    detector.fit_threshold("percentile", q=95)
    detector.save(tmp_path)
    restored = load_detector(tmp_path)
    assert isinstance(restored, PCADetector) and restored.threshold_ == detector.threshold_
    np.testing.assert_array_equal(restored.score(x[:20]), detector.score(x[:20]))


def test_reconstruction_pca_score_is_the_squared_distance_to_the_training_subspace(tmp_path):
    train = _plane_data()
    detector = PCAReconstructionDetector(n_components=2).fit(train)
    points = np.array([[1.0, 2.0, 0.0], [1.0, 2.0, 2.0], [0.0, 0.0, -3.0]])
    mean = train.mean(axis=0)
    _, _, vt = np.linalg.svd(train - mean, full_matrices=False)  # NumPy reference subspace
    residual = (points - mean) - (points - mean) @ vt[:2].T @ vt[:2]
    np.testing.assert_allclose(detector.score(points), (residual ** 2).sum(axis=1), rtol=1e-9, atol=1e-12)
    # the fitted plane is close to z = 0, so the error is close to z^2
    np.testing.assert_allclose(detector.score(points), points[:, 2] ** 2, atol=0.01)
    windows = points.reshape(3, 1, 3)  # per-step scores of 1-step windows equal the row scores
    np.testing.assert_allclose(detector.score_steps(windows)[:, 0], detector.score(points))
    detector.save(tmp_path)
    np.testing.assert_array_equal(load_detector(tmp_path).score(points), detector.score(points))


def test_pca_components_from_a_variance_fraction():
    train = _plane_data()
    assert pca_components_for(train, 0.9) == 2  # two axes of std 3, one of std 0.01
    assert pca_components_for(train, 0.999999) == 3
    assert pca_components_for(train, 1) == 1
    with pytest.raises(ValueError, match="n_components=1.5"):
        pca_components_for(train, 1.5)
