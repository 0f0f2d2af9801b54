"""Pure train steps and the scan-over-epoch program built from them.

A step differentiates a loss in one of two forms:

- a plain function `loss_fn(params, batch, rng) -> (loss, aux)`: loss a scalar, aux a dict of
  scalars, `batch` any pytree of arrays with a leading batch axis;
- a `Loss`, which also reads the step count and the model's mutable collections (e.g.
  {"batch_stats": ...}) and returns them updated: what `aejax.objectives` builds.
"""
import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax

from aejax import distributed
from aejax.train.state import TrainState

LossFn = Callable[..., tuple[jax.Array, dict]]
Step = Callable[[TrainState, object], tuple[TrainState, dict]]


@dataclasses.dataclass(frozen=True)
class Loss:
    """`fn(params, batch, rng, *, step, collections) -> (loss, aux, collections)`: the loss of one
    train step at `step` (int32 scalar, the steps taken before it), the model's mutable
    `collections` read and returned updated (the same structure; {} for most models)."""

    fn: Callable

    def __call__(self, params, batch, rng, *, step=0, collections=None) -> tuple[jax.Array, dict]:
        """(loss, aux) on one batch, the collections' update dropped (a convenience for tests and
        evaluation)."""
        loss, aux, _ = self.fn(params, batch, rng, step=jnp.asarray(step, jnp.int32), collections=dict(collections or {}))
        return loss, aux

    @classmethod
    def of(cls, loss_fn: "LossFn | Loss") -> "Loss":
        """`loss_fn` as a Loss: a plain `loss_fn(params, batch, rng)` ignores step and collections."""
        if isinstance(loss_fn, Loss):
            return loss_fn
        return cls(lambda params, batch, rng, *, step, collections: (*loss_fn(params, batch, rng), collections))


def make_train_step(loss_fn: "LossFn | Loss", *, grad_norm: bool = False) -> Step:
    """`step(state, batch) -> (state, metrics)`: one gradient step, splitting the state's RNG
    and carrying the model's updated collections into the new state.

    metrics: "loss", the loss's aux entries and, with `grad_norm`, the global gradient norm. The
    norm is off by default: its extra passes over every gradient cost about 10 % of a step at
    batch 1000 and 15 % at batch 100 on CPU (`benchmarks/engine_speed.py`, engine vs
    engine_no_norms); turn it on (`train.log_grad_norm`) when diagnosing training.
    """
    loss = Loss.of(loss_fn)

    def step(state: TrainState, batch):
        rng, step_rng = jax.random.split(state.rng)

        def differentiated(params):
            value, aux, collections = loss.fn(params, batch, step_rng, step=state.step, collections=state.collections)
            return value, (aux, collections)

        (value, (aux, collections)), grads = jax.value_and_grad(differentiated, has_aux=True)(state.params)
        new_state = state.apply_gradients(grads).replace(rng=rng, collections=collections)
        metrics = {"loss": value, **aux}
        if grad_norm:
            metrics["grad_norm"] = optax.tree_utils.tree_norm(grads)
        return new_state, metrics

    return step


def num_batches(data, batch_size: int) -> int:
    """Full minibatches per epoch (the remainder of a permutation is dropped)."""
    n = jax.tree_util.tree_leaves(data)[0].shape[0]
    if batch_size > n:
        raise ValueError(f"batch_size {batch_size} is larger than the {n} training examples; lower train.batch_size")
    return n // batch_size


def epoch_order(state: TrainState, n: int, batch_size: int) -> tuple[TrainState, jax.Array]:
    """(state with a fresh RNG, example indices [steps, batch_size]): one epoch's batches, a
    permutation of the `n` examples keyed by a split of the state's RNG (the remainder dropped)."""
    steps = n // batch_size
    rng, perm_key = jax.random.split(state.rng)
    return state.replace(rng=rng), jax.random.permutation(perm_key, n)[: steps * batch_size].reshape(steps, batch_size)


def make_batch_step(step: Step, *, mesh=None):
    """`batch_step(state, data, idx [B]) -> (state, metrics)`: `step` on the examples `idx` of
    `data` (gathered on the device, sharded along the mesh's "data" axis)."""

    def batch_step(state: TrainState, data, idx):
        batch = jax.tree_util.tree_map(lambda a: jnp.take(a, idx, axis=0), data)
        return step(state, distributed.constrain_batch(batch, mesh))

    return batch_step


def make_epoch(step: Step, batch_size: int, *, mesh=None):
    """`epoch(state, data) -> (state, metrics [steps])`: one pass over a fresh permutation of
    `data` (a pytree with a leading example axis) as a single `lax.scan`; the permutation key is
    split from the state's RNG, so an epoch is a pure function of (state, data).

    With a `mesh` (jax.sharding.Mesh with axis "data"), each gathered batch is sharded along
    it; the permutation is over global example indices, so batches do not depend on the mesh.
    """
    batch_step = make_batch_step(step, mesh=mesh)

    def epoch(state: TrainState, data):
        state, order = epoch_order(state, jax.tree_util.tree_leaves(data)[0].shape[0], batch_size)
        state, metrics = jax.lax.scan(lambda s, idx: batch_step(s, data, idx), state, order)
        metrics["param_norm"] = optax.tree_utils.tree_norm(state.params)
        return state, metrics

    return epoch


def batched_map(fn: Callable, data, batch_size: int, *, mesh=None):
    """Apply `fn(batch) -> pytree of [b, ...]` over `data` in batches; returns [N, ...] outputs.

    Pads the last batch, runs one `lax.map`, and drops the padding: one compiled program for any N.
    Each batch is split across the devices of `mesh` (default: the mesh of an enclosing
    `aejax.distributed.use_mesh`, else none).
    """
    mesh = distributed.active_mesh() if mesh is None else mesh
    n = jax.tree_util.tree_leaves(data)[0].shape[0]
    batch_size = min(batch_size, n)
    padded = -(-n // batch_size) * batch_size

    def pad_and_split(a):
        a = jnp.pad(a, [(0, padded - n)] + [(0, 0)] * (a.ndim - 1))
        return a.reshape((padded // batch_size, batch_size) + a.shape[1:])

    batches = jax.tree_util.tree_map(pad_and_split, data)
    out = jax.lax.map(lambda batch: fn(distributed.constrain_batch(batch, mesh)), batches)
    return jax.tree_util.tree_map(lambda a: a.reshape((padded,) + a.shape[2:])[:n], out)
