"""k-sparse autoencoder (Makhzani & Frey 2013), tied weights; registered as model "ksparse".

The code is h = W^T x + b (linear units, `enc_0`) with all but its k largest entries per example
set to 0; the reconstruction is W h + b' (`dec_0` reads enc_0's kernel transposed) before the
output activation (linear by default, with squared error). Gradients flow only through the kept
units. `encode` keeps the alpha * k largest (the paper's sparse encoding for classification);
`__call__` takes `k` as a keyword, so `model.k` may be a schedule over the step (the paper lowers
k from a large value to its target over the first half of training).
"""
import math
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from aejax import models
from aejax.models import activations
from aejax.models.autoencoder import DecoderDense


def _order_keys(h: jax.Array) -> jax.Array:
    """uint32 keys of float32 h in the same order as h (sign-magnitude bits made monotone)."""
    bits = jax.lax.bitcast_convert_type(h.astype(jnp.float32), jnp.uint32)
    return jnp.where(bits >> 31 == 1, ~bits, bits | jnp.uint32(0x80000000))


def keep_largest(h: jax.Array, k) -> jax.Array:
    """h [B, H] with all but the k largest entries of each row set to 0 (ties at the k-th value
    kept); k a Python int or a traced scalar (rounded, clipped to [1, H]). The k-th largest key
    is found by bisection over the 32 bits of the order-preserving keys: exact, and far faster
    on CPU than a sort or `lax.top_k`."""
    k = jnp.clip(jnp.round(jnp.asarray(k, jnp.float32)).astype(jnp.int32), 1, h.shape[-1])
    keys = _order_keys(h)

    def bit(i, kth):  # set bit 31 - i when at least k keys lie at or above the candidate
        candidate = kth | (jnp.uint32(1) << (31 - i).astype(jnp.uint32))
        enough = jnp.sum(keys >= candidate[:, None], axis=-1) >= k
        return jnp.where(enough, candidate, kth)

    kth = jax.lax.fori_loop(0, 32, bit, jnp.zeros(h.shape[:1], jnp.uint32))
    return jnp.where(keys >= kth[:, None], h, jnp.zeros((), h.dtype))


class KSparseAutoencoder(nn.Module):
    """features: D; hidden: code units; k: units kept in training; alpha: encode keeps
    round(alpha * k); output: activation of the reconstruction."""

    features: int
    hidden: int = 1000
    k: int = 25
    alpha: float = 3.0
    output: str = "linear"
    dtype: Any = None

    def setup(self):
        self.enc_0 = nn.Dense(self.hidden, dtype=self.dtype)
        self.dec_0 = DecoderDense(self.features, dtype=self.dtype)
        self._out = activations.get(self.output)

    def encode(self, x: jax.Array) -> jax.Array:
        """x [B, ...] -> codes [B, hidden] with round(alpha * k) non-zero units."""
        return keep_largest(self.enc_0(x.reshape(x.shape[0], -1)), min(int(round(self.alpha * self.k)), self.hidden))

    def reconstruct(self, x: jax.Array) -> jax.Array:
        return self._out(self(x))

    def __call__(self, x: jax.Array, k=None) -> jax.Array:
        """x [B, ...] -> output logits in x's shape, through the k-sparse code (k: default `self.k`)."""
        h = keep_largest(self.enc_0(x.reshape(x.shape[0], -1)), self.k if k is None else k)
        self.sow("intermediates", "hidden_0", h)
        return self.dec_0(h, self.enc_0.variables["params"]["kernel"]).reshape(x.shape)


@models.register("ksparse")
def ksparse(example_shape: tuple[int, ...], *, hidden: int = 1000, k: int = 25, alpha: float = 3.0,
            output_activation: str = "linear", dtype=None) -> KSparseAutoencoder:
    """The k-sparse autoencoder of config.model for examples of `example_shape` (flattened)."""
    if not 1 <= k <= hidden:
        raise ValueError(f"model.k={k} must lie in [1, model.hidden={hidden}]")
    return KSparseAutoencoder(math.prod(example_shape), hidden, int(k), float(alpha), output_activation, dtype)
