"""Objectives from parts: each regulariser against a hand / NumPy computation, the Hutchinson
estimator against the exact Jacobian norm, the objectives by name (reconstruction losses, the
ELBO against a NumPy reference), schedules over the step, RNG streams that reach the model
(fresh per pass and per step, fixed in evaluation, a missing one named), several passes and
the task's context."""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from aejax import eval as eval_lib, losses, models, objectives
from aejax.models.autoencoder import Autoencoder, init_params
from aejax.models.vae import VAE

X = jax.random.uniform(jax.random.PRNGKey(0), (8, 6))
KEY = jax.random.PRNGKey(9)


def _forward(model, params, x=X, rng=KEY):
    out, state = model.apply({"params": params}, x, mutable=["intermediates"])
    return objectives.Forward(model, params, {}, x, x, models.named_outputs(out, state["intermediates"]), rng)


def _setup(acts=("sigmoid", "sigmoid"), sizes=(6, 5, 3)):
    model = Autoencoder(sizes, activations=acts)
    return model, init_params(model, jax.random.PRNGKey(1))


def test_kl_sparsity_matches_numpy_on_the_chosen_layer():
    model, p = _setup()
    f = _forward(model, p)
    for layer in (0, -1, "hidden_0", "code"):
        rho_hat = np.asarray(f.outputs[layer] if isinstance(layer, str) else f.hidden[layer], np.float64).mean(0)
        want = np.sum(0.1 * np.log(0.1 / rho_hat) + 0.9 * np.log(0.9 / (1 - rho_hat)))
        np.testing.assert_allclose(objectives.kl_sparsity(f, target=0.1, layer=layer), want, rtol=1e-5)
    np.testing.assert_allclose(f.outputs["code"], f.hidden[-1])
    assert float(objectives.kl_sparsity(f, target=0.1)) > 0


def test_l1_activity_sums_absolute_activations_of_the_hidden_layers():
    model, p = _setup(("tanh", "linear"))
    f = _forward(model, p)
    h0, h1 = (np.asarray(h) for h in f.hidden)
    np.testing.assert_allclose(objectives.l1_activity(f), np.abs(h0).sum(1).mean() + np.abs(h1).sum(1).mean(), rtol=1e-5)
    np.testing.assert_allclose(objectives.l1_activity(f, layers=(1,)), np.abs(h1).sum(1).mean(), rtol=1e-5)


def test_contractive_closed_form_is_the_frobenius_norm_of_the_jacobian():
    model, p = _setup()
    f = _forward(model, p)
    layer0 = lambda x: jax.nn.sigmoid(x @ p["enc_0"]["kernel"] + p["enc_0"]["bias"])  # noqa: E731
    exact = np.mean([np.sum(np.square(jax.jacobian(layer0)(x))) for x in X])
    np.testing.assert_allclose(objectives.contractive(f), exact, rtol=1e-5)
    model, p = _setup(("relu", "linear"))
    with pytest.raises(ValueError, match="contractive_hutchinson"):
        objectives.contractive(_forward(model, p))


def test_hutchinson_estimator_is_unbiased_for_any_encoder():
    model, p = _setup(("tanh", "relu"))
    encode = lambda x: model.apply({"params": p}, x, method="encode")  # noqa: E731
    exact = np.mean([np.sum(np.square(jax.jacobian(lambda v: encode(v[None])[0])(x))) for x in X])
    f = _forward(model, p)
    estimate = objectives.contractive_hutchinson(f, samples=4000)
    np.testing.assert_allclose(estimate, exact, rtol=0.04)
    one_probe = [float(objectives.contractive_hutchinson(_forward(model, p, rng=jax.random.PRNGKey(k)))) for k in range(3)]
    assert len(set(one_probe)) == 3  # a different probe per key


def test_weight_decay_is_the_sum_of_squared_kernels_without_biases():
    model, p = _setup()
    want = sum(np.sum(np.square(np.asarray(p[k]["kernel"]))) for k in p)
    np.testing.assert_allclose(objectives.weight_decay(_forward(model, p)), want, rtol=1e-6)


def test_objective_adds_weighted_regularisers_and_logs_each_term_by_name():
    model, p = _setup()
    plain = objectives.reconstruction(model, "cross_entropy")
    loss, aux = plain(p, X, KEY)
    np.testing.assert_allclose(loss, jnp.mean(losses.sigmoid_cross_entropy(model.apply({"params": p}, X), X)), rtol=1e-6)
    assert aux == {}

    @objectives.register("test_mean_code")
    def mean_code(f, *, scale=1.0):
        return scale * jnp.mean(f.outputs["code"])

    regs = {"kl_sparsity": {"weight": 0.5, "target": 0.2}, "code": {"weight": 2.0, "kind": "test_mean_code", "scale": 3.0}}
    loss, aux = objectives.reconstruction(model, "cross_entropy", regularizers=regs)(p, X, KEY)
    f = _forward(model, p)
    kl, code = objectives.kl_sparsity(f, target=0.2), 3.0 * jnp.mean(f.hidden[-1])
    np.testing.assert_allclose(aux["cross_entropy"], plain(p, X, KEY)[0], rtol=1e-6)
    np.testing.assert_allclose(aux["kl_sparsity"], kl, rtol=1e-6)
    np.testing.assert_allclose(aux["code"], code, rtol=1e-6)
    np.testing.assert_allclose(loss, aux["cross_entropy"] + 0.5 * kl + 2.0 * code, rtol=1e-6)


def test_bad_regulariser_and_objective_entries_are_named():
    model, _ = _setup()
    with pytest.raises(ValueError, match="unknown regularizer 'sparsity'.*kl_sparsity"):
        objectives.reconstruction(model, regularizers={"sparsity": {"weight": 1.0}})
    with pytest.raises(ValueError, match="regularizers.kl_sparsity needs a weight"):
        objectives.reconstruction(model, regularizers={"kl_sparsity": {"target": 0.1}})
    with pytest.raises(ValueError, match="regularizers.kl_sparsity takes no option 'rho'; it takes: target, layer"):
        objectives.reconstruction(model, regularizers={"kl_sparsity": {"weight": 1.0, "rho": 0.1}})
    with pytest.raises(ValueError, match="unknown objective 'elbow'.*elbo.*register_objective"):
        objectives.build(model, "elbow")
    with pytest.raises(ValueError, match="objective 'elbo' takes no option 'beta'; it takes: kl_weight, binarize"):
        objectives.build(model, "elbo", {"beta": 1.0})


def test_config_objective_by_name_and_loss_as_its_shorthand():
    from ml_collections import ConfigDict

    from aejax.config import base_config

    model, p = _setup()
    c = base_config()
    c.loss = "squared_error"
    c.model.output_activation = "linear"
    by_loss = objectives.from_config(model, c)(p, X, KEY)[0]
    c.objective = ConfigDict(dict(name="squared_error"))
    by_name = objectives.from_config(model, c)(p, X, KEY)[0]
    want = np.mean(0.5 * np.sum((np.asarray(model.apply({"params": p}, X)) - np.asarray(X)) ** 2, axis=1))
    np.testing.assert_allclose([by_loss, by_name], [want, want], rtol=1e-6)
    assert objectives.label(c) == "squared_error (per example)"


def _vae():
    model = VAE(features=6, hidden=(5,), latent=3)
    params = models.init(model, jax.random.PRNGKey(2), (6,))
    return model, params


def test_elbo_is_the_bernoulli_nll_at_a_drawn_z_plus_the_gaussian_kl():
    model, p = _vae()
    loss, aux = objectives.build(model, "elbo", {"kl_weight": 0.5})(p, X, KEY)
    # the same pass by hand: z drawn from the step's "noise" stream, NumPy for the rest
    out = model.apply({"params": p}, X, rngs={"noise": objectives.stream_key(KEY, "noise")})
    mean, log_var, logits = (np.asarray(out[k], np.float64) for k in ("mean", "log_var", "reconstruction"))
    x = np.asarray(X, np.float64)
    nll = np.mean(np.sum(np.logaddexp(0, logits) - x * logits, axis=1))
    kl = np.mean(0.5 * np.sum(np.exp(log_var) + mean**2 - 1 - log_var, axis=1))
    np.testing.assert_allclose([aux["reconstruction"], aux["kl"], loss], [nll, kl, nll + 0.5 * kl], rtol=1e-5)
    z = np.asarray(out["z"])
    assert not np.allclose(z, mean)  # a draw, not the mean


def test_a_schedule_over_the_step_reaches_weights_and_objective_options():
    model, p = _vae()
    warmup = {"schedule": "linear", "init_value": 0.0, "end_value": 1.0, "transition_steps": 10}
    loss = objectives.build(model, "elbo", {"kl_weight": warmup})
    for step, weight in ((0, 0.0), (5, 0.5), (10, 1.0), (50, 1.0)):
        value, aux = loss(p, X, KEY, step=step)
        np.testing.assert_allclose(value, aux["reconstruction"] + weight * aux["kl"], rtol=1e-6)
    model, p = _setup()
    regs = {"weight_decay": {"weight": {"schedule": "piecewise_constant", "init_value": 1.0, "boundaries_and_scales": {3: 0.0}}}}
    loss = objectives.reconstruction(model, regularizers=regs)
    on, aux = loss(p, X, KEY, step=2)
    off, _ = loss(p, X, KEY, step=3)
    np.testing.assert_allclose([on, off], [aux["cross_entropy"] + aux["weight_decay"], aux["cross_entropy"]], rtol=1e-6)


class _Noisy(nn.Module):
    """A stochastic test model: adds noise from "noise" and applies dropout from "dropout" in
    training; `streams` lists what it draws."""

    streams: tuple = ("noise", "dropout")

    @nn.compact
    def __call__(self, x, train: bool = False):
        h = nn.Dense(x.shape[-1], name="enc_0")(x)
        if "noise" in self.streams:
            h = h + jax.random.normal(self.make_rng("noise"), h.shape)
        if "other" in self.streams:
            h = h + jax.random.normal(self.make_rng("other"), h.shape)
        return nn.Dropout(0.5, deterministic=not train)(h) if "dropout" in self.streams else h

    def encode(self, x):
        return self(x)

    def reconstruct(self, x):
        return self(x)


def test_rng_streams_reach_every_apply_fresh_per_pass_and_step_and_fixed_in_evaluation():
    model = _Noisy()
    params = models.init(model, jax.random.PRNGKey(0), (6,))
    seen = []

    def two_passes(ctx, x):
        a, b = ctx.forward(x).outputs["reconstruction"], ctx.forward(x).outputs["reconstruction"]
        seen.append((a, b))
        return jnp.mean(a), {"gap": jnp.mean(jnp.abs(a - b))}

    loss = objectives.build(model, two_passes)
    first, aux = loss(params, X, KEY)
    assert float(aux["gap"]) > 0  # each pass draws new noise and a new dropout mask
    a, _ = seen[-1]
    assert np.mean(np.asarray(a) == 0) > 0.2  # dropout ran in training mode (train=True)
    second, _ = loss(params, X, jax.random.PRNGKey(10))
    assert float(first) != float(second)  # another step key, other draws
    np.testing.assert_array_equal(loss(params, X, KEY)[0], first)  # a pure function of the key
    e1, e2 = (np.asarray(eval_lib.reconstruct(model, params, X)) for _ in range(2))
    np.testing.assert_array_equal(e1, e2)  # evaluation: the fixed evaluation streams
    assert np.mean(e1 == 0) == 0  # and the model's default (no dropout)


def test_a_stream_the_model_is_not_given_is_a_one_line_error_naming_it():
    model = _Noisy(streams=("other",))
    params = models.init(model, jax.random.PRNGKey(0), (6,))
    with pytest.raises(ValueError, match=r"^model _Noisy draws from RNG stream 'other', which aejax does not give: "
                                         r"draw from one of \['noise', 'dropout', 'corruption'\]"):
        objectives.build(model, "squared_error")(params, X, KEY)
    with pytest.raises(ValueError, match="RNG stream 'other'"):
        eval_lib.reconstruct(model, params, X)


def test_context_from_the_task_reaches_the_objective_and_draws_its_own_batch():
    model, p = _setup()
    labelled = (jnp.arange(10.0)[:, None] * jnp.ones((1, 6)), jnp.arange(10))

    def semi(ctx, x, *, labelled, batch=4):
        idx = jax.random.randint(ctx.key("labelled"), (batch,), 0, labelled[1].shape[0])
        return jnp.mean(ctx.forward(x).outputs["reconstruction"]), {"labels": jnp.sum(labelled[1][idx]).astype(jnp.float32)}

    loss = objectives.build(model, semi, context={"labelled": labelled})
    sums = {float(loss(p, X, jax.random.PRNGKey(k))[1]["labels"]) for k in range(5)}
    assert len(sums) > 1  # a labelled batch drawn with the step's key
    with pytest.raises(ValueError, match="takes no option 'labels'"):
        objectives.build(model, semi, context={"labels": labelled})


class _Norm(nn.Module):
    @nn.compact
    def __call__(self, x, train: bool = False, shift: float = 0.0):
        return nn.BatchNorm(use_running_average=not train, momentum=0.5)(x + shift)


def test_passes_update_the_collections_in_order_unless_told_not_to():
    model = _Norm()
    variables = model.init(jax.random.PRNGKey(0), X)
    stats = {"batch_stats": variables["batch_stats"]}

    def passes(ctx, x, *, second_updates):
        ctx.forward(x)
        ctx.forward(x, shift=10.0, update=second_updates)
        return jnp.zeros(())

    def after(second_updates):
        loss = objectives.build(model, passes, context={"second_updates": second_updates})
        return loss.fn(variables["params"], X, KEY, step=jnp.int32(0), collections=stats)[2]["batch_stats"]["BatchNorm_0"]["mean"]

    mean = np.asarray(X).mean(0)
    np.testing.assert_allclose(after(False), 0.5 * mean, rtol=1e-5)  # the clean pass only (momentum 0.5)
    np.testing.assert_allclose(after(True), 0.5 * (0.5 * mean) + 0.5 * (mean + 10.0), rtol=1e-5)
