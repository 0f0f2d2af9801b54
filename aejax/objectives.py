"""Training objectives: a reconstruction loss plus additive regularisers, each named in the config.

`reconstruction(model, loss, corrupt=..., regularizers=...)` returns the engine's loss function
`objective(params, x, rng) -> (loss, aux)`: the mean over examples of the per-example `loss`
between the model's output and the clean x (the model sees `corrupt(rng, x)` when given: a
denoising autoencoder), plus sum_k weight_k * regulariser_k. With regularisers, aux holds
"reconstruction" and each regulariser's unweighted value, so every one appears in metrics.jsonl.

A regulariser is a small pure function `fn(f: Forward, **options) -> scalar` registered by name:

    @aejax.objectives.register("my_penalty")
    def my_penalty(f, *, scale=1.0):
        return scale * jnp.mean(jnp.square(f.hidden[-1]))

and configured as `config.regularizers.<entry> = {weight, kind (default: the entry's name),
**options}`. `Forward` carries what the one forward pass computed (the hidden activations the
model sows), so no regulariser needs a second pass over the network.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp

from aejax import losses, models
from aejax.names import OUTPUT_ACTIVATION, registrar

EPS = 1e-6


@dataclasses.dataclass(frozen=True)
class Forward:
    """One forward pass on a batch, as regularisers see it.

    model, params: the autoencoder; inputs: what it read [B, ...] (corrupted, for a DAE);
    target: the clean batch; logits: its output before the output activation;
    hidden: each encoder layer's output (hidden[-1] = the code), [B, ...] each;
    rng: a key for stochastic estimators.
    """

    model: Any
    params: Any
    inputs: jax.Array
    target: jax.Array
    logits: jax.Array
    hidden: tuple[jax.Array, ...]
    rng: jax.Array


Regularizer = Callable[..., jax.Array]
REGULARIZERS: dict[str, Regularizer] = {}
register = registrar(REGULARIZERS)  # @register(name) on `fn(f: Forward, **options) -> scalar`


def get(name: str) -> Regularizer:
    try:
        return REGULARIZERS[name]
    except KeyError:
        raise ValueError(f"unknown regularizer {name!r} in config.regularizers; registered: {sorted(REGULARIZERS)}. "
                         "Register one with @aejax.objectives.register(name).") from None


def _flat(h: jax.Array) -> jax.Array:
    return h.reshape(h.shape[0], -1).astype(jnp.float32)


@register("kl_sparsity")
def kl_sparsity(f: Forward, *, target: float = 0.05, layer: int = -1) -> jax.Array:
    """sum_j KL(target || mean activation of unit j over the batch) for hidden layer `layer`
    (default the code), whose units must lie in (0, 1) (logistic)."""
    rho = jnp.clip(jnp.mean(_flat(f.hidden[layer]), axis=0), EPS, 1 - EPS)
    return jnp.sum(target * jnp.log(target / rho) + (1 - target) * jnp.log((1 - target) / (1 - rho)))


@register("l1_activity")
def l1_activity(f: Forward, *, layers: tuple[int, ...] = ()) -> jax.Array:
    """Mean over examples of the summed |activation| of the hidden `layers` (default: all)."""
    chosen = [f.hidden[i] for i in layers] if layers else f.hidden
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
    encode = lambda x: f.model.apply({"params": f.params}, x, method="encode")  # noqa: E731
    probes = jax.random.rademacher(f.rng, (samples,) + f.inputs.shape, f.inputs.dtype)
    jv = jax.vmap(lambda v: jax.jvp(encode, (f.inputs,), (v,))[1])(probes)
    return jnp.mean(jnp.sum(jnp.square(jv.reshape(samples, f.inputs.shape[0], -1).astype(jnp.float32)), axis=-1))


@register("weight_decay")
def weight_decay(f: Forward) -> jax.Array:
    """Sum of the squares of every kernel (biases excluded)."""
    leaves = jax.tree_util.tree_flatten_with_path(f.params)[0]
    return sum(jnp.sum(jnp.square(leaf)) for path, leaf in leaves if getattr(path[-1], "key", None) == "kernel")


def _terms(regularizers: Mapping | None) -> list[tuple[str, Regularizer, float, dict]]:
    """(entry name, function, weight, options) of each entry of config.regularizers."""
    terms = []
    for name, spec in (regularizers or {}).items():
        spec = dict(spec)
        if "weight" not in spec:
            raise ValueError(f"regularizers.{name} needs a weight (e.g. --config.regularizers.{name}.weight=0.1)")
        weight, kind = float(spec.pop("weight")), spec.pop("kind", name)
        terms.append((name, get(kind), weight, {k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()}))
    return terms


def reconstruction(model, loss: str | Callable = "cross_entropy", *, corrupt=None, regularizers: Mapping | None = None):
    """`objective(params, x [B, ...], rng) -> (loss, aux)`: mean per-example `loss` (a name of
    `aejax.losses`, or `fn(logits [B, D], target [B, D]) -> [B]`) between the model's logits and
    the clean batch, examples flattened; plus the weighted `regularizers` (config.regularizers)."""
    per_example = losses.get(loss) if isinstance(loss, str) else loss
    terms = _terms(regularizers)

    def objective(params, x, rng):
        inputs = x if corrupt is None else corrupt(rng, x.reshape(x.shape[0], -1)).reshape(x.shape)
        if not terms:
            out = model.apply({"params": params}, inputs)
            return jnp.mean(per_example(_flat(out), x.reshape(x.shape[0], -1))), {}
        out, state = model.apply({"params": params}, inputs, mutable=["intermediates"])
        recon = jnp.mean(per_example(_flat(out), x.reshape(x.shape[0], -1)))
        f = Forward(model, params, inputs, x, out, models.hidden_activations(state["intermediates"]), jax.random.fold_in(rng, 1))
        values = {name: fn(f, **options) for name, fn, _, options in terms}
        total = recon + sum(weight * values[name] for name, _, weight, _ in terms)
        return total, {"reconstruction": recon, **values}

    return objective


def check_output_matches_loss(model_cfg, loss: str) -> None:
    """A model whose config names its `output_activation` must have the one `loss` reads."""
    want, have = OUTPUT_ACTIVATION.get(loss), model_cfg.get("output_activation")
    if want is not None and have is not None and have != want:
        raise ValueError(f"model.output_activation {have!r} does not match loss {loss!r}, which needs {want!r}; "
                         f"set --config.model.output_activation={want}")


def from_config(model, config, *, corrupt=None):
    """The objective of `config` (loss, regularizers) for `model`, after the output/loss check."""
    check_output_matches_loss(config.get("model", {}), config.loss)
    return reconstruction(model, config.loss, corrupt=corrupt, regularizers=config.get("regularizers"))
