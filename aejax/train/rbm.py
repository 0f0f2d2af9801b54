"""Training one RBM with contrastive divergence (the model and its CD-k step: ``aejax.models.rbm``).

An epoch is one jitted ``lax.scan`` over minibatches whose composition and order are fixed for the
whole run (as in ``makebatches.m``), data parallel over the mesh; momentum follows
``CDConfig.momentum(epoch)``.
"""

from __future__ import annotations

import functools
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec

from aejax import distributed
from aejax.models.rbm import CDConfig, Params, cd_step, init_increments, init_params, sample_noise


def make_batches(data: jax.Array | np.ndarray, batch_size: int, key: jax.Array | None) -> jax.Array:
    """Cut ``data`` [M, V] into fixed minibatches [M // batch_size, batch_size, V].

    With ``key`` the rows are permuted once first (``makebatches.m``); a remainder smaller than
    a batch is dropped.
    """
    data = jnp.asarray(data)
    n_batches = data.shape[0] // batch_size
    if n_batches == 0:
        raise ValueError(
            f"batch_size={batch_size} exceeds the number of examples {data.shape[0]}; "
            "use a smaller batch_size.")
    if key is not None:
        data = data[jax.random.permutation(key, data.shape[0])]
    return data[: n_batches * batch_size].reshape(n_batches, batch_size, data.shape[1])


@functools.partial(jax.jit, static_argnames=("config",))
def train_epoch(params: Params, increments: Params, batches: jax.Array, key: jax.Array,
                momentum: jax.Array | float, config: CDConfig):
    """One epoch of CD-k over fixed minibatches ``batches`` [B, N, V], as one ``lax.scan``.

    Minibatch b uses the noise ``sample_noise(jax.random.fold_in(key, b), ...)``.
    Returns (params, increments, reconstruction SSE summed over the epoch).
    """
    n_hidden = params["kernel"].shape[1]
    batch_size = batches.shape[1]

    def body(carry, inputs):
        p, inc = carry
        index, v0 = inputs
        noise = sample_noise(jax.random.fold_in(key, index), config, batch_size, n_hidden,
                             v0.dtype)
        p, inc, sse = cd_step(p, inc, v0, noise, momentum, config)
        return (p, inc), sse

    momentum = jnp.asarray(momentum, batches.dtype)
    indices = jnp.arange(batches.shape[0])
    (params, increments), sse = jax.lax.scan(body, (params, increments), (indices, batches))
    return params, increments, jnp.sum(sse)


def compile_epoch(params: Params, batches: jax.Array, config: CDConfig, mesh):
    """`train_epoch` compiled for `mesh`: parameters and increments replicated and donated, each
    minibatch [N, V] of `batches` [B, N, V] split along "data" (N divisible by the mesh size),
    so the batch sums of CD-k become all-reduces. Returns `epoch(params, increments, key, momentum)`."""
    replicated = distributed.replicated(mesh)
    per_batch = (NamedSharding(mesh, PartitionSpec(None, distributed.DATA_AXIS))
                 if batches.shape[1] % distributed.mesh_size(mesh) == 0 else replicated)
    state = jax.tree_util.tree_map(lambda _: replicated, params)
    epoch = jax.jit(functools.partial(train_epoch, config=config),
                    in_shardings=(state, state, per_batch, replicated, replicated),
                    out_shardings=(state, state, replicated), donate_argnums=(0, 1))
    batches = jax.device_put(batches, per_batch)
    return lambda params, increments, key, momentum: epoch(params, increments, batches, key, momentum)


def train(key: jax.Array, data: jax.Array | np.ndarray, n_hidden: int, config: CDConfig,
          epochs: int, batch_size: int = 100,
          on_epoch: Callable[[int, float], None] | None = None, mesh=None):
    """Train one RBM on ``data`` [M, V] for ``epochs`` epochs of CD-k, data parallel over
    ``mesh`` (default ``aejax.distributed.current_mesh()``).

    Returns (params, history) with history a list of per-epoch reconstruction SSE per example
    (the epoch's summed squared error divided by the number of examples used).
    ``on_epoch(epoch, sse_per_example)`` is called after every epoch (1-based epoch).
    """
    mesh = distributed.current_mesh() if mesh is None else mesh
    data = jnp.asarray(data)
    init_key, batch_key, noise_key = jax.random.split(key, 3)
    params = init_params(init_key, data.shape[1], n_hidden, config.init_scale, data.dtype)
    batches = make_batches(data, batch_size, batch_key)
    n_examples = batches.shape[0] * batches.shape[1]
    epoch_fn = compile_epoch(params, batches, config, mesh)
    params = distributed.put_replicated(params, mesh)
    increments = distributed.put_replicated(init_increments(params), mesh)
    history = []
    for epoch in range(1, epochs + 1):
        params, increments, sse = epoch_fn(
            params, increments, jax.random.fold_in(noise_key, epoch), jnp.asarray(config.momentum(epoch), data.dtype))
        history.append(float(sse) / n_examples)
        if on_epoch is not None:
            on_epoch(epoch, history[-1])
    return params, history
