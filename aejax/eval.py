"""Batched evaluation of any autoencoder: reconstructions, codes and per-example squared errors.

Each function runs fixed-size batches through one `lax.map` (`aejax.train.steps.batched_map`),
compiled once per (model, batch size, ...) and mesh and reused for any number of examples and any
params. x: [N, ...] examples as the model reads them (flat or shaped); results are jax arrays.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from aejax import distributed, losses
from aejax.models import activations
from aejax.train.steps import batched_map


@functools.lru_cache(maxsize=64)
def _program(model, what: str, batch_size: int, output: str | None, target, mesh):
    def per_batch(params, b):
        if what == "encode":
            return model.apply({"params": params}, b, method="encode")
        if output is None:
            recon = model.apply({"params": params}, b, method="reconstruct")
        else:
            recon = activations.get(output)(model.apply({"params": params}, b))
        recon = recon.astype(jnp.float32)
        if what == "reconstruct":
            return recon
        goal = b if target is None else target(b)
        return losses.sse(recon.reshape(b.shape[0], -1), goal.reshape(b.shape[0], -1))

    return jax.jit(lambda params, xs: batched_map(lambda b: per_batch(params, b), xs, batch_size, mesh=mesh))


def _run(model, what, params, x, batch_size, output=None, target=None):
    return _program(model, what, batch_size, output, target, distributed.active_mesh())(params, jnp.asarray(x))


def reconstruct(model, params, x, *, batch_size: int = 1000, output: str | None = None) -> jax.Array:
    """Reconstructions [N, ...] (float32) of x [N, ...]: the model's `reconstruct`, or the
    activation `output` (e.g. "softmax") of its logits."""
    return _run(model, "reconstruct", params, x, batch_size, output)


def encode(model, params, x, *, batch_size: int = 1000) -> jax.Array:
    """Codes [N, ...] of x [N, ...]."""
    return _run(model, "encode", params, x, batch_size)


def sse_per_example(model, params, x, *, batch_size: int = 1000, output: str | None = None, target=None) -> jax.Array:
    """Per-example sum of squared errors [N] between the reconstruction of x [N, ...] and x (or
    `target(x)`, e.g. `losses.word_probabilities` for count inputs)."""
    return _run(model, "sse", params, x, batch_size, output, target)


def sse_per_image(model, params, x, **kwargs) -> float:
    """Mean over examples of `sse_per_example` (Hinton & Salakhutdinov's reconstruction error)."""
    return float(jnp.mean(sse_per_example(model, params, x, **kwargs)))
