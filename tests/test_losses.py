import numpy as np

from aejax import losses


def test_squared_error_is_half_sum_of_squares():
    pred = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], np.float32)
    target = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]], np.float32)
    np.testing.assert_allclose(losses.squared_error(pred, target), [0.5 * (4 + 9), 0.5 * 3])


def test_sse_metric_is_sum_of_squares_per_example():
    recon = np.array([[0.5, 0.5], [1.0, 0.0]], np.float32)
    target = np.array([[0.0, 1.0], [1.0, 1.0]], np.float32)
    np.testing.assert_allclose(losses.sse(recon, target), [0.5, 1.0])


def test_cross_entropy_matches_numpy_and_stays_finite_for_extreme_logits():
    logits = np.array([[100.0, -100.0, 0.0, 2.0], [-100.0, 100.0, -3.0, 0.5]], np.float32)
    target = np.array([[1.0, 0.0, 0.5, 0.25], [1.0, 0.0, 0.0, 1.0]], np.float32)
    # -[t log s(z) + (1-t) log(1-s(z))] = log(1 + e^z) - t z, computed in float64 with log1p/exp.
    z, t = logits.astype(np.float64), target.astype(np.float64)
    expected = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - t * z).sum(axis=1)
    got = np.asarray(losses.sigmoid_cross_entropy(logits, target))
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    # A confidently wrong logit of 100 costs 100 nats; a right one costs ~0.
    assert abs(got[1] - (100 + 100 + np.log1p(np.exp(-3.0)) + np.log1p(np.exp(-0.5)))) < 1e-3


def test_softmax_cross_entropy_against_word_probabilities_by_hand():
    logits = np.array([[0.0, np.log(3.0)], [1.0, 1.0]], np.float32)
    counts = np.array([[2.0, 6.0], [5.0, 0.0]], np.float32)
    # Row 0: p = (1/4, 3/4), softmax = (1/4, 3/4): entropy of p. Row 1: p = (1, 0), softmax = 1/2.
    expected = [-(0.25 * np.log(0.25) + 0.75 * np.log(0.75)), np.log(2.0)]
    np.testing.assert_allclose(losses.softmax_cross_entropy(logits, counts), expected, rtol=1e-6)
    # Counts and their word probabilities give the same loss.
    np.testing.assert_allclose(losses.softmax_cross_entropy(logits, counts / counts.sum(1, keepdims=True)),
                               expected, rtol=1e-6)
