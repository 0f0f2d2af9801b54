"""2-D convolutional autoencoder: the decoder is the exact adjoint of the encoder convolution,
tied models hold no decoder kernels, and a tied kernel's gradient is the sum of both uses."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from aejax import losses, models
from aejax.models.conv2d import conv, conv_adjoint, same_padding


@pytest.mark.parametrize("size,kernel,stride", [(28, 3, 2), (7, 3, 2), (9, 5, 2), (14, 4, 3), (6, 3, 1)])
def test_adjoint_convolution_is_the_vjp_of_the_convolution(size, kernel, stride):
    k = jax.random.normal(jax.random.PRNGKey(0), (kernel, kernel, 2, 3))
    pad = (same_padding(size, kernel, stride),) * 2
    x = jax.random.normal(jax.random.PRNGKey(1), (2, size, size, 2))
    y, vjp = jax.vjp(lambda v: conv(v, k, stride, pad), x)
    assert y.shape[1] == -(-size // stride)  # SAME: ceil(size / stride)
    g = jax.random.normal(jax.random.PRNGKey(2), y.shape)
    np.testing.assert_allclose(conv_adjoint(g, k, stride, pad, (size, size)), vjp(g)[0], rtol=1e-5, atol=1e-5)
    # <conv x, g> = <x, adjoint g>: the definition of the adjoint
    np.testing.assert_allclose(jnp.vdot(y, g), jnp.vdot(x, conv_adjoint(g, k, stride, pad, (size, size))), rtol=1e-4)


def _model(tied, code_size=0):
    return models.build(dict(name="conv2d", channels=(3, 4, 4), tied=tied, code_size=code_size), (28, 28))


@pytest.mark.parametrize("code_size", [0, 10])
def test_tied_tree_holds_no_decoder_kernels(code_size):
    untied = models.init(_model(False, code_size), jax.random.PRNGKey(0), (28, 28))
    tied = models.init(_model(True, code_size), jax.random.PRNGKey(0), (28, 28))
    layers = 3 + (code_size > 0)
    assert sorted(tied) == sorted(untied) == sorted([f"enc_{i}" for i in range(layers)] + [f"dec_{i}" for i in range(layers)])
    assert all(set(tied[f"dec_{i}"]) == {"bias"} for i in range(layers))
    assert all(untied[f"dec_{i}"]["kernel"].shape == untied[f"enc_{i}"]["kernel"].shape for i in range(3))  # conv: same kernel shape
    kernels = sum(untied[f"dec_{i}"]["kernel"].size for i in range(layers))
    count = lambda p: sum(a.size for a in jax.tree_util.tree_leaves(p))  # noqa: E731
    assert count(untied) - count(tied) == kernels


@pytest.mark.parametrize("code_size", [0, 10])
def test_tied_kernel_gradient_is_the_sum_of_both_uses(code_size):
    tied_model, untied_model = _model(True, code_size), _model(False, code_size)
    p = models.init(tied_model, jax.random.PRNGKey(3), (28, 28))
    layers = 3 + (code_size > 0)
    # the untied model with each decoder kernel equal to its encoder kernel
    q = {**p, **{f"dec_{i}": {"bias": p[f"dec_{i}"]["bias"],
                              "kernel": p[f"enc_{i}"]["kernel"].T if p[f"enc_{i}"]["kernel"].ndim == 2 else p[f"enc_{i}"]["kernel"]}
                 for i in range(layers)}}
    x = jax.random.uniform(jax.random.PRNGKey(4), (5, 784))

    def loss(model, params):
        return jnp.mean(losses.sigmoid_cross_entropy(model.apply({"params": params}, x), x))

    np.testing.assert_allclose(loss(tied_model, p), loss(untied_model, q), rtol=1e-6)
    g_tied = jax.grad(lambda a: loss(tied_model, a))(p)
    g_untied = jax.grad(lambda a: loss(untied_model, a))(q)
    for i in range(layers):
        dec = g_untied[f"dec_{i}"]["kernel"]
        expected = g_untied[f"enc_{i}"]["kernel"] + (dec.T if dec.ndim == 2 else dec)
        np.testing.assert_allclose(g_tied[f"enc_{i}"]["kernel"], expected, rtol=1e-4, atol=1e-7)
        assert np.abs(dec).max() > 0  # both uses contribute


def test_images_flat_or_shaped_give_the_same_output_in_their_shape():
    model = _model(False)
    p = models.init(model, jax.random.PRNGKey(0), (28, 28))
    x = jax.random.uniform(jax.random.PRNGKey(1), (2, 28, 28))
    out = model.apply({"params": p}, x)
    assert out.shape == (2, 28, 28)
    np.testing.assert_allclose(model.apply({"params": p}, x.reshape(2, -1)), out.reshape(2, -1), rtol=1e-6)
    assert model.apply({"params": p}, x, method="encode").shape == (2, 4, 4, 4)  # 28 -> 14 -> 7 -> 4
    with pytest.raises(ValueError, match=r"needs images \[H, W\(, C\)\] per example, not \(784,\)"):
        models.build(dict(name="conv2d"), (784,))
