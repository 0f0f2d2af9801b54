"""The k-sparse autoencoder: exactly k units kept (a static or a traced k), gradients only through
them, tied weights, alpha * k units in the codes, and k following a schedule in training."""
import jax
import jax.numpy as jnp
import numpy as np
from ml_collections import ConfigDict

from aejax import config as config_lib, models, objectives
from aejax.models.ksparse import keep_largest

H = jax.random.normal(jax.random.PRNGKey(0), (6, 20))


def test_keep_largest_keeps_exactly_the_k_largest_per_row():
    for k in (1, 5, jnp.asarray(5.0), jnp.asarray(20.0)):
        out = np.asarray(keep_largest(H, k))
        kept = out != 0
        assert (kept.sum(axis=1) == int(k)).all()
        want = np.sort(np.asarray(H), axis=1)[:, -int(k):]
        np.testing.assert_array_equal(np.sort(np.where(kept, out, -np.inf), axis=1)[:, -int(k):], want)
    grad = jax.grad(lambda h: jnp.sum(keep_largest(h, 3) * 2.0))(H)
    np.testing.assert_array_equal(np.asarray(grad) != 0, np.asarray(keep_largest(H, 3)) != 0)


def _model(k=4):
    model = models.build(ConfigDict(dict(name="ksparse", hidden=20, k=k, alpha=2.0)), (10,))
    return model, models.init(model, jax.random.PRNGKey(1), (10,))


def test_tied_reconstruction_and_alpha_k_codes():
    model, p = _model()
    assert set(p) == {"enc_0", "dec_0"} and set(p["dec_0"]) == {"bias"}
    x = jax.random.uniform(jax.random.PRNGKey(2), (3, 10))
    h = keep_largest(x @ p["enc_0"]["kernel"] + p["enc_0"]["bias"], 4)
    np.testing.assert_allclose(model.apply({"params": p}, x), h @ p["enc_0"]["kernel"].T + p["dec_0"]["bias"], rtol=1e-5)
    assert ((np.asarray(model.apply({"params": p}, x, method="encode")) != 0).sum(axis=1) == 8).all()


def test_k_follows_its_schedule_in_training_and_settles_for_evaluation():
    c = config_lib.base_config()
    c.model = ConfigDict(dict(name="ksparse", hidden=20, k=dict(schedule="linear", init_value=16, end_value=4,
                                                                 transition_steps=12), output_activation="linear"))
    c.loss = "squared_error"
    model = models.build(c.model, (10,))
    assert model.k == 4
    p = models.init(model, jax.random.PRNGKey(1), (10,))
    counts = []

    def kept(ctx, x):
        f = ctx.forward(x)
        counts.append(jnp.sum(f.outputs["code"] != 0, axis=1))
        return jnp.mean(f.outputs["reconstruction"])

    loss = objectives.build(model, kept, model_options={"k": c.model.k})
    x = jax.random.uniform(jax.random.PRNGKey(2), (3, 10))
    for step, k in ((0, 16), (6, 10), (12, 4), (40, 4)):
        loss(p, x, jax.random.PRNGKey(0), step=step)
        assert (np.asarray(counts[-1]) == k).all(), (step, counts[-1])
    assert objectives.from_config(model, c)  # the config's schedule reaches __call__'s k
