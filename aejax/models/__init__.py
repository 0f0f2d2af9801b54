"""Autoencoders by name: `config.model.name` picks a registered model (default "mlp").

A model is registered with a builder, a function whose keyword arguments are the model's config
keys (their defaults are the keys' defaults) and which may take `example_shape`, the shape of one
example as the data gives it (e.g. (28, 28) for MNIST images, (D,) for vectors, (T, C) for
windows):

    @aejax.models.register("mine")
    def mine(example_shape, *, width=64, output_activation="sigmoid"):
        return MyAutoencoder(...)

A registered Flax module class works as its own builder (its fields are the config keys).
Every model maps examples [B, ...] to output logits of the same shape (`apply`), and has
`reconstruct` (the output activation applied) and `encode` methods; models sow each encoder
layer's output into the "intermediates" collection as `hidden_i` (see `hidden_activations`),
so regularisers on hidden units need no second forward pass.

This module imports no jax: built-in models are imported on first use.
"""
import importlib
import inspect
from collections.abc import Callable

from aejax.names import registrar

_BUILTIN = {"mlp": "aejax.models.autoencoder", "conv2d": "aejax.models.conv2d", "conv1d": "aejax.models.conv"}
_BUILDERS: dict[str, Callable] = {}
register = registrar(_BUILDERS)  # @register(name) on a model builder or a Flax module class


def names() -> list[str]:
    """Built-in and registered model names."""
    return sorted(set(_BUILTIN) | set(_BUILDERS))


def get(name: str) -> Callable:
    """The builder registered as `name` (importing a built-in model's module on first use)."""
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
    kwargs = {k: (tuple(v) if isinstance(v, list) else v) for k, v in cfg.items()}
    if "dtype" in params and dtype is not None:
        kwargs["dtype"] = dtype
    if "example_shape" in params:
        kwargs["example_shape"] = tuple(example_shape)
    return builder(**kwargs)


def init(model, rng, example_shape: tuple[int, ...]) -> dict:
    """Parameters of `model` for examples of `example_shape` (traces one zero example)."""
    import jax.numpy as jnp

    return model.init(rng, jnp.zeros((1,) + tuple(example_shape), jnp.float32))["params"]


def hidden_activations(intermediates: dict) -> tuple:
    """The sown encoder outputs (`hidden_0`, `hidden_1`, ...) of an `apply(...,
    mutable=["intermediates"])` call, in layer order."""
    found = {k: v[0] for k, v in intermediates.items() if k.startswith("hidden_")}
    return tuple(found[f"hidden_{i}"] for i in range(len(found)))
