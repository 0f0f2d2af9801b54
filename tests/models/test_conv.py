"""1-D convolutional autoencoder: shapes, parameter names and counts, training lowers the loss."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from aejax.models.conv import ConvAutoencoder, init_params


def test_shapes_names_and_parameter_count():
    model = ConvAutoencoder(features=8, channels=(32, 16), kernel_size=7)
    params = init_params(model, jax.random.key(0), 60)
    assert sorted(params) == ["dec_0", "dec_1", "enc_0", "enc_1"]
    # kernels [k, in, out]: enc_0 8->32, enc_1 32->16; dec_1 16->32, dec_0 32->8
    assert params["enc_0"]["kernel"].shape == (7, 8, 32)
    assert params["dec_0"]["kernel"].shape == (7, 32, 8)
    count = sum(p.size for p in jax.tree_util.tree_leaves(params))
    assert count == (7 * 8 * 32 + 32) + (7 * 32 * 16 + 16) + (7 * 16 * 32 + 32) + (7 * 32 * 8 + 8)
    x = jnp.ones((5, 60, 8))
    assert model.apply({"params": params}, x, method=model.encode).shape == (5, 15, 16)
    assert model.apply({"params": params}, x).shape == (5, 60, 8)


def test_bad_window_length_is_an_error_naming_the_shape():
    model = ConvAutoencoder(features=2, channels=(4, 4))
    with pytest.raises(ValueError, match=r"divisible by 4; got shape \(1, 10, 2\)"):
        init_params(model, jax.random.key(0), 10)


def test_a_few_adam_steps_lower_the_reconstruction_error():
    t = np.arange(32)[None, :, None] / 32.0
    x = jnp.asarray(np.concatenate([np.sin(2 * np.pi * t + p) for p in (0.0, 1.0)], -1).repeat(4, 0))
    model = ConvAutoencoder(features=2, channels=(8, 4), kernel_size=5)
    params = init_params(model, jax.random.key(1), 32)
    loss = lambda p: jnp.mean((model.apply({"params": p}, x) - x) ** 2)  # noqa: E731
    tx = optax.adam(1e-2)
    opt = tx.init(params)
    start = float(loss(params))

    @jax.jit
    def step(params, opt):
        updates, opt = tx.update(jax.grad(loss)(params), opt)
        return optax.apply_updates(params, updates), opt

    for _ in range(30):
        params, opt = step(params, opt)
    assert float(loss(params)) < 0.5 * start
