"""Objectives from parts: each regulariser against a hand / NumPy computation, the Hutchinson
estimator against the exact Jacobian norm, and the reconstruction objective's sum and aux."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from aejax import losses, models, objectives
from aejax.models.autoencoder import Autoencoder, init_params

X = jax.random.uniform(jax.random.PRNGKey(0), (8, 6))


def _forward(model, params, x=X, rng=jax.random.PRNGKey(9)):
    out, state = model.apply({"params": params}, x, mutable=["intermediates"])
    return objectives.Forward(model, params, x, x, out, models.hidden_activations(state["intermediates"]), rng)


def _setup(acts=("sigmoid", "sigmoid"), sizes=(6, 5, 3)):
    model = Autoencoder(sizes, activations=acts)
    return model, init_params(model, jax.random.PRNGKey(1))


def test_kl_sparsity_matches_numpy_on_the_chosen_layer():
    model, p = _setup()
    f = _forward(model, p)
    for layer in (0, -1):
        rho_hat = np.asarray(f.hidden[layer], np.float64).mean(0)
        want = np.sum(0.1 * np.log(0.1 / rho_hat) + 0.9 * np.log(0.9 / (1 - rho_hat)))
        np.testing.assert_allclose(objectives.kl_sparsity(f, target=0.1, layer=layer), want, rtol=1e-5)
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


def test_objective_adds_weighted_regularisers_and_reports_each_value():
    model, p = _setup()
    plain = objectives.reconstruction(model, "cross_entropy")
    loss, aux = plain(p, X, jax.random.PRNGKey(0))
    np.testing.assert_allclose(loss, jnp.mean(losses.sigmoid_cross_entropy(model.apply({"params": p}, X), X)), rtol=1e-6)
    assert aux == {}

    @objectives.register("test_mean_code")
    def mean_code(f, *, scale=1.0):
        return scale * jnp.mean(f.hidden[-1])

    regs = {"kl_sparsity": {"weight": 0.5, "target": 0.2}, "code": {"weight": 2.0, "kind": "test_mean_code", "scale": 3.0}}
    loss, aux = objectives.reconstruction(model, "cross_entropy", regularizers=regs)(p, X, jax.random.PRNGKey(0))
    f = _forward(model, p)
    kl, code = objectives.kl_sparsity(f, target=0.2), 3.0 * jnp.mean(f.hidden[-1])
    np.testing.assert_allclose(aux["reconstruction"], plain(p, X, None)[0], rtol=1e-6)
    np.testing.assert_allclose(aux["kl_sparsity"], kl, rtol=1e-6)
    np.testing.assert_allclose(aux["code"], code, rtol=1e-6)
    np.testing.assert_allclose(loss, aux["reconstruction"] + 0.5 * kl + 2.0 * code, rtol=1e-6)


def test_bad_regulariser_entries_are_named():
    model, _ = _setup()
    with pytest.raises(ValueError, match="unknown regularizer 'sparsity'.*kl_sparsity"):
        objectives.reconstruction(model, regularizers={"sparsity": {"weight": 1.0}})
    with pytest.raises(ValueError, match="regularizers.kl_sparsity needs a weight"):
        objectives.reconstruction(model, regularizers={"kl_sparsity": {"target": 0.1}})
