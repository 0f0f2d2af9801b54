"""Activation functions looked up by name."""
from collections.abc import Callable

import jax
import jax.numpy as jnp

_ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "linear": lambda x: x,
    "sigmoid": jax.nn.sigmoid,
    "logistic": jax.nn.sigmoid,
    "tanh": jnp.tanh,
    "relu": jax.nn.relu,
    "gelu": jax.nn.gelu,
    "elu": jax.nn.elu,
    "selu": jax.nn.selu,
    "softplus": jax.nn.softplus,
    "leaky_relu": jax.nn.leaky_relu,
    "silu": jax.nn.silu,
    "softmax": jax.nn.softmax,  # over the last (feature) axis
}


def names() -> list[str]:
    return sorted(_ACTIVATIONS)


def get(name: str) -> Callable[[jax.Array], jax.Array]:
    """The activation called `name` (e.g. "sigmoid", "linear", "relu")."""
    try:
        return _ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {names()}") from None
