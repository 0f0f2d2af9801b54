"""Batched evaluation of any autoencoder: reconstructions, codes and per-example squared errors;
and what is measured on codes: document retrieval, LSA codes, k-nearest-neighbour accuracy.

Each function runs fixed-size batches through one `lax.map` (`aejax.train.steps.batched_map`),
compiled once per (model, batch size, ...) and mesh and reused for any number of examples and any
params. x: [N, ...] examples as the model reads them (flat or shaped); results are jax arrays,
or, in host-chunked mode (`host_chunk`), NumPy arrays gathered chunk by chunk so that the device
never holds all of x. K models trained side by side (`members`) are evaluated in one program.
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
def _program(model, what: str, batch_size: int, output: str | None, target, mesh, members: int = 0, error=None):
    def per_batch(v, b, args):
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
        if what == "errors":
            return error(b, recon.reshape(b.shape), *args)
        goal = b if target is None else target(b)
        return losses.sse(recon.reshape(b.shape[0], -1), goal.reshape(b.shape[0], -1))

    one = jax.vmap(per_batch, in_axes=(0, None, 0), out_axes=1) if members else per_batch
    return jax.jit(lambda v, xs, args: batched_map(lambda b: one(v, b, args), xs, batch_size, mesh=mesh))


def _run(model, what, params, x, batch_size, output=None, target=None, collections=None, *, members: int = 0,
         error=None, args=(), host_chunk: int | None = None):
    program = _program(model, what, batch_size, output, target, distributed.active_mesh(), members, error)
    v = variables(params, collections)
    if host_chunk is None:
        return program(v, jnp.asarray(x), args)
    return host_chunked(lambda xs: program(v, xs, args), x, chunk_rows(host_chunk, batch_size, len(x)))


def chunk_rows(host_chunk: int, batch_size: int, n: int) -> int:
    """Rows per host chunk for N = n examples: `host_chunk` rounded down to whole batches (at
    least one), and no more whole batches than n needs; n itself when n is under one batch."""
    if n < batch_size:
        return max(n, 1)
    return min(max(batch_size, host_chunk // batch_size * batch_size), -(-n // batch_size) * batch_size)


def host_chunked(fn, x, rows: int) -> np.ndarray:
    """`fn` (a jitted map of examples [rows, ...] to outputs [rows, ...]) over host examples x
    [N, ...], `rows` at a time, the last chunk zero-padded (one compiled program for any N); the
    outputs are gathered into one host array [N, ...], so the device holds one chunk at a time."""
    x = np.asarray(x)
    n = len(x)
    out = None
    for start in range(0, max(n, 1), rows):
        chunk = x[start:start + rows]
        taken = len(chunk)
        if taken < rows:
            chunk = np.concatenate([chunk, np.zeros((rows - taken,) + x.shape[1:], x.dtype)])
        done = np.asarray(jax.device_get(fn(chunk)))[:taken]
        if out is None:
            out = np.empty((n,) + done.shape[1:], done.dtype)
        out[start:start + taken] = done
    return out


def reconstruct(model, params, x, *, batch_size: int = 1000, output: str | None = None, collections=None,
                members: int = 0, host_chunk: int | None = None):
    """Reconstructions [N, ...] (float32) of x [N, ...]: the model's `reconstruct`, or the
    activation `output` (e.g. "softmax") of its logits.

    members: K > 0 for K models side by side (params and collections with a leading model axis,
    as `aejax.train.fit.train_autoencoder(members=K)` trains them), each reconstructing all of x:
    [N, K, ...]. host_chunk: x stays on the host and goes to the device `host_chunk` rows at a
    time (whole batches); the result is a NumPy array (memory bounded for any N), else a jax array.
    """
    return _run(model, "reconstruct", params, x, batch_size, output, collections=collections, members=members,
                host_chunk=host_chunk)


def encode(model, params, x, *, batch_size: int = 1000, collections=None, members: int = 0,
           host_chunk: int | None = None):
    """Codes [N, ...] of x [N, ...] ([N, K, ...] with `members`; see `reconstruct`)."""
    return _run(model, "encode", params, x, batch_size, collections=collections, members=members, host_chunk=host_chunk)


def reconstruction_errors(model, params, x, error, args=(), *, batch_size: int = 1000, collections=None,
                          members: int = 0, host_chunk: int | None = None):
    """`error(x_batch, reconstruction_batch, *args)` over x [N, ...] in batches: per-example
    errors [N, ...] computed on the device, where only they leave it.

    error: a hashable function (module level, or one object reused: it keys the compiled
    program) of the batch [B, ...], its reconstruction [B, ...] (float32, x's shape) and `args`
    (a tuple of arrays passed to the program, not compiled in). With `members` = K, each of the
    K side-by-side models gets its own slice of `args` along their leading axis, and the errors
    are [N, K, ...]. host_chunk: as in `reconstruct`.
    """
    return _run(model, "errors", params, x, batch_size, collections=collections, members=members, error=error,
                args=tuple(args), host_chunk=host_chunk)


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
