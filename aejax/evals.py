"""Evaluators by name (big_vision's `evals`): numbers computed from the trained state.

`config.evals.<entry> = {kind (default: the entry's name), every_epochs (0: only after training),
**options}` runs evaluator `kind` on the state after training and, with every_epochs = N > 0,
after every N-th epoch. Its numbers are logged to metrics.jsonl as "<entry>/<name>" and, after
training, added to the run's metrics (results.json, report.md). An evaluator is a factory that
loads what it needs once and returns the function the trainer calls:

    @aejax.evals.register("my_probe")
    def my_probe(config, model, *, split="test[:1000]"):
        test = aejax.data.load(config.data.name, split, data_dir=config.data.data_dir)
        def evaluate(state):                   # a TrainState: params, collections
            codes = aejax.eval.encode(model, state.params, test.x, collections=state.collections)
            return {"mean_code": float(codes.mean())}
        return evaluate

Built-ins: "sse" (reconstruction SSE per example), "elbo" and "iwae" (a VAE's evidence lower
bound and Burda et al.'s importance-weighted estimate of log p(x)), "linear_probe" (softmax
regression on the codes), "knn" (k-nearest-neighbour accuracy of the codes) and
"classification_error" (of a model that classifies, e.g. the ladder network). Splits default to
config.data.test_split (and train_split where a classifier is fitted). Each evaluator draws from
its own fixed key (`seed`), so its numbers are a function of the state.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax

from aejax import data, eval as eval_lib, losses
from aejax.names import lookup, registrar
from aejax.train.steps import batched_map

Evaluate = Callable[..., dict]
EVALUATORS: dict[str, Callable[..., Evaluate]] = {}
register = registrar(EVALUATORS)  # @register(name) on `fn(config, model, **options) -> evaluate(state) -> {name: float}`


def get(name: str) -> Callable[..., Evaluate]:
    return lookup(EVALUATORS, name, "evaluator", "config.evals", "aejax.evals.register")


def build(config, model) -> list[tuple[str, int, Evaluate]]:
    """(entry, every_epochs, evaluate) of each entry of config.evals."""
    out = []
    for entry, spec in (config.get("evals") or {}).items():
        options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in dict(spec.items()).items()
                   if k not in ("kind", "every_epochs")}
        factory = get(spec.get("kind", entry))
        try:
            evaluate = factory(config, model, **options)
        except TypeError as err:
            raise ValueError(f"evals.{entry}: {err}; see aejax.evals.{factory.__name__}") from None
        out.append((entry, int(spec.get("every_epochs", 0)), evaluate))
    return out


def run(evaluators, state, epoch: int | None = None) -> dict:
    """{"<entry>/<name>": value} of the evaluators due at `epoch` (None: all of them)."""
    numbers = {}
    for entry, every, evaluate in evaluators:
        if epoch is None or (every and epoch % every == 0):
            numbers.update({f"{entry}/{k}": float(v) for k, v in evaluate(state).items()})
    return numbers


@functools.lru_cache(maxsize=16)
def _load(name: str, split: str, data_dir: str | None) -> data.Split:
    return data.load(name, split, data_dir=data_dir)


def _split(config, split: str | None, default: str = "test_split") -> data.Split:
    return _load(config.data.name, split or config.data[default], config.data.get("data_dir"))


def _binarized(x: np.ndarray, seed: int) -> jax.Array:
    """x ~ Bernoulli(x), drawn once with PRNGKey(seed): a fixed binarisation of a split."""
    return jax.random.bernoulli(jax.random.PRNGKey(seed), jnp.asarray(x)).astype(jnp.float32)


@register("sse")
def sse(config, model, *, split: str | None = None, batch_size: int = 1000) -> Evaluate:
    """Mean over the split's examples of the summed squared error of the reconstruction
    (Hinton & Salakhutdinov's metric): {"sse_per_image"}."""
    x = jnp.asarray(_split(config, split).x)

    def evaluate(state):
        return {"sse_per_image": eval_lib.sse_per_image(model, state.params, x, batch_size=batch_size,
                                                        collections=state.collections)}

    return evaluate


def _log_weights(model, variables, x, keys, samples: int) -> tuple[jax.Array, jax.Array]:
    """(log p(x | z_s), log p(z_s) - log q(z_s | x)), each [S, B], for z_s ~ q(z | x) with eps
    from each example's key: Bernoulli decoder, N(0, I) prior, the model's
    `posterior(x) -> (mean, log_var)` and `decode(z) -> logits`."""
    mean, log_var = eval_lib.apply(model, variables, x, method="posterior")
    mean, log_var = mean.astype(jnp.float32), log_var.astype(jnp.float32)
    eps = jax.vmap(lambda k: jax.random.normal(k, (samples, mean.shape[-1])), out_axes=1)(keys)  # [S, B, Z]
    z = mean + jnp.exp(0.5 * log_var) * eps
    logits = eval_lib.apply(model, variables, z.reshape(-1, z.shape[-1]), method="decode").astype(jnp.float32)
    flat_x = x.reshape(x.shape[0], -1)
    log_px = -losses.sigmoid_cross_entropy(logits.reshape(samples, x.shape[0], -1), flat_x)
    log_pz = -0.5 * jnp.sum(jnp.square(z) + math.log(2 * math.pi), axis=-1)
    log_qz = -0.5 * jnp.sum(jnp.square(eps) + math.log(2 * math.pi) + log_var, axis=-1)
    return log_px, log_pz - log_qz


@register("elbo")
def elbo(config, model, *, split: str | None = None, samples: int = 1, batch_size: int = 1000, binarize: bool = False,
         seed: int = 0) -> Evaluate:
    """A VAE's evidence lower bound in nats per example, averaged over the split:
    {"elbo", "reconstruction" (E_q -log p(x | z) over `samples` draws of z), "kl" (KL(q || N(0, I)),
    closed form)}; binarize: the split binarised once (x ~ Bernoulli(x), key `seed`). Needs the
    model's `posterior(x) -> (mean, log_var)` and `decode(z) -> logits` (model "vae")."""
    x = _split(config, split).x
    x = _binarized(x, seed) if binarize else jnp.asarray(x)
    keys = jax.random.split(jax.random.PRNGKey(seed + 1), x.shape[0])

    def per_batch(variables, b):
        mean, log_var = eval_lib.apply(model, variables, b["x"], method="posterior")
        kl = 0.5 * jnp.sum(jnp.exp(log_var) + jnp.square(mean) - 1.0 - log_var, axis=-1).astype(jnp.float32)
        log_px, _ = _log_weights(model, variables, b["x"], b["key"], samples)
        return {"reconstruction": -jnp.mean(log_px, axis=0), "kl": kl}

    program = jax.jit(lambda v, d: batched_map(lambda b: per_batch(v, b), d, batch_size))

    def evaluate(state):
        out = program(eval_lib.variables(state.params, state.collections), {"x": x, "key": keys})
        reconstruction, kl = float(jnp.mean(out["reconstruction"])), float(jnp.mean(out["kl"]))
        return {"elbo": -reconstruction - kl, "reconstruction": reconstruction, "kl": kl}

    return evaluate


@register("iwae")
def iwae(config, model, *, split: str | None = None, samples: int = 5000, batch_size: int = 10, binarize: bool = False,
         seed: int = 0) -> Evaluate:
    """Burda et al.'s (2016) importance-weighted estimate of log p(x) in nats, averaged over the
    split: log (1/k) sum_s p(x, z_s) / q(z_s | x), k = `samples` draws per example (k = 5000 is
    their test log-likelihood; it is a lower bound that tightens with k): {"log_likelihood"}.
    `batch_size` examples at a time (memory: batch_size * samples decoder outputs); each example
    draws from its own key, so the number does not depend on the batch size."""
    x = _split(config, split).x
    x = _binarized(x, seed) if binarize else jnp.asarray(x)
    keys = jax.random.split(jax.random.PRNGKey(seed + 2), x.shape[0])

    def per_batch(variables, b):
        log_px, log_prior_ratio = _log_weights(model, variables, b["x"], b["key"], samples)
        return jax.nn.logsumexp(log_px + log_prior_ratio, axis=0) - math.log(samples)

    program = jax.jit(lambda v, d: batched_map(lambda b: per_batch(v, b), d, batch_size))

    def evaluate(state):
        return {"log_likelihood": float(jnp.mean(program(eval_lib.variables(state.params, state.collections),
                                                          {"x": x, "key": keys})))}

    return evaluate


def _codes(model, state, x, batch_size: int) -> jax.Array:
    codes = eval_lib.encode(model, state.params, x, batch_size=batch_size, collections=state.collections)
    return codes.reshape(codes.shape[0], -1).astype(jnp.float32)


@functools.partial(jax.jit, static_argnames=("classes", "steps"))
def _softmax_regression(features, labels, *, classes: int, steps: int, learning_rate: float, l2: float):
    """Weights [F, C] and bias [C] of multinomial logistic regression on standardised features
    [N, F], full-batch Adam for `steps` steps (cosine-decayed rate) with an l2 penalty."""
    tx = optax.adam(optax.cosine_decay_schedule(learning_rate, steps))
    params = {"w": jnp.zeros((features.shape[1], classes)), "b": jnp.zeros(classes)}

    targets = jax.nn.one_hot(labels, classes)

    def loss(p):
        logits = features @ p["w"] + p["b"]
        return jnp.mean(optax.softmax_cross_entropy(logits, targets)) + l2 * jnp.sum(jnp.square(p["w"]))

    def step(carry, _):
        p, opt = carry
        updates, opt = tx.update(jax.grad(loss)(p), opt, p)
        return (optax.apply_updates(p, updates), opt), None

    (params, _), _ = jax.lax.scan(step, (params, tx.init(params)), None, length=steps)
    return params


@register("linear_probe")
def linear_probe(config, model, *, train_split: str | None = None, test_split: str | None = None, steps: int = 500,
                 learning_rate: float = 0.05, l2: float = 1e-4, batch_size: int = 1000) -> Evaluate:
    """Softmax regression fitted on the codes of `train_split` (standardised with their mean and
    standard deviation per unit), full-batch Adam; classification error in % on both splits:
    {"test_error", "train_error"}."""
    train, test = _split(config, train_split, "train_split"), _split(config, test_split)
    classes = int(max(train.y.max(), test.y.max())) + 1

    def evaluate(state):
        z_train, z_test = _codes(model, state, train.x, batch_size), _codes(model, state, test.x, batch_size)
        mean, std = jnp.mean(z_train, axis=0), jnp.std(z_train, axis=0)
        std = jnp.where(std > 1e-6, std, 1.0)  # constant features are left unscaled (as scikit-learn does)
        z_train, z_test = (z_train - mean) / std, (z_test - mean) / std
        p = _softmax_regression(z_train, jnp.asarray(train.y), classes=classes, steps=steps, learning_rate=learning_rate, l2=l2)
        error = lambda z, y: 100.0 * float(jnp.mean(jnp.argmax(z @ p["w"] + p["b"], -1) != jnp.asarray(y)))  # noqa: E731
        return {"test_error": error(z_test, test.y), "train_error": error(z_train, train.y)}

    return evaluate


@register("knn")
def knn(config, model, *, k: int = 5, train_split: str | None = None, test_split: str | None = None,
        batch_size: int = 1000) -> Evaluate:
    """k-nearest-neighbour classification (Euclidean, majority vote, ties to the lower class) of
    the test codes among the training codes: {"test_error"} in %."""
    train, test = _split(config, train_split, "train_split"), _split(config, test_split)
    classes = int(max(train.y.max(), test.y.max())) + 1
    one_hot = jax.nn.one_hot(jnp.asarray(train.y), classes)

    @jax.jit
    def predict(z_train, z_test):
        sq = jnp.sum(jnp.square(z_train), axis=1)

        def per_batch(q):
            _, idx = jax.lax.top_k(2.0 * q @ z_train.T - sq, k)  # max of -|q - z|^2 + |q|^2
            return jnp.argmax(jnp.sum(one_hot[idx], axis=1), axis=-1)

        return batched_map(per_batch, z_test, batch_size)

    def evaluate(state):
        z_train, z_test = _codes(model, state, train.x, batch_size), _codes(model, state, test.x, batch_size)
        return {"test_error": 100.0 * float(jnp.mean(predict(z_train, z_test) != jnp.asarray(test.y)))}

    return evaluate


@register("classification_error")
def classification_error(config, model, *, split: str | None = None, method: str = "classify",
                         batch_size: int = 1000) -> Evaluate:
    """Error in % of the class logits of the model's `method` (evaluation mode: running averages)
    on the split's labels: {"error"}."""
    test = _split(config, split)
    x, y = jnp.asarray(test.x), jnp.asarray(test.y)
    program = jax.jit(lambda v, xs: batched_map(lambda b: jnp.argmax(eval_lib.apply(model, v, b, method=method), -1), xs,
                                                batch_size))

    def evaluate(state):
        return {"error": 100.0 * float(jnp.mean(program(eval_lib.variables(state.params, state.collections), x) != y))}

    return evaluate
