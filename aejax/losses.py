"""Per-example reconstruction losses and metrics; each maps [B, D] arrays to [B]."""
from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax

from aejax.names import OUTPUT_ACTIVATION  # noqa: F401  (the output activation each objective implies)


def squared_error(pred: jax.Array, target: jax.Array) -> jax.Array:
    """1/2 of the sum of squares over features: [B, D], [B, D] -> [B]."""
    return 0.5 * jnp.sum(jnp.square(pred - target), axis=-1)


def sigmoid_cross_entropy(logits: jax.Array, target: jax.Array) -> jax.Array:
    """Cross-entropy of targets in [0, 1] under sigmoid(logits), summed over features: -> [B].

    Computed from logits (log-sum-exp form), so logits of +-100 stay finite.
    """
    return jnp.sum(optax.sigmoid_binary_cross_entropy(logits, target), axis=-1)


def sse(recon: jax.Array, target: jax.Array) -> jax.Array:
    """Sum of squared errors over features, [B, D] -> [B]; its mean over examples is the
    reconstruction error reported by Hinton & Salakhutdinov (2006)."""
    return jnp.sum(jnp.square(recon - target), axis=-1)


def word_probabilities(counts: jax.Array) -> jax.Array:
    """[N, V] word counts -> [N, V] document-specific word probabilities counts / L (zero rows stay 0)."""
    return counts / jnp.maximum(jnp.sum(counts, axis=-1, keepdims=True), 1e-12)


def softmax_cross_entropy(logits: jax.Array, target: jax.Array) -> jax.Array:
    """-sum_i p_i log softmax(logits)_i with p = target / sum(target), [N, V], [N, V] -> [N].

    The documents net's objective (Hinton & Salakhutdinov 2006: a softmax output over the
    vocabulary, multiclass cross-entropy against the word probabilities); `target` may be counts.
    """
    return optax.softmax_cross_entropy(logits, word_probabilities(target))


# Training objectives by name: (model output before the output activation, target) -> [B].
# "cross_entropy" expects logits; "squared_error" expects a linear output.
OBJECTIVES: dict[str, Callable[[jax.Array, jax.Array], jax.Array]] = {
    "cross_entropy": sigmoid_cross_entropy,
    "squared_error": squared_error,
    "softmax_cross_entropy": softmax_cross_entropy,
}


def get(name: str) -> Callable[[jax.Array, jax.Array], jax.Array]:
    """The per-example objective called `name`."""
    try:
        return OBJECTIVES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; choose one of {sorted(OBJECTIVES)}") from None
