"""PCA reconstruction-error and Isolation Forest anomaly baselines."""

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

from aejax.baselines import anomaly as bl


def _plane_data(seed=0):
    """Normal rows on the plane z = 0 in 3-D plus noise; anomalies lie off it."""
    rng = np.random.default_rng(seed)
    normal = np.column_stack([rng.normal(size=(300, 2)) * 3, 0.01 * rng.normal(size=300)])
    return normal


def test_pca_score_is_the_squared_distance_to_the_training_subspace():
    train = _plane_data()
    score = bl.fit_pca(train, n_components=2)
    points = np.array([[1.0, 2.0, 0.0], [1.0, 2.0, 2.0], [0.0, 0.0, -3.0]])
    mean = train.mean(axis=0)
    _, _, vt = np.linalg.svd(train - mean, full_matrices=False)  # NumPy reference subspace
    residual = (points - mean) - (points - mean) @ vt[:2].T @ vt[:2]
    np.testing.assert_allclose(score(points), (residual ** 2).sum(axis=1), rtol=1e-9, atol=1e-12)
    # the fitted plane is close to z = 0, so the error is close to z^2
    np.testing.assert_allclose(score(points), points[:, 2] ** 2, atol=0.01)


def test_pca_components_from_a_variance_fraction():
    train = _plane_data()
    assert bl.pca_components_for(train, 0.9) == 2  # two axes of std 3, one of std 0.01
    assert bl.pca_components_for(train, 0.999999) == 3
    assert bl.pca_components_for(train, 1) == 1
    with pytest.raises(ValueError, match="n_components=1.5"):
        bl.pca_components_for(train, 1.5)


def test_iforest_matches_scikit_learn_and_ranks_an_isolated_point_highest():
    train = _plane_data()
    score = bl.fit_iforest(train, seed=3)
    points = np.vstack([train[:5], [[30.0, 30.0, 5.0]]])
    reference = IsolationForest(random_state=3).fit(train)
    np.testing.assert_allclose(score(points), -reference.score_samples(points))
    assert np.argmax(score(points)) == 5
