"""Autoencoders by name: `config.model.name` picks a registered model (default "mlp").

A model is registered with a builder, a function whose keyword arguments are the model's config
keys (their defaults are the keys' defaults) and which may take `example_shape`, the shape of one
example as the data gives it (e.g. (28, 28) for MNIST images, (D,) for vectors, (T, C) for
windows):

    @aejax.models.register("mine")
    def mine(example_shape, *, width=64, output_activation="sigmoid"):
        return MyAutoencoder(...)

A registered Flax module class works as its own builder (its fields are the config keys).
Examples reach a model flat [B, D] (as `aejax.data` gives them) or in their shape (at init: one
zero example of `example_shape`), so a model reshapes x to what its layers read (e.g.
`x.reshape(x.shape[0], -1)`). A model maps examples [B, ...] to its outputs: an array (the reconstruction's logits, in the
input's shape) or a dict of named arrays (`reconstruction`, and e.g. `code`, `mean`, `log_var`);
`named_outputs` gives both as one dict, with the encoder layers' outputs that the model sows into
the "intermediates" collection (`hidden_0`, `hidden_1`, ...; `code` = the last unless returned),
so objectives and regularisers need no second forward pass. Every model has `reconstruct` (the
output activation applied) and `encode` methods, which evaluation calls.

Randomness: a stochastic model draws with `self.make_rng(stream)` from the streams in `STREAMS`
("noise", "dropout", "corruption"), which reach every `apply` in training and evaluation
(`aejax.objectives`, `aejax.eval`); another stream is an error naming it. A model whose
`__call__` takes `train` is called with train=True in training passes and with its default in
evaluation (e.g. batch norm on batch statistics vs running averages, kept in a collection such as
"batch_stats" that the train state carries). A model option that is a schedule over the step
(`aejax.schedules`) reaches the builder as its last value and `__call__`, in training, as its
value at the step (so `__call__` must take it as a keyword).

This module imports no jax: built-in models are imported on first use.
"""
import importlib
import inspect
import re
from collections.abc import Callable

from aejax import schedules
from aejax import names as names_lib
from aejax.names import registrar

_BUILTIN = {"mlp": "aejax.models.autoencoder", "conv2d": "aejax.models.conv2d", "conv1d": "aejax.models.conv",
            "vae": "aejax.models.vae", "ksparse": "aejax.models.ksparse", "ladder": "aejax.models.ladder"}
STREAMS = ("noise", "dropout", "corruption")  # the RNG streams every model.apply receives
_BUILDERS: dict[str, Callable] = {}
register = registrar(_BUILDERS)  # @register(name) on a model builder or a Flax module class


def names() -> list[str]:
    """Built-in and registered model names."""
    names_lib.load_deferred()
    return sorted(set(_BUILTIN) | set(_BUILDERS))


def is_known(name: str) -> bool:
    """Whether `name` is a built-in, registered or deferred model (`aejax.registry.sibling`),
    without importing anything."""
    return name in _BUILTIN or name in _BUILDERS or name in names_lib.declared()


def get(name: str) -> Callable:
    """The builder registered as `name` (importing a built-in model's module on first use)."""
    names_lib.load_deferred()
    if name not in _BUILDERS and name in _BUILTIN:
        importlib.import_module(_BUILTIN[name])
    if name not in _BUILDERS:
        raise KeyError(f"unknown model {name!r} in config.model.name; registered models: {names()}. "
                       "Register one with @aejax.models.register(name).")
    return _BUILDERS[name]


def config_keys(name: str) -> dict:
    """{key: default} of model `name`'s config (its builder's keyword arguments)."""
    builder = get(name)
    skip = {"self", "example_shape", "parent", "name", "dtype"}
    return {k: p.default for k, p in inspect.signature(builder).parameters.items()
            if k not in skip and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}


def build(model_cfg, example_shape: tuple[int, ...], *, dtype=None):
    """The model of `model_cfg` (a ConfigDict or mapping with `name`, default "mlp", and the
    model's keys) for examples of `example_shape`; `dtype`: computation dtype (None: float32).

    A key the model does not take is an error naming it and the model's keys.
    """
    cfg = dict(model_cfg.items() if hasattr(model_cfg, "items") else model_cfg)
    name = cfg.pop("name", "mlp")
    builder = get(name)
    keys = config_keys(name)
    unknown = sorted(set(cfg) - set(keys))
    if unknown:
        raise ValueError(f"model {name!r} has no config key(s) {', '.join('model.' + k for k in unknown)}; "
                         f"its keys: {', '.join(sorted(keys))}")
    params = inspect.signature(builder).parameters
    kwargs = {k: schedules.last(v, f"model.{k}") if schedules.is_schedule(v) else (tuple(v) if isinstance(v, list) else v)
              for k, v in cfg.items()}
    if "dtype" in params and dtype is not None:
        kwargs["dtype"] = dtype
    if "example_shape" in params:
        kwargs["example_shape"] = tuple(example_shape)
    return builder(**kwargs)


def init(model, rng, example_shape: tuple[int, ...]) -> dict:
    """Parameters of `model` for examples of `example_shape` (traces one zero example)."""
    return init_variables(model, rng, example_shape)["params"]


def init_variables(model, rng, example_shape: tuple[int, ...]) -> dict:
    """All variables of `model` ({"params": ..., and e.g. "batch_stats": ...}) for examples of
    `example_shape`; `rng` also seeds the RNG streams a stochastic model draws from at init."""
    import jax.numpy as jnp

    return dict(model.init(rng, jnp.zeros((1,) + tuple(example_shape), jnp.float32)))


def mutable_collections(variables: dict) -> dict:
    """The collections of `variables` other than params (what a TrainState carries)."""
    return {k: v for k, v in variables.items() if k not in ("params", "intermediates")}


def takes(model, argument: str, method: str | None = None) -> bool:
    """Whether `model.<method>` (default `__call__`) takes keyword `argument`."""
    return argument in inspect.signature(getattr(type(model), method or "__call__")).parameters


def apply(model, variables: dict, *args, rngs: dict | None = None, **kwargs):
    """`model.apply(variables, *args, rngs=rngs, **kwargs)`; a model drawing from a stream not in
    `rngs` is a ValueError naming the stream."""
    import flax.errors

    try:
        return model.apply(variables, *args, rngs=rngs, **kwargs)
    except flax.errors.InvalidRngError as err:
        match = re.search(r'needs PRNG for "([^"]+)"', str(err))
        stream = match[1] if match else str(err)
        raise ValueError(f"model {type(model).__name__} draws from RNG stream {stream!r}, which aejax does not give: "
                         f"draw from one of {list(STREAMS)} (self.make_rng(name))") from None


def named_outputs(out, intermediates: dict | None = None, method: str | None = None) -> dict:
    """One dict of a model's outputs: `out` (a dict, or an array named "reconstruction" from
    `__call__` and "output" from another method), the sown `hidden_i` of `intermediates` and
    `code` (the last hidden_i unless `out` has one)."""
    named = dict(out) if isinstance(out, dict) else {"reconstruction" if method is None else "output": out}
    hidden = hidden_activations(intermediates or {})
    named.update({f"hidden_{i}": h for i, h in enumerate(hidden)})
    if hidden and "code" not in named:
        named["code"] = hidden[-1]
    return named


def hidden_activations(intermediates: dict) -> tuple:
    """The sown encoder outputs (`hidden_0`, `hidden_1`, ...) of an `apply(...,
    mutable=["intermediates"])` call, in layer order."""
    found = {k: v[0] for k, v in intermediates.items() if k.startswith("hidden_")}
    return tuple(found[f"hidden_{i}"] for i in range(len(found)))
