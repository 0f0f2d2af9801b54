"""The Ladder network (model and objective "ladder"): the combinator, shared parameters, the
objective's supervised part, and bit-exact resume with batch-norm statistics."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from ml_collections import ConfigDict

from aejax import config as config_lib, eval as eval_lib, models, objectives
from aejax.ckpt import Checkpoints
from aejax.models import ladder
from aejax.train import fit as fit_lib
from aejax.train.loop import fit

SIZES = (12, 8, 6, 3)
X = jax.random.uniform(jax.random.PRNGKey(5), (96, 12))
Y = jax.random.randint(jax.random.PRNGKey(6), (96,), 0, 3)
U = jax.random.uniform(jax.random.PRNGKey(7), (96, 12))


def _model(noise=0.3, momentum=0.9):
    """Noise of s.d. `noise` on the input and on every layer."""
    return models.build({"name": "ladder", "sizes": SIZES, "noise": noise, "input_noise": noise, "momentum": momentum}, (12,))


def test_vanilla_combinator_matches_a_hand_computed_case():
    a = jnp.array([[1.0, 0.5], [2.0, 1.0], [0.0, 0.0], [0.5, 0.0], [0.1, 0.0],
                   [2.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.0, 1.0], [0.5, 2.0]])
    z, u = jnp.array([[1.0, -1.0]]), jnp.array([[0.0, 2.0]])
    # unit 0: mu = 1 sigmoid(0) + 0.5 * 0 + 0.1 = 0.6, v = 2 sigmoid(0) + 0.5 = 1.5, zhat = 0.4 * 1.5 + 0.6
    # unit 1: mu = 0.5 sigmoid(2), v = 2 + 2 = 4, zhat = (-1 - mu) * 4 + mu
    mu1 = 0.5 / (1 + np.exp(-2.0))
    want = np.array([[1.2, (-1 - mu1) * 4 + mu1]])
    np.testing.assert_allclose(ladder.combinator(a, z, u), want, rtol=1e-6)
    g = ladder.Combinator(2)
    np.testing.assert_allclose(g.apply({"params": {"a": a}}, z, u), want, rtol=1e-6)
    initial = g.init(jax.random.PRNGKey(0), z, u)["params"]["a"]
    assert initial.shape == (10, 2)  # 10 parameters per unit
    np.testing.assert_array_equal(g.apply({"params": {"a": initial}}, z, u), np.zeros((1, 2)))


def test_clean_and_corrupted_passes_share_every_parameter():
    model = _model()
    variables = models.init_variables(model, jax.random.PRNGKey(0), (12,))
    params = variables["params"]
    encoder = {"enc_0", "enc_1", "enc_2", "beta_1", "beta_2", "beta_3", "gamma"}
    assert set(params) == encoder | {"dec_0", "dec_1", "dec_2", "g_0", "g_1", "g_2", "g_3"}  # one copy of each

    def logits(p, corrupted):
        out = model.apply({**variables, "params": p}, X, corrupted=corrupted, train=True,
                          rngs={"noise": jax.random.PRNGKey(1)}, mutable=["batch_stats"])[0]
        return jnp.sum(jnp.sin(out["logits"]))

    for corrupted in (False, True):
        grads = jax.grad(logits)(params, corrupted)
        moved = {k for k, g in grads.items() if any(np.any(np.asarray(leaf) != 0) for leaf in jax.tree_util.tree_leaves(g))}
        assert moved == encoder, f"corrupted={corrupted} reads {sorted(moved)}"
    quiet = _model(noise=0.0)
    clean = quiet.apply(variables, X, train=True, mutable=["batch_stats"])[0]
    silent = quiet.apply(variables, X, corrupted=True, train=True, mutable=["batch_stats"])[0]
    noisy = model.apply(variables, X, corrupted=True, train=True, rngs={"noise": jax.random.PRNGKey(1)}, mutable=["batch_stats"])[0]
    np.testing.assert_array_equal(clean["logits"], silent["logits"])
    assert not np.allclose(clean["logits"], noisy["logits"])


def _numpy_clean_logits(params, x):
    """The clean pass in training mode, in numpy: batch-normalised linear layers, ReLU, gamma * (z + beta)."""
    h = np.asarray(x, np.float64)
    for l in range(1, len(SIZES)):
        pre = h @ np.asarray(params[f"enc_{l - 1}"]["kernel"], np.float64)
        z = (pre - pre.mean(0)) / np.sqrt(pre.var(0) + ladder.EPS)
        h = np.maximum(z + np.asarray(params[f"beta_{l}"]), 0.0)
    return np.asarray(params["gamma"]) * (z + np.asarray(params[f"beta_{len(SIZES) - 1}"]))


def test_without_noise_or_denoising_weights_the_objective_is_the_cross_entropy():
    model = _model(noise=0.0)
    variables = models.init_variables(model, jax.random.PRNGKey(0), (12,))
    loss = objectives.build(model, "ladder", {"weights": (0.0,) * len(SIZES)})
    value, terms = loss(variables["params"], {"x": X, "y": Y, "u": U}, jax.random.PRNGKey(3),
                        collections={"batch_stats": variables["batch_stats"]})
    logits = _numpy_clean_logits(variables["params"], X)
    log_p = logits - logits.max(1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(1, keepdims=True))
    want = -np.mean(log_p[np.arange(len(Y)), np.asarray(Y)])
    np.testing.assert_allclose(float(value), want, rtol=1e-5)
    assert set(terms) == {"cross_entropy", "batch_error"}
    full = objectives.build(model, "ladder", {"weights": (1.0,) * len(SIZES)})
    value_full, terms_full = full(variables["params"], {"x": X, "y": Y, "u": U}, jax.random.PRNGKey(3),
                                  collections={"batch_stats": variables["batch_stats"]})
    assert {f"denoising_{l}" for l in range(len(SIZES))} <= set(terms_full)
    assert float(value_full) > float(value)


def test_gamma_model_decodes_only_the_top_layer_and_weights_must_match_the_layers():
    model = _model()
    variables = models.init_variables(model, jax.random.PRNGKey(0), (12,))
    batch, collections = {"x": X, "y": Y, "u": U}, {"batch_stats": variables["batch_stats"]}
    gamma = objectives.build(model, "ladder", {"weights": (0.0, 0.0, 0.0, 1.0)})
    _, terms = gamma(variables["params"], batch, jax.random.PRNGKey(3), collections=collections)
    assert sorted(t for t in terms if t.startswith("denoising")) == ["denoising_3"]
    short = objectives.build(model, "ladder", {"weights": (1.0, 1.0)})
    with pytest.raises(ValueError, match="one per layer"):
        short(variables["params"], batch, jax.random.PRNGKey(3), collections=collections)


def test_resume_is_bit_exact_with_batch_norm_statistics(tmp_path):
    """A run stopped after 2 epochs and resumed equals one run straight: params, optimizer state
    and the running batch statistics, which evaluation then reads."""
    cfg = config_lib.base_config()
    cfg.model = ConfigDict(dict(name="ladder", sizes=SIZES, noise=0.3, momentum=0.9))
    cfg.objective = ConfigDict(dict(name="ladder", weights=(10.0, 1.0, 0.1, 0.1)))
    cfg.train.epochs, cfg.train.batch_size = 4, 16
    cfg.train.optimizer.learning_rate = 0.002
    data = {"x": X, "y": Y, "u": U}

    ready = fit_lib.prepare(cfg, data)
    initial = jax.tree_util.tree_map(np.asarray, ready.state.collections)
    straight, _ = fit(ready.state, ready.step, ready.x, epochs=4, batch_size=16)
    moved = jax.tree_util.tree_map(lambda a, b: not np.allclose(a, b), initial, straight.collections)
    assert all(jax.tree_util.tree_leaves(moved))
    ready = fit_lib.prepare(cfg, data)
    fit(ready.state, ready.step, ready.x, epochs=2, batch_size=16, checkpoints=Checkpoints(tmp_path / "ck"))
    ready = fit_lib.prepare(cfg, data)
    resumed, _ = fit(ready.state, ready.step, ready.x, epochs=4, batch_size=16, checkpoints=Checkpoints(tmp_path / "ck"))
    assert int(resumed.step) == 24
    for a, b in zip(jax.tree_util.tree_leaves((straight.params, straight.opt_state, straight.collections)),
                    jax.tree_util.tree_leaves((resumed.params, resumed.opt_state, resumed.collections))):
        np.testing.assert_array_equal(a, b)
    model = ready.model
    want = model.apply(resumed.variables, X, method="classify")  # running averages
    got = eval_lib.apply(model, eval_lib.variables(resumed.params, resumed.collections), X, method="classify")
    np.testing.assert_array_equal(got, want)
