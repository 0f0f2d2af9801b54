"""Reconstruction scores, error standardisers and ensemble scores of aejax.anomaly.scores."""

import numpy as np
import pytest

from aejax.anomaly import scores as sc


def test_reconstruction_scores_are_per_example_sum_of_squares():
    x = np.array([[1.0, 2.0], [0.0, 0.0]])
    recon = np.array([[0.0, 0.0], [0.5, -1.0]])
    np.testing.assert_allclose(sc.reconstruction_scores(x, recon), [1 + 4, 0.25 + 1])


def test_absolute_scores_sum_absolute_residuals():
    x = np.array([[1.0, 2.0], [0.0, 0.0]])
    recon = np.array([[0.0, 0.0], [0.5, -1.0]])
    np.testing.assert_allclose(sc.reconstruction_scores(x, recon, norm="absolute"), [1 + 2, 0.5 + 1])
    st = sc.Standardiser(np.array([1.0, 0.0]), np.array([2.0, 4.0]))  # residuals (1, 2), (-0.5, 1)
    np.testing.assert_allclose(sc.reconstruction_scores(x, recon, st, norm="absolute"), [0.5, 0.75 + 0.25])
    windows = np.arange(12.0).reshape(1, 2, 2, 3)[0] - 5  # [N=2, T=2, C=3]
    np.testing.assert_allclose(sc.step_scores(windows, np.zeros_like(windows), norm="absolute"),
                               [[5 + 4 + 3, 2 + 1 + 0], [1 + 2 + 3, 4 + 5 + 6]])
    with pytest.raises(ValueError, match="score.norm='l1' must be one of"):
        sc.reconstruction_scores(x, recon, norm="l1")


def test_standardised_scores_divide_residual_by_training_std():
    train_x = np.array([[0.0, 0.0], [2.0, 20.0]])
    train_r = np.zeros_like(train_x)  # residuals (0,0) and (2,20): mean (1,10), std (1,10)
    st = sc.fit_error_standardiser(train_x, train_r)
    np.testing.assert_allclose(st.mean, [1.0, 10.0])
    np.testing.assert_allclose(st.std, [1.0, 10.0])
    # residual (3, 30) -> standardised (2, 2) -> score 8
    np.testing.assert_allclose(sc.reconstruction_scores([[3.0, 30.0]], [[0.0, 0.0]], st), [8.0])
    restored = sc.Standardiser.from_dict(st.to_dict())
    np.testing.assert_array_equal(restored.mean, st.mean)
    np.testing.assert_array_equal(restored.std, st.std)


def test_whitened_scores_are_the_mahalanobis_distance_of_the_residual():
    rng = np.random.default_rng(0)
    mixing = np.array([[1.0, 0.0, 0.0], [0.9, 0.3, 0.0], [0.0, 0.5, 2.0]])
    residuals = rng.normal(size=(500, 3)) @ mixing.T + [1.0, -2.0, 0.5]
    st = sc.fit_error_standardiser(residuals, np.zeros_like(residuals), whiten=True)
    # regularised covariance: the population covariance + 1e-6 of its mean variance on the diagonal
    centred = residuals - residuals.mean(axis=0)
    cov = centred.T @ centred / len(centred)
    cov += 1e-6 * np.trace(cov) / 3 * np.eye(3)
    new = rng.normal(size=(7, 3)) * 3
    expected = np.einsum("nd,nd->n", new - st.mean, np.linalg.solve(cov, (new - st.mean).T).T)
    np.testing.assert_allclose(sc.reconstruction_scores(new, np.zeros_like(new), st), expected, rtol=1e-9)
    whitened = st.apply(residuals)
    np.testing.assert_allclose(whitened.T @ whitened / len(whitened), np.eye(3), atol=1e-4)  # up to the ridge
    restored = sc.Standardiser.from_dict(st.to_dict())
    np.testing.assert_array_equal(restored.whitening, st.whitening)
    # windows [N, T, C]: whitened per channel, the per-step score sums over channels
    windows = residuals[:60].reshape(10, 6, 3)
    np.testing.assert_allclose(sc.step_scores(windows, np.zeros_like(windows), st),
                               (st.apply(windows) ** 2).sum(axis=2))


def test_a_direction_without_residual_variance_weighs_much_but_finitely():
    rng = np.random.default_rng(1)
    residuals = np.column_stack([rng.normal(size=200), np.zeros(200)])
    varying = np.column_stack([np.zeros(200), rng.uniform(size=200)])  # a column reconstructed exactly
    st = sc.fit_error_standardiser(residuals + varying, varying, whiten=True)
    score = sc.reconstruction_scores([[0.0, 1.0]], [[0.0, 0.0]], st)[0]
    variance = residuals[:, 0].var()
    # the constant column's variance is the ridge, 1e-6 of the mean variance
    np.testing.assert_allclose(score, 1 / (max(1e-6 * variance / 2, 1e-8)), rtol=1e-6)


def test_a_column_constant_in_training_takes_the_median_spread_of_the_others():
    """A column constant in training (a telemetry channel that never moved) would otherwise be
    divided by a residual std near 0: a change of 1 in it gave scores near 1e14."""
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.normal(0, 1, 500), rng.normal(0, 3, 500), rng.normal(0, 2, 500), np.zeros(500)])
    recon = np.column_stack([0.5 * x[:, 0], 0.9 * x[:, 1], 0.8 * x[:, 2], 1e-6 * rng.normal(size=500)])
    residual = x - recon
    st = sc.fit_error_standardiser(x, recon)
    median = np.median(residual[:, :3].std(axis=0))
    np.testing.assert_allclose(st.std, [*residual[:, :3].std(axis=0), median])
    moved = np.array([[0.0, 0.0, 0.0, 1.0]])
    expected = ((moved - st.mean) / st.std) ** 2
    np.testing.assert_allclose(sc.reconstruction_scores(moved, np.zeros_like(moved), st), [expected.sum()])
    assert expected[0, 3] == pytest.approx((1.0 - st.mean[3]) ** 2 / median ** 2) and expected[0, 3] < 10
    whitened = sc.fit_error_standardiser(x, recon, whiten=True)
    centred = residual - residual.mean(axis=0)
    cov = centred.T @ centred / len(centred)
    variance = np.diag(cov).copy()
    cov += 1e-6 * np.trace(cov) / 4 * np.eye(4) + np.diag([0, 0, 0, np.median(variance[:3])])
    delta = moved - whitened.mean
    np.testing.assert_allclose(sc.reconstruction_scores(moved, np.zeros_like(moved), whitened),
                               np.einsum("nd,nd->n", delta, np.linalg.solve(cov, delta.T).T), rtol=1e-9)


def test_window_and_step_scores():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5, 3))
    recon = rng.normal(size=(4, 5, 3))
    per_step = sc.step_scores(x, recon)
    assert per_step.shape == (4, 5)
    np.testing.assert_allclose(per_step, ((x - recon) ** 2).sum(-1))
    np.testing.assert_allclose(sc.reconstruction_scores(x, recon), per_step.sum(1))
    with pytest.raises(ValueError, match="windows"):
        sc.step_scores(x[:, :, 0], recon[:, :, 0])


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differ in shape"):
        sc.reconstruction_scores(np.zeros((2, 3)), np.zeros((2, 4)))


def test_ensemble_scores_average_raw_or_per_member_standardised_scores():
    members = np.array([[1.0, 10.0], [3.0, 30.0], [2.0, 40.0]])  # [N=3, K=2]
    np.testing.assert_allclose(sc.ensemble_scores(members), [5.5, 16.5, 21.0])
    # training scores: member 0 mean 2 std 1, member 1 mean 20 std 10
    train = np.array([[1.0, 10.0], [3.0, 30.0]])
    reference = sc.member_reference(train)
    np.testing.assert_allclose(sc.ensemble_scores(members, reference), [-1.0, 1.0, (0.0 + 2.0) / 2])
    restored = sc.Standardiser.from_dict(reference.to_dict())
    np.testing.assert_array_equal(sc.ensemble_scores(members, restored), sc.ensemble_scores(members, reference))
    with pytest.raises(ValueError, match=r"must be \[N, K\]"):
        sc.ensemble_scores(members[:, 0])
    with pytest.raises(ValueError, match="the reference has 1 members, the scores 2"):
        sc.ensemble_scores(members, sc.member_reference(train[:, :1]))


def test_non_finite_scores_rank_highest():
    out = sc.rank_non_finite_highest([0.5, np.nan, -np.inf, np.inf, 2.0])
    assert out.tolist() == [0.5, np.inf, np.inf, np.inf, 2.0]
