"""ADBench's four synthetic anomaly types (aejax.anomaly.synthetic): each has the property that defines
it, checked on a small Gaussian case whose answer is known."""

import numpy as np
import pytest

from aejax.anomaly import synthetic


def _correlated(n=2000, seed=0):
    """Two strongly correlated features (rho 0.9) and an independent one, means away from zero."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    return np.column_stack([3 + a, 3 + 0.9 * a + np.sqrt(1 - 0.81) * rng.normal(size=n), -2 + rng.normal(size=n)])


def _split(x, labels):
    return x[labels == 0], x[labels == 1]


def test_a_gaussian_is_fitted_with_one_component_and_a_mixture_with_two():
    x = _correlated()
    assert synthetic.fit_mixture(x, seed=0).n_components == 1
    two = np.concatenate([x, x + 20.0])
    assert synthetic.fit_mixture(two, seed=0).n_components == 2


def test_local_anomalies_have_five_times_the_covariance_around_the_same_means():
    x = _correlated()
    rows, labels = synthetic.generate(x, "local", normals=4000, anomalies=4000, seed=1)
    normal, anomalous = _split(rows, labels)
    np.testing.assert_allclose(normal.mean(axis=0), x.mean(axis=0), atol=0.1)
    np.testing.assert_allclose(anomalous.mean(axis=0), x.mean(axis=0), atol=0.2)
    np.testing.assert_allclose(np.cov(anomalous.T), 5 * np.cov(normal.T), rtol=0.1, atol=0.45)


def test_clustered_anomalies_sit_at_five_times_the_means_with_the_same_covariance():
    x = _correlated()
    rows, labels = synthetic.generate(x, "clustered", normals=3000, anomalies=3000, seed=2)
    normal, anomalous = _split(rows, labels)
    np.testing.assert_allclose(anomalous.mean(axis=0), 5 * x.mean(axis=0), atol=0.15)
    np.testing.assert_allclose(np.cov(anomalous.T), np.cov(normal.T), atol=0.15)


def test_global_anomalies_are_uniform_on_the_widened_range_of_the_normal_rows():
    x = _correlated()
    rows, labels = synthetic.generate(x, "global", normals=2000, anomalies=5000, seed=3)
    normal, anomalous = _split(rows, labels)
    low, high = 1.1 * normal.min(axis=0), 1.1 * normal.max(axis=0)
    assert np.all(anomalous >= low) and np.all(anomalous <= high)
    # uniform: the mean is the middle of the range, the variance (range^2) / 12
    assert np.all(np.abs(anomalous.mean(axis=0) - (low + high) / 2) < 0.02 * (high - low))
    np.testing.assert_allclose(anomalous.var(axis=0), (high - low) ** 2 / 12, rtol=0.1)


def test_dependency_anomalies_keep_every_marginal_and_lose_the_correlation():
    x = _correlated()
    rows, labels = synthetic.generate(x, "dependency", normals=3000, anomalies=3000, seed=4)
    normal, anomalous = _split(rows, labels)
    assert np.corrcoef(normal.T)[0, 1] == pytest.approx(0.9, abs=0.05)  # the copula keeps the dependence
    assert abs(np.corrcoef(anomalous.T)[0, 1]) < 0.06  # independent features
    for j in range(3):  # the same marginal: a kernel density estimate of each column
        qs = [5, 25, 50, 75, 95]
        np.testing.assert_allclose(np.percentile(anomalous[:, j], qs), np.percentile(normal[:, j], qs), atol=0.15)
        np.testing.assert_allclose(np.percentile(normal[:, j], qs), np.percentile(x[:, j], qs), atol=0.2)


def test_generation_is_seeded_and_keeps_at_most_fifty_features():
    x = np.random.default_rng(0).normal(size=(300, 60))
    a, la = synthetic.generate(x, "global", normals=100, anomalies=10, seed=5)
    b, lb = synthetic.generate(x, "global", normals=100, anomalies=10, seed=5)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (110, synthetic.MAX_FEATURES) and la.tolist() == [0] * 100 + [1] * 10
    assert not np.array_equal(a, synthetic.generate(x, "global", normals=100, anomalies=10, seed=6)[0])
    with pytest.raises(ValueError, match="unknown synthetic anomaly type 'far'"):
        synthetic.generate(x, "far", normals=10, anomalies=1, seed=0)


def test_the_copula_reorders_columns_without_changing_their_values():
    rng = np.random.default_rng(0)
    columns = rng.exponential(size=(500, 2))
    reordered = synthetic.reorder_by_copula(columns, np.array([[1.0, -0.8], [-0.8, 1.0]]), rng)
    np.testing.assert_array_equal(np.sort(reordered, axis=0), np.sort(columns, axis=0))
    assert np.corrcoef(synthetic.normal_scores(reordered).T)[0, 1] == pytest.approx(-0.8, abs=0.06)
