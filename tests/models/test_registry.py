"""Models by name: built-ins, a model registered from outside, config keys, and the errors that
name the bad key or width."""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from ml_collections import ConfigDict

from aejax import config as config_lib, models
from aejax.models.autoencoder import Autoencoder, init_params


def test_mlp_from_config_is_the_autoencoder_with_the_same_init():
    cfg = config_lib.base_config().model
    model = models.build(cfg, (28, 28, 1))
    assert isinstance(model, Autoencoder) and tuple(model.sizes) == (784, 1000, 500, 250, 30)
    a = models.init(model, jax.random.PRNGKey(0), (28, 28, 1))
    b = init_params(model, jax.random.PRNGKey(0))
    for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_array_equal(x, y)
    images = jax.random.uniform(jax.random.PRNGKey(1), (3, 28, 28, 1))  # MLPs flatten; output keeps the shape
    out = model.apply({"params": a}, images)
    np.testing.assert_allclose(out.reshape(3, -1), model.apply({"params": a}, images.reshape(3, -1)), rtol=1e-6)
    assert out.shape == images.shape


def test_width_mismatch_names_model_sizes_and_the_data_width():
    cfg = ConfigDict(dict(name="mlp", sizes=(784, 32)))
    with pytest.raises(ValueError, match=r"model.sizes\[0\]=784 but the data have 64 values"):
        models.build(cfg, (8, 8))


def test_unknown_key_and_unknown_model_are_named():
    with pytest.raises(ValueError, match=r"model 'conv2d' has no config key\(s\) model.sizes; its keys: .*channels"):
        models.build(dict(name="conv2d", sizes=(784, 30)), (28, 28))
    with pytest.raises(KeyError, match="'resnet'.*conv1d.*conv2d.*mlp"):
        models.build(dict(name="resnet"), (28, 28))
    c = config_lib.base_config()
    c.model.name = "resnet"
    with pytest.raises(ValueError, match="model.name 'resnet' is not a registered model"):
        config_lib.validate(c)


def test_model_registered_from_outside_builds_by_name_with_its_keys():
    @models.register("test-linear")
    class LinearAE(nn.Module):  # a module class is its own builder: its fields are the keys
        width: int = 3
        output_activation: str = "linear"

        def encode(self, x):
            return nn.Dense(self.width, name="enc_0")(x)

        @nn.compact
        def __call__(self, x):
            return nn.Dense(x.shape[-1], name="dec_0")(self.encode(x))

    assert models.config_keys("test-linear") == {"width": 3, "output_activation": "linear"}
    model = models.build(ConfigDict(dict(name="test-linear", width=2)), (5,))
    params = models.init(model, jax.random.PRNGKey(0), (5,))
    assert params["enc_0"]["kernel"].shape == (5, 2)
    assert "test-linear" in models.names()


def test_hidden_activations_are_sown_in_layer_order():
    model = Autoencoder((6, 4, 2), activations=("sigmoid", "linear"))
    p = init_params(model, jax.random.PRNGKey(0))
    x = jax.random.uniform(jax.random.PRNGKey(1), (3, 6))
    _, state = model.apply({"params": p}, x, mutable=["intermediates"])
    h0, h1 = models.hidden_activations(state["intermediates"])
    np.testing.assert_allclose(h0, jax.nn.sigmoid(x @ p["enc_0"]["kernel"] + p["enc_0"]["bias"]), rtol=1e-6)
    np.testing.assert_allclose(h1, model.apply({"params": p}, x, method="encode"), rtol=1e-6)
    assert "intermediates" not in model.init(jax.random.PRNGKey(0), jnp.zeros((1, 6)))  # sown only when asked
