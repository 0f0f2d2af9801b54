"""Batched evaluation of any autoencoder: reconstructions, codes and per-example squared errors;
and what is measured on codes: document retrieval, LSA codes, k-nearest-neighbour accuracy.

Each function runs fixed-size batches through one `lax.map` (`aejax.train.steps.batched_map`),
compiled once per (model, batch size, ...) and mesh and reused for any number of examples and any
params. x: [N, ...] examples as the model reads them (flat or shaped); results are jax arrays.
`collections`: the model's mutable collections (a TrainState's, e.g. batch_stats), read in
evaluation mode (the model's defaults).

A stochastic model is evaluated deterministically: every batch gets the RNG streams of
`EVAL_KEY` (stream s: fold_in(EVAL_KEY, index of s in `aejax.models.STREAMS`)), so the result is
a fixed function of the variables, x and the batch size.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from aejax import distributed, losses, models
from aejax.models import activations
from aejax.train.steps import batched_map

EVAL_KEY = 0


def eval_rngs() -> dict:
    """The RNG streams every evaluation pass receives (see the module docstring)."""
    key = jax.random.PRNGKey(EVAL_KEY)
    return {s: jax.random.fold_in(key, i) for i, s in enumerate(models.STREAMS)}


def apply(model, variables: dict, x, method: str | None = None, **kwargs):
    """One evaluation pass `model.<method>(x)` with the evaluation streams (`eval_rngs`)."""
    return models.apply(model, variables, x, rngs=eval_rngs(), method=method, **kwargs)


def variables(params, collections=None) -> dict:
    return {"params": params, **(collections or {})}


@functools.lru_cache(maxsize=64)
def _program(model, what: str, batch_size: int, output: str | None, target, mesh):
    def per_batch(v, b):
        if what == "encode":
            return apply(model, v, b, method="encode")
        if output is None:
            recon = apply(model, v, b, method="reconstruct")
        else:
            out = apply(model, v, b)
            recon = activations.get(output)(out["reconstruction"] if isinstance(out, dict) else out)
        recon = recon.astype(jnp.float32)
        if what == "reconstruct":
            return recon
        goal = b if target is None else target(b)
        return losses.sse(recon.reshape(b.shape[0], -1), goal.reshape(b.shape[0], -1))

    return jax.jit(lambda v, xs: batched_map(lambda b: per_batch(v, b), xs, batch_size, mesh=mesh))


def _run(model, what, params, x, batch_size, output=None, target=None, collections=None):
    program = _program(model, what, batch_size, output, target, distributed.active_mesh())
    return program(variables(params, collections), jnp.asarray(x))


def reconstruct(model, params, x, *, batch_size: int = 1000, output: str | None = None, collections=None) -> jax.Array:
    """Reconstructions [N, ...] (float32) of x [N, ...]: the model's `reconstruct`, or the
    activation `output` (e.g. "softmax") of its logits."""
    return _run(model, "reconstruct", params, x, batch_size, output, collections=collections)


def encode(model, params, x, *, batch_size: int = 1000, collections=None) -> jax.Array:
    """Codes [N, ...] of x [N, ...]."""
    return _run(model, "encode", params, x, batch_size, collections=collections)


def sse_per_example(model, params, x, *, batch_size: int = 1000, output: str | None = None, target=None,
                    collections=None) -> jax.Array:
    """Per-example sum of squared errors [N] between the reconstruction of x [N, ...] and x (or
    `target(x)`, e.g. `losses.word_probabilities` for count inputs)."""
    return _run(model, "sse", params, x, batch_size, output, target, collections)


def sse_per_image(model, params, x, **kwargs) -> float:
    """Mean over examples of `sse_per_example` (Hinton & Salakhutdinov's reconstruction error)."""
    return float(jnp.mean(sse_per_example(model, params, x, **kwargs)))


def retrieval_accuracy(codes: np.ndarray, labels: np.ndarray, counts=(1, 3, 7, 15, 31, 63),
                       chunk: int = 1024) -> dict[int, float]:
    """For each document as a query against all the others (cosine similarity of codes [N, k]),
    the fraction of the n most similar documents sharing its label, averaged over queries."""
    unit = codes / np.maximum(np.linalg.norm(codes, axis=1, keepdims=True), 1e-12)
    n_max = min(max(counts), len(unit) - 1)
    hits = np.zeros(n_max)
    for start in range(0, len(unit), chunk):
        sim = unit[start:start + chunk] @ unit.T
        rows = np.arange(sim.shape[0])
        sim[rows, start + rows] = -np.inf
        top = np.argsort(-sim, axis=1, kind="stable")[:, :n_max]
        hits += (labels[top] == labels[start:start + chunk, None]).sum(0)
    cumulative = np.cumsum(hits) / len(unit)
    return {n: float(cumulative[n - 1] / n) for n in counts if n <= n_max}


def lsa_codes(train_counts: np.ndarray, test_counts: np.ndarray, k: int) -> np.ndarray:
    """LSA: the test documents' coordinates [N, k] on the top-k right singular vectors of the
    training log(1 + count) matrix."""
    _, _, vt = np.linalg.svd(np.log1p(train_counts.astype(np.float64)), full_matrices=False)
    return np.log1p(test_counts.astype(np.float64)) @ vt[:k].T


def knn_accuracy(train_codes, train_y, test_codes, test_y, n_neighbors: int) -> float:
    """Test accuracy of a k-nearest-neighbour classifier fitted on the training codes."""
    from sklearn.neighbors import KNeighborsClassifier

    clf = KNeighborsClassifier(n_neighbors=n_neighbors).fit(train_codes, train_y)
    return float(clf.score(test_codes, test_y))
