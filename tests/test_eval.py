"""aejax.eval: per-example errors of side-by-side models in host chunks; the measures on codes:
document retrieval, LSA codes, kNN accuracy."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from aejax import eval as eval_lib
from aejax import models


def _scaled_absolute_error(x, recon, scale):
    return scale * jnp.sum(jnp.abs(x - recon), axis=1)


def test_reconstruction_errors_of_side_by_side_members_in_host_chunks_match_numpy():
    model = models.build({"name": "mlp", "sizes": (5, 3, 2), "output_activation": "linear"}, (5,))
    params = jax.vmap(lambda key: models.init(model, key, (5,)))(jax.random.split(jax.random.PRNGKey(0), 3))
    x = np.random.default_rng(0).normal(size=(23, 5)).astype(np.float32)
    scale = np.array([1.0, 2.0, 3.0], np.float32)  # one per member
    got = eval_lib.reconstruction_errors(model, params, x, _scaled_absolute_error, (scale,), batch_size=4, members=3,
                                         host_chunk=8)
    member = lambda m: jax.tree_util.tree_map(lambda a: np.asarray(a[m], np.float64), params)  # noqa: E731
    expected = np.stack([scale[m] * np.abs(x - _numpy_mlp(member(m), x)).sum(axis=1) for m in range(3)], axis=1)
    assert isinstance(got, np.ndarray) and got.shape == (23, 3)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert np.ptp(got[0] / scale) > 0  # the members differ


def _numpy_mlp(p, x):
    """The 5-3-2 autoencoder by hand: logistic hidden layer, linear code, logistic decoder layer, linear output."""
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    hidden = sigmoid(x @ p["enc_0"]["kernel"] + p["enc_0"]["bias"])
    code = hidden @ p["enc_1"]["kernel"] + p["enc_1"]["bias"]
    back = sigmoid(code @ p["dec_1"]["kernel"] + p["dec_1"]["bias"])
    return back @ p["dec_0"]["kernel"] + p["dec_0"]["bias"]


def test_retrieval_accuracy_uses_cosine_similarity():
    # Query 0 = (1, 0): by angle its nearest is (10, 1) (same label), by distance (0.5, 0.5).
    codes = np.array([[1.0, 0.0], [10.0, 1.0], [0.5, 0.5]])
    labels = np.array([0, 0, 1])
    acc = eval_lib.retrieval_accuracy(codes, labels, counts=(1, 2))
    # n=1, cosine: 0 -> 1 hit, 1 -> 0 hit, 2 -> 1 miss: 2/3 (Euclidean would give 1/3).
    assert acc[1] == pytest.approx(2 / 3)
    # n=2: every query sees both others: 1/2, 1/2, 0.
    assert acc[2] == pytest.approx(1 / 3)
    # Cosine ignores lengths: stretching codes changes nothing.
    stretched = codes * np.array([[5.0], [0.1], [3.0]])
    assert eval_lib.retrieval_accuracy(stretched, labels, counts=(1, 2)) == acc


def test_lsa_codes_are_coordinates_on_the_top_singular_directions():
    # log(1 + train counts) = diag(1, 3, 2): right singular vectors e2 (3), e3 (2), e1 (1).
    train = np.expm1(np.diag([1.0, 3.0, 2.0]))
    test = np.expm1(np.array([[0.5, 1.5, 2.5], [2.0, 0.5, 0.0]]))
    codes = eval_lib.lsa_codes(train, test, 2)
    np.testing.assert_allclose(np.abs(codes), [[1.5, 2.5], [0.5, 0.0]], atol=1e-12)
    assert codes[0, 0] * codes[1, 0] > 0  # one direction per component for all documents


def test_knn_accuracy_on_separated_clusters():
    train = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    test = np.array([[0.05, 0.1], [4.9, 5.2], [0.0, 0.2]])
    assert eval_lib.knn_accuracy(train, [0, 0, 1, 1], test, [0, 1, 1], 1) == pytest.approx(2 / 3)
