"""Evaluators by name on the bundled digits: SSE as eval.py computes it, the IWAE estimate against
a NumPy computation with the same draws (and above the ELBO), the linear probe and kNN against
scikit-learn on the raw pixels."""
import flax.linen as nn
import jax
import numpy as np
import pytest
from ml_collections import ConfigDict
from scipy.special import logsumexp

from aejax import config as config_lib, data, eval as eval_lib, evals, models
from aejax.models.vae import VAE
from aejax.train.state import TrainState


def _config():
    c = config_lib.base_config()
    c.data.name, c.data.test_split = "digits", "test[:40]"
    return c


def _state(params, collections=None):
    import optax

    return TrainState.create(params=params, tx=optax.sgd(0.1), rng=jax.random.PRNGKey(0), collections=collections)


def _vae():
    model = VAE(features=64, hidden=(8,), latent=2)
    return model, models.init(model, jax.random.PRNGKey(3), (64,))


def test_sse_is_the_mean_squared_error_of_the_reconstruction():
    model, p = _vae()
    (_, _, sse), = evals.build(ConfigDict(dict(_config(), evals=dict(test=dict(kind="sse")))), model)
    x = data.load("digits", "test[:40]").x
    assert sse(_state(p)) == {"sse_per_image": pytest.approx(eval_lib.sse_per_image(model, p, x))}


def test_iwae_estimate_is_the_log_mean_importance_weight_and_tops_the_elbo():
    model, p = _vae()
    x = data.load("digits", "test[:40]").x
    got = evals.iwae(_config(), model, samples=100, batch_size=7)(_state(p))["log_likelihood"]
    mean, log_var = (np.asarray(a, np.float64) for a in model.apply({"params": p}, x, method="posterior"))
    keys = jax.random.split(jax.random.PRNGKey(2), len(x))  # seed 0 + 2: the evaluator's per-example keys
    estimates = []
    for i in range(len(x)):
        eps = np.asarray(jax.random.normal(keys[i], (100, 2)), np.float64)
        z = mean[i] + np.exp(0.5 * log_var[i]) * eps
        logits = np.asarray(model.apply({"params": p}, z.astype(np.float32), method="decode"), np.float64)
        log_px = np.sum(x[i] * logits - np.logaddexp(0, logits), axis=1)
        log_pz = -0.5 * np.sum(z**2 + np.log(2 * np.pi), axis=1)
        log_qz = -0.5 * np.sum(eps**2 + np.log(2 * np.pi) + log_var[i], axis=1)
        estimates.append(logsumexp(log_px + log_pz - log_qz) - np.log(100))
    assert got == pytest.approx(np.mean(estimates), rel=1e-5)
    assert evals.iwae(_config(), model, samples=100, batch_size=40)(_state(p))["log_likelihood"] == pytest.approx(got, rel=1e-6)
    bound = evals.elbo(_config(), model, samples=100)(_state(p))
    assert bound["elbo"] == pytest.approx(-bound["reconstruction"] - bound["kl"]) and bound["kl"] > 0
    assert got > bound["elbo"] + 0.1  # Burda et al.'s bound is tighter than the ELBO


class _Pixels(nn.Module):
    """A stand-in whose codes are the pixels."""

    @nn.compact
    def __call__(self, x):
        return x + 0 * self.param("b", nn.initializers.zeros_init(), (1,))

    def encode(self, x):
        return self(x)


def test_linear_probe_and_knn_match_scikit_learn_on_the_same_codes():
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    c = _config()
    c.data.test_split = "test"
    train, test = data.load("digits", "train"), data.load("digits", "test")
    state = _state({"b": np.zeros(1, np.float32)})
    probe = evals.linear_probe(c, _Pixels(), steps=300)(state)
    mean, std = train.x.mean(0), np.where(train.x.std(0) > 1e-6, train.x.std(0), 1.0)
    reference = LogisticRegression(max_iter=2000).fit((train.x - mean) / std, train.y)
    sklearn_error = 100 * np.mean(reference.predict((test.x - mean) / std) != test.y)
    assert abs(probe["test_error"] - sklearn_error) < 3.0  # both about 9 % on this split
    assert probe["train_error"] <= probe["test_error"]
    knn = evals.knn(c, _Pixels(), k=5)(state)
    want = 100 * np.mean(KNeighborsClassifier(5).fit(train.x, train.y).predict(test.x) != test.y)
    assert knn["test_error"] == pytest.approx(want, abs=100 / len(test.y))  # a tie may break the other way


def test_evaluator_entries_are_named_and_bad_ones_say_what_to_do():
    model, p = _vae()
    c = _config()
    c.evals = ConfigDict(dict(late=dict(kind="sse", every_epochs=3), end=dict(kind="elbo")))
    built = evals.build(c, model)
    assert [(e, every) for e, every, _ in built] == [("end", 0), ("late", 3)]  # ConfigDict keys are sorted
    assert set(evals.run(built, _state(p), epoch=6)) == {"late/sse_per_image"}
    assert evals.run(built, _state(p), epoch=4) == {}
    assert set(evals.run(built, _state(p))) == {"late/sse_per_image", "end/elbo", "end/reconstruction", "end/kl"}
    c.evals = ConfigDict(dict(probe=dict(kind="lineal_probe")))
    with pytest.raises(ValueError, match="unknown evaluator 'lineal_probe'.*linear_probe"):
        evals.build(c, model)
    c.evals = ConfigDict(dict(probe=dict(every_epochs=-1)))
    with pytest.raises(ValueError, match="evals.probe must be a mapping .*every_epochs"):
        config_lib.validate(c)
