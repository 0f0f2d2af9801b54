"""Objectives and regularisers by name: what a train step minimises.

Objectives. `config.objective = {name, **options}` picks a registered objective; without it,
`config.loss` names one of the three reconstruction losses ("cross_entropy", "squared_error",
"softmax_cross_entropy"), built-in objectives of the same registry. An objective is a pure
function called inside the jitted step:

    @aejax.objectives.register_objective("my_elbo", label="negative ELBO (nats per example)")
    def my_elbo(ctx, x, *, beta=1.0):
        out = ctx.forward(x).outputs                 # {"reconstruction", "mean", "log_var", ...}
        nll = jnp.mean(aejax.losses.sigmoid_cross_entropy(out["reconstruction"], x))
        kl = jnp.mean(gaussian_kl(out["mean"], out["log_var"]))
        return nll + beta * kl, {"nll": nll, "kl": kl}

It receives `ctx` (a `Context`: the model, params, step, RNG streams, mutable collections and
`forward`), the batch (the pytree the trainer's data holds, e.g. x [B, ...]) and its options as
keywords, and returns the loss (a scalar) or (loss, {term: scalar}). Any option may be a schedule
over the step (`aejax.schedules`): the objective receives its value at `ctx.step`. The step logs
"loss" and every term under its name (metrics.jsonl, curves, report.md); with regularisers, an
objective that returns no terms is logged under its own name too.

Regularisers. `config.regularizers.<entry> = {weight, kind (default: the entry's name), **options}`
adds weight * kind(f, **options) to any objective, where `f` is the objective's first
`ctx.forward` pass (a `Forward`); weight and options may be schedules:

    @aejax.objectives.register("my_penalty")
    def my_penalty(f, *, scale=1.0):
        return scale * jnp.mean(jnp.square(f.outputs["code"]))

Forward passes. `ctx.forward(x, corrupt=True, method=None, update=True, **kwargs)` runs the model
once: on `ctx.corrupt(x)` (config.corruption, drawn from the "corruption" stream; x when there is
none), with the RNG streams "noise", "dropout" and "corruption" (fresh keys on every pass),
train=True when the model's method takes `train`, the step's value of every scheduled model option
(`__call__` only), `kwargs`, and the model's mutable collections (e.g. "batch_stats"), whose update
it keeps in `ctx.collections` for the next pass and the next state (update=False: read only). It
returns a `Forward` whose `outputs` is a dict of named arrays (`aejax.models.named_outputs`; an
array returned by another method than `__call__` is "output"). An objective may run several passes
and call other methods of the model (a clean and a corrupted pass sharing the parameters, then a
decoder); each pass draws new keys. `ctx.key(name)` draws a key of any stream for the objective
itself. Evaluation (`aejax.eval`, `aejax.evals`) calls the model's methods with their defaults
(train=False: running averages) and fixed keys.

Keys. The step's key is the "corruption" stream's (the key denoising runs always used); stream s is
fold_in(key, crc32(s)); the n-th draw of a stream in a step (n > 0) is fold_in(its key, n).

Context from the task. Keywords the task passes to `from_config(model, config, **context)`
(e.g. `train_autoencoder(..., context={"labelled": (x [L, ...], y [L])})`) reach the objective
on every step beside its options, as constants of the compiled step. A semi-supervised objective
draws its labelled batch with its own key:

    @aejax.objectives.register_objective("two_pass")
    def two_pass(ctx, x, *, labelled, labelled_batch=100, noise=0.3, weight=1.0):
        clean = ctx.forward(x, corrupt=False).outputs                # updates e.g. batch_stats
        noisy = ctx.forward(x, corrupt=False, update=False, noise=noise).outputs  # draws "noise"
        denoise = jnp.mean(jnp.square(noisy["code"] - jax.lax.stop_gradient(clean["code"])))
        idx = jax.random.randint(ctx.key("labelled"), (labelled_batch,), 0, labelled[1].shape[0])
        logits = ctx.forward(labelled[0][idx], corrupt=False, method="classify").outputs["output"]
        ce = jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, labelled[1][idx]))
        return ce + weight * denoise, {"cross_entropy": ce, "denoise": denoise}

Labels carried in the batch work too: give the trainer a dict of arrays {"x": ..., "y": ...} (the
epoch permutes them together) and read batch["x"], batch["y"].
"""
from __future__ import annotations

import dataclasses
import inspect
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp

from aejax import losses, models, schedules
from aejax.names import OUTPUT_ACTIVATION, load_deferred, lookup, registrar
from aejax.train.steps import Loss

EPS = 1e-6


def stream_key(key: jax.Array, stream: str) -> jax.Array:
    """The key of `stream` in a step whose key is `key`: `key` itself for "corruption",
    fold_in(key, crc32(stream)) for any other."""
    return key if stream == "corruption" else jax.random.fold_in(key, zlib.crc32(stream.encode()) & 0x7FFFFFFF)


@dataclasses.dataclass(frozen=True)
class Forward:
    """One pass of the model on a batch, as objectives and regularisers see it.

    model, params, collections: what the pass read; inputs: the batch the model read [B, ...]
    (corrupted, for a DAE); target: the clean batch; outputs: {name: [B, ...]}, see
    `aejax.models.named_outputs` ("reconstruction": the output before the output activation,
    "code", "hidden_i", and whatever the model returns); rng: a key for stochastic estimators.
    """

    model: Any
    params: Any
    collections: dict
    inputs: jax.Array
    target: jax.Array
    outputs: dict
    rng: jax.Array

    @property
    def hidden(self) -> tuple[jax.Array, ...]:
        """The sown encoder layer outputs hidden_0, hidden_1, ... in order."""
        return tuple(self.outputs[f"hidden_{i}"] for i in range(sum(k.startswith("hidden_") for k in self.outputs)))

    @property
    def variables(self) -> dict:
        return {"params": self.params, **self.collections}


class Context:
    """What one train step gives an objective: `model`, `params`, `step` (int32 scalar: steps
    taken before this one), `collections` (the model's mutable collections, as the latest pass
    left them), `key(stream)`, `corrupt(x)` and `forward(x, ...)`. Made afresh inside each traced
    step; its draws and passes are the step's."""

    def __init__(self, model, params, collections: dict, rng: jax.Array, step, *, corrupt=None,
                 model_options: Mapping | None = None):
        self.model, self.params, self.collections, self.step = model, params, dict(collections), step
        self._rng, self._corrupt, self._model_options = rng, corrupt, dict(model_options or {})
        self._draws: dict[str, int] = {}
        self.first: Forward | None = None

    def key(self, stream: str) -> jax.Array:
        """A fresh key of `stream` (each call draws the next)."""
        n = self._draws.get(stream, 0)
        self._draws[stream] = n + 1
        base = stream_key(self._rng, stream)
        return base if n == 0 else jax.random.fold_in(base, n)

    def corrupt(self, x: jax.Array) -> jax.Array:
        """x [B, ...] with config.corruption applied to its flattened examples; x without one."""
        if self._corrupt is None:
            return x
        return self._corrupt(self.key("corruption"), x.reshape(x.shape[0], -1)).reshape(x.shape)

    def forward(self, x, *, corrupt: bool = True, method: str | None = None, update: bool = True, **kwargs) -> Forward:
        """One pass of the model (see the module docstring) on x; returns its `Forward`. With
        update=False the pass reads the collections but its update of them is dropped (e.g. a
        corrupted pass that must not move batch norm's running averages)."""
        inputs = self.corrupt(x) if corrupt else x
        rngs = {s: self.key(s) for s in models.STREAMS}
        if method is None:
            kwargs = {**{k: schedules.make(v)(self.step) for k, v in self._model_options.items()}, **kwargs}
        if "train" not in kwargs and models.takes(self.model, "train", method):
            kwargs["train"] = True
        variables = {"params": self.params, **self.collections}
        out, updated = models.apply(self.model, variables, inputs, rngs=rngs, method=method,
                                    mutable=["intermediates", *self.collections], **kwargs)
        read = self.collections
        if update:
            self.collections = models.mutable_collections(dict(updated))
        f = Forward(self.model, self.params, read, inputs, x,
                    models.named_outputs(out, updated.get("intermediates"), method), self.key("regularizers"))
        if self.first is None:
            self.first = f
        return f


Objective = Callable[..., "jax.Array | tuple[jax.Array, dict]"]
OBJECTIVES: dict[str, Objective] = {}
LABELS: dict[str, str] = {}


def register_objective(name: str, label: str | None = None):
    """@register_objective(name) on `fn(ctx, batch, **options) -> loss or (loss, terms)`;
    `label` names the loss in curves (default: the name)."""

    def decorate(fn):
        OBJECTIVES[name], LABELS[name] = fn, label or name
        return fn

    return decorate


def get_objective(name: str) -> Objective:
    return lookup(OBJECTIVES, name, "objective", "config.objective.name", "aejax.objectives.register_objective")


def _flat(h: jax.Array) -> jax.Array:
    return h.reshape(h.shape[0], -1).astype(jnp.float32)


def _per_example_objective(per_example: Callable[[jax.Array, jax.Array], jax.Array]) -> Objective:
    def objective(ctx: Context, x):
        logits = ctx.forward(x).outputs["reconstruction"]
        return jnp.mean(per_example(_flat(logits), x.reshape(x.shape[0], -1)))

    objective.__doc__ = f"Mean over examples of {per_example.__name__}(output logits, clean x), examples flattened."
    return objective


for _name, _fn in losses.OBJECTIVES.items():
    register_objective(_name, f"{_name} (per example)")(_per_example_objective(_fn))


def gaussian_kl(mean: jax.Array, log_var: jax.Array) -> jax.Array:
    """KL(N(mean, exp(log_var)) || N(0, I)) per example, summed over latent units: [B, Z] -> [B]."""
    mean, log_var = _flat(mean), _flat(log_var)
    return 0.5 * jnp.sum(jnp.exp(log_var) + jnp.square(mean) - 1.0 - log_var, axis=-1)


@register_objective("elbo", "negative ELBO (nats per example)")
def elbo(ctx: Context, x, *, kl_weight: float = 1.0, binarize: bool = False):
    """Negative evidence lower bound of a VAE with a Bernoulli decoder (Kingma & Welling 2014,
    eq. 10), one z per example: reconstruction = -log p(x | z) (sigmoid cross-entropy of the
    decoder's logits at z ~ q(z | x), which the model draws from stream "noise"), plus
    kl_weight * KL(q(z | x) || N(0, I)) from the model's `mean` and `log_var`; nats per example.
    kl_weight < 1 early in training is a KL warm-up (a schedule). binarize: inputs and targets
    x ~ Bernoulli(x), drawn afresh each step from stream "binarize" (dynamic binarisation)."""
    if binarize:
        x = jax.random.bernoulli(ctx.key("binarize"), x).astype(x.dtype)
    out = ctx.forward(x).outputs
    reconstruction = jnp.mean(losses.sigmoid_cross_entropy(_flat(out["reconstruction"]), _flat(x)))
    kl = jnp.mean(gaussian_kl(out["mean"], out["log_var"]))
    return reconstruction + kl_weight * kl, {"reconstruction": reconstruction, "kl": kl}


Regularizer = Callable[..., jax.Array]
REGULARIZERS: dict[str, Regularizer] = {}
register = registrar(REGULARIZERS)  # @register(name) on `fn(f: Forward, **options) -> scalar`


def get(name: str) -> Regularizer:
    return lookup(REGULARIZERS, name, "regularizer", "config.regularizers", "aejax.objectives.register")


def _layer(f: Forward, layer: int | str) -> jax.Array:
    return f.outputs[layer] if isinstance(layer, str) else f.hidden[layer]


@register("kl_sparsity")
def kl_sparsity(f: Forward, *, target: float = 0.05, layer: int | str = "code") -> jax.Array:
    """sum_j KL(target || mean activation of unit j over the batch) for output `layer` (a name,
    or the index of a hidden_i; default the code), whose units must lie in (0, 1) (logistic)."""
    rho = jnp.clip(jnp.mean(_flat(_layer(f, layer)), axis=0), EPS, 1 - EPS)
    return jnp.sum(target * jnp.log(target / rho) + (1 - target) * jnp.log((1 - target) / (1 - rho)))


@register("l1_activity")
def l1_activity(f: Forward, *, layers: tuple = ()) -> jax.Array:
    """Mean over examples of the summed |activation| of the output `layers` (names or hidden_i
    indices; default: every hidden_i)."""
    chosen = [_layer(f, i) for i in layers] if layers else f.hidden
    return sum(jnp.mean(jnp.sum(jnp.abs(_flat(h)), axis=-1)) for h in chosen)


@register("contractive")
def contractive(f: Forward, *, layer: int = 0) -> jax.Array:
    """Closed form of the contractive penalty (Rifai et al. 2011) of the logistic dense layer
    `enc_<layer>`: mean over examples of ||d h / d input||_F^2 = sum_j (h_j (1 - h_j))^2 sum_i W_ij^2."""
    acts = getattr(f.model, "activations", None)
    if acts is None or acts[layer] not in ("sigmoid", "logistic"):
        raise ValueError(f"regularizer 'contractive' is the closed form for a logistic dense layer enc_{layer}; this model's "
                         f"activations are {acts}: use kind 'contractive_hutchinson' for any encoder")
    h = _flat(f.hidden[layer])
    kernel = f.params[f"enc_{layer}"]["kernel"]
    return jnp.mean(jnp.sum(jnp.square(h * (1 - h)) * jnp.sum(jnp.square(kernel), axis=0), axis=-1))


@register("contractive_hutchinson")
def contractive_hutchinson(f: Forward, *, samples: int = 1) -> jax.Array:
    """Unbiased estimate of the mean over examples of ||d code / d input||_F^2 for any encoder:
    E_v ||J v||^2 with Rademacher probes v (E[v v^T] = I), one jvp per probe."""
    encode = lambda x: f.model.apply(f.variables, x, method="encode")  # noqa: E731
    probes = jax.random.rademacher(f.rng, (samples,) + f.inputs.shape, f.inputs.dtype)
    jv = jax.vmap(lambda v: jax.jvp(encode, (f.inputs,), (v,))[1])(probes)
    return jnp.mean(jnp.sum(jnp.square(jv.reshape(samples, f.inputs.shape[0], -1).astype(jnp.float32)), axis=-1))


@register("weight_decay")
def weight_decay(f: Forward) -> jax.Array:
    """Sum of the squares of every kernel (biases excluded)."""
    leaves = jax.tree_util.tree_flatten_with_path(f.params)[0]
    return sum(jnp.sum(jnp.square(leaf)) for path, leaf in leaves if getattr(path[-1], "key", None) == "kernel")


def _plain(value):
    return tuple(value) if isinstance(value, list) else value


def _options(spec: Mapping, skip: tuple[str, ...]) -> dict:
    return {k: _plain(v) for k, v in dict(spec.items()).items() if k not in skip}


def _check_keywords(fn: Callable, given, what: str, first: int) -> None:
    """A keyword `fn` does not take is an error naming it and those it takes."""
    params = list(inspect.signature(fn).parameters.values())[first:]
    if any(p.kind == p.VAR_KEYWORD for p in params):
        return
    unknown = sorted(set(given) - {p.name for p in params})
    if unknown:
        raise ValueError(f"{what} takes no option {', '.join(map(repr, unknown))}; it takes: "
                         f"{', '.join(p.name for p in params) or 'none'}")


def _terms(regularizers: Mapping | None) -> list[tuple[str, Regularizer, Any, dict]]:
    """(entry name, function, weight, options) of each entry of config.regularizers."""
    terms = []
    for name, spec in (regularizers or {}).items():
        if "weight" not in spec:
            raise ValueError(f"regularizers.{name} needs a weight (e.g. --config.regularizers.{name}.weight=0.1)")
        fn = get(spec.get("kind", name))
        options = _options(spec, ("weight", "kind"))
        _check_keywords(fn, options, f"regularizers.{name}", 1)
        terms.append((name, fn, spec["weight"], options))
    return terms


def build(model, name: str | Objective = "cross_entropy", options: Mapping | None = None, *, corrupt=None,
          regularizers: Mapping | None = None, model_options: Mapping | None = None, context: Mapping | None = None) -> Loss:
    """The engine's `Loss` of objective `name` (or a function `fn(ctx, batch, **options)`) with
    `options` (numbers or schedules), input corruption `corrupt(rng, x)`, the weighted
    `regularizers` (config.regularizers), the scheduled `model_options` ({key: schedule} of
    config.model, passed to the model's __call__) and the task's `context` keywords."""
    objective = get_objective(name) if isinstance(name, str) else name
    label = name if isinstance(name, str) else getattr(objective, "__name__", "objective")
    options, context = dict(options or {}), dict(context or {})
    _check_keywords(objective, {**options, **context}, f"objective {label!r}", 2)
    for key in model_options or {}:
        if not models.takes(model, key):
            raise ValueError(f"model.{key} is a schedule, but {type(model).__name__}.__call__ takes no argument {key!r}; "
                             "a model option that follows the step must be a keyword of __call__")
    terms = _terms(regularizers)

    def fn(params, batch, rng, *, step, collections):
        ctx = Context(model, params, collections, rng, step, corrupt=corrupt, model_options=model_options)
        result = objective(ctx, batch, **schedules.resolve(options, step, "objective."), **context)
        value, aux = result if isinstance(result, tuple) else (result, {})
        if terms:
            if ctx.first is None:
                raise ValueError(f"objective {label!r} ran no ctx.forward pass, so regularizers have nothing to read")
            values = {n: reg(ctx.first, **schedules.resolve(o, step, f"regularizers.{n}.")) for n, reg, _, o in terms}
            weights = {n: schedules.make(w, f"regularizers.{n}.weight")(step) for n, _, w, _ in terms}
            aux = {**(aux or {label: value}), **values}
            value = value + sum(weights[n] * values[n] for n in values)
        return value, aux, ctx.collections

    return Loss(fn)


def reconstruction(model, loss: str | Callable = "cross_entropy", *, corrupt=None, regularizers: Mapping | None = None) -> Loss:
    """The `Loss` of reconstruction loss `loss` (a name of `aejax.losses`, or
    `fn(logits [B, D], target [B, D]) -> [B]`) between the model's logits and the clean batch,
    plus the weighted `regularizers`."""
    return build(model, loss if isinstance(loss, str) else _per_example_objective(loss), corrupt=corrupt,
                 regularizers=regularizers)


def spec(config) -> dict:
    """{name, **options} of `config.objective`, or {name: config.loss} without one."""
    objective = config.get("objective")
    if objective is None:
        return {"name": config.get("loss", "cross_entropy")}
    return dict(objective.items()) if hasattr(objective, "items") else {"name": objective}


def label(config) -> str:
    """What the objective of `config` calls its loss in curves."""
    name = spec(config)["name"]
    load_deferred()
    return LABELS.get(name, name)


def check_output_matches_loss(model_cfg, loss: str) -> None:
    """A model whose config names its `output_activation` must have the one `loss` reads."""
    want, have = OUTPUT_ACTIVATION.get(loss), model_cfg.get("output_activation")
    if want is not None and have is not None and have != want:
        raise ValueError(f"model.output_activation {have!r} does not match loss {loss!r}, which needs {want!r}; "
                         f"set --config.model.output_activation={want}")


def from_config(model, config, *, corrupt=None, context: Mapping | None = None) -> Loss:
    """The `Loss` of `config` for `model`: its objective (`spec`), corruption `corrupt`,
    regularizers and scheduled model options, after the output/loss check; `context`: keywords
    for the objective from the task (e.g. a labelled set)."""
    objective = spec(config)
    check_output_matches_loss(config.get("model", {}), objective["name"])
    model_options = {k: v for k, v in config.get("model", {}).items() if schedules.is_schedule(v)}
    return build(model, objective["name"], _options(objective, ("name",)), corrupt=corrupt,
                 regularizers=config.get("regularizers"), model_options=model_options, context=context)
