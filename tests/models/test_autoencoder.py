import jax
import jax.numpy as jnp
import numpy as np
import pytest

from aejax import losses, params as params_lib
from aejax.models.autoencoder import Autoencoder, init_params, normal_init

SIZES = (784, 1000, 500, 250, 30)


def test_tied_count_is_untied_minus_decoder_kernels():
    untied = params_lib.count(init_params(Autoencoder(SIZES), jax.random.PRNGKey(0)))
    tied = params_lib.count(init_params(Autoencoder(SIZES, tied=True), jax.random.PRNGKey(0)))
    decoder_kernels = 784 * 1000 + 1000 * 500 + 500 * 250 + 250 * 30
    assert untied - tied == decoder_kernels
    biases = 1000 + 500 + 250 + 30 + 784 + 1000 + 500 + 250
    assert tied == decoder_kernels + biases


def test_layers_are_named_and_tied_decoder_owns_only_biases():
    params = init_params(Autoencoder((6, 4, 2), tied=True), jax.random.PRNGKey(0))
    assert set(params) == {"enc_0", "enc_1", "dec_0", "dec_1"}
    assert set(params["dec_0"]) == {"bias"} and params["dec_0"]["bias"].shape == (6,)
    assert params["enc_1"]["kernel"].shape == (4, 2)


def _explicit_forward(p, x, tied):
    """The 6-4-2 autoencoder written out with matrix products (sigmoid hidden, linear code)."""
    k0 = p["enc_0"]["kernel"]
    k1 = p["enc_1"]["kernel"]
    d1 = k1.T if tied else p["dec_1"]["kernel"]
    d0 = k0.T if tied else p["dec_0"]["kernel"]
    h = jax.nn.sigmoid(x @ k0 + p["enc_0"]["bias"])
    z = h @ k1 + p["enc_1"]["bias"]
    g = jax.nn.sigmoid(z @ d1 + p["dec_1"]["bias"])
    return g @ d0 + p["dec_0"]["bias"], z


@pytest.mark.parametrize("tied", [False, True])
def test_forward_matches_explicit_products(tied):
    model = Autoencoder((6, 4, 2), tied=tied)
    p = init_params(model, jax.random.PRNGKey(1))
    x = jax.random.uniform(jax.random.PRNGKey(2), (5, 6))
    logits, codes = _explicit_forward(p, x, tied)
    np.testing.assert_allclose(model.apply({"params": p}, x), logits, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.apply({"params": p}, x, method="encode"), codes, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.apply({"params": p}, codes, method="decode"), logits, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.apply({"params": p}, x, method="reconstruct"), jax.nn.sigmoid(logits), rtol=1e-5, atol=1e-6)


def test_tied_kernel_gradient_is_sum_of_both_uses():
    tied_model = Autoencoder((6, 4, 2), tied=True)
    untied_model = Autoencoder((6, 4, 2), tied=False)
    p = init_params(tied_model, jax.random.PRNGKey(3))
    x = jax.random.uniform(jax.random.PRNGKey(4), (7, 6))
    # Hand-built untied model whose decoder kernels equal the encoder kernels transposed.
    q = {
        "enc_0": p["enc_0"],
        "enc_1": p["enc_1"],
        "dec_0": {"bias": p["dec_0"]["bias"], "kernel": p["enc_0"]["kernel"].T},
        "dec_1": {"bias": p["dec_1"]["bias"], "kernel": p["enc_1"]["kernel"].T},
    }

    def loss(model, params):
        return jnp.mean(losses.sigmoid_cross_entropy(model.apply({"params": params}, x), x))

    np.testing.assert_allclose(loss(tied_model, p), loss(untied_model, q), rtol=1e-6)
    g_tied = jax.grad(lambda a: loss(tied_model, a))(p)
    g_untied = jax.grad(lambda a: loss(untied_model, a))(q)
    for i in range(2):
        expected = g_untied[f"enc_{i}"]["kernel"] + g_untied[f"dec_{i}"]["kernel"].T
        np.testing.assert_allclose(g_tied[f"enc_{i}"]["kernel"], expected, rtol=1e-5, atol=1e-7)
        assert np.abs(g_untied[f"dec_{i}"]["kernel"]).max() > 0  # both uses contribute


def test_relu_by_name_and_bad_activation_named():
    model = Autoencoder((6, 3), activations=("relu",), output="linear")
    p = init_params(model, jax.random.PRNGKey(0))
    x = jnp.ones((2, 6))
    codes = model.apply({"params": p}, x, method="encode")
    np.testing.assert_allclose(codes, np.maximum(x @ p["enc_0"]["kernel"] + p["enc_0"]["bias"], 0), rtol=1e-6)
    with pytest.raises(ValueError, match="swish2"):
        init_params(Autoencoder((6, 3), activations=("swish2",)), jax.random.PRNGKey(0))


def test_random_init_small_normal_kernels_zero_biases():
    model = Autoencoder(sizes=(50, 40, 3))
    params = normal_init(init_params(model, jax.random.key(0)), jax.random.key(0), 0.01)
    assert float(np.std(params["enc_0"]["kernel"])) == pytest.approx(0.01, rel=0.1)
    assert not np.any(params["dec_0"]["bias"]) and not np.any(params["enc_1"]["bias"])
