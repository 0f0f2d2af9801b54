"""The VAE: named outputs, the reparameterised draw from stream "noise", deterministic codes."""
import jax
import jax.numpy as jnp
import numpy as np
from ml_collections import ConfigDict

from aejax import models

X = jax.random.uniform(jax.random.PRNGKey(0), (5, 4, 4))


def _model():
    model = models.build(ConfigDict(dict(name="vae", hidden=(8, 6), latent=3)), (4, 4))
    return model, models.init(model, jax.random.PRNGKey(1), (4, 4))


def test_outputs_are_named_and_z_is_drawn_from_the_noise_stream():
    model, p = _model()
    assert [k for k in p] == ["enc_0", "enc_1", "mean", "log_var", "dec_0", "dec_1", "dec_2"]
    key = jax.random.PRNGKey(7)
    out = model.apply({"params": p}, X, rngs={"noise": key})
    assert set(out) == {"reconstruction", "code", "mean", "log_var", "z"} and out["reconstruction"].shape == X.shape
    h = jnp.tanh(jnp.tanh(X.reshape(5, -1) @ p["enc_0"]["kernel"] + p["enc_0"]["bias"]) @ p["enc_1"]["kernel"] + p["enc_1"]["bias"])
    mean, log_var = h @ p["mean"]["kernel"] + p["mean"]["bias"], h @ p["log_var"]["kernel"] + p["log_var"]["bias"]
    np.testing.assert_allclose(out["mean"], mean, rtol=1e-5)
    eps = (out["z"] - mean) / jnp.exp(0.5 * log_var)
    again = model.apply({"params": p}, X, rngs={"noise": key})
    np.testing.assert_array_equal(again["z"], out["z"])
    other = model.apply({"params": p}, X, rngs={"noise": jax.random.PRNGKey(8)})
    assert not np.allclose(other["z"], out["z"])
    assert abs(float(jnp.mean(eps))) < 1.5 and 0.1 < float(jnp.std(eps)) < 3  # a standard normal draw
    decoded = model.apply({"params": p}, out["z"], method="decode")
    np.testing.assert_allclose(out["reconstruction"].reshape(5, -1), decoded, rtol=1e-6)


def test_codes_and_reconstructions_are_the_deterministic_mean_path():
    model, p = _model()
    code = model.apply({"params": p}, X, method="encode")
    np.testing.assert_allclose(code, model.apply({"params": p}, X, method="posterior")[0])
    recon = model.apply({"params": p}, X, method="reconstruct")
    np.testing.assert_allclose(recon, jax.nn.sigmoid(model.apply({"params": p}, code, method="decode")).reshape(X.shape), rtol=1e-6)
