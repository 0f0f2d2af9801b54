"""`fit`: epochs as compiled scans (a program per step for convolutions on CPU), JSON-lines
metrics, a progress bar, a NaN/Inf guard and orbax checkpoints with resume."""
import time
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from tqdm.auto import tqdm

from aejax import distributed
from aejax.train.state import TrainState, from_checkpoint, to_checkpoint
from aejax.train.steps import Step, epoch_order, make_batch_step, make_epoch, num_batches


class NonFiniteLossError(FloatingPointError):
    """The training loss became NaN or Inf."""


def _check_finite(losses: np.ndarray, first_step: int, epoch: int, checkpoint_note: str) -> None:
    bad = np.flatnonzero(~np.isfinite(losses))
    if bad.size:
        step = first_step + int(bad[0]) + 1
        raise NonFiniteLossError(
            f"loss became {losses[bad[0]]} at step {step} (epoch {epoch + 1}); {checkpoint_note} "
            "Lower train.optimizer.learning_rate or set train.optimizer.grad_clip_norm and run again."
        )


class Fitted(NamedTuple):
    """What `fit` returns: the final state and the records it logged (`history`), in order."""

    state: TrainState
    history: list[dict]

    @property
    def params(self):
        return self.state.params


def compile_epoch(step: Step, batch_size: int, state: TrainState, data, mesh):
    """The epoch program `epoch(state, data) -> (state, metrics [steps])`, compiled for `mesh` with
    the state replicated (and donated) and the examples placed by
    `aejax.distributed.example_sharding`: `make_epoch`'s one scan, except for a step with a
    convolution on CPU, which runs as one compiled step per batch (`StepwiseEpoch`): XLA:CPU runs
    a convolution inside a loop body several times slower than outside one (jax-ml/jax#12868;
    benchmarks/README.md, "Convolutions in the epoch scan")."""
    state_sharding, examples = distributed.state_shardings(state, mesh), distributed.example_shardings(data, mesh)
    replicated = distributed.replicated(mesh)
    scan = jax.jit(make_epoch(step, batch_size, mesh=mesh), in_shardings=(state_sharding, examples),
                   out_shardings=(state_sharding, replicated), donate_argnums=0).lower(state, data)
    if mesh.devices.flat[0].platform != "cpu" or "convolution" not in scan.as_text():
        return scan.compile()
    idx = jax.ShapeDtypeStruct((batch_size,), np.int32)
    batch_step = jax.jit(make_batch_step(step, mesh=mesh), in_shardings=(state_sharding, examples, replicated),
                         out_shardings=(state_sharding, replicated), donate_argnums=0).lower(state, data, idx)
    return StepwiseEpoch(batch_step.compile(), batch_size, state, data, state_sharding)


class StepwiseEpoch:
    """`make_epoch`'s epoch (the same batches and keys, the same metrics) with the steps dispatched
    one by one: `batch_step(state, data, idx)`, compiled from `make_batch_step`, for each batch of
    indices sent from the host. `memory_analysis()` is the step program's."""

    def __init__(self, batch_step, batch_size: int, state: TrainState, data, state_sharding):
        n = jax.tree_util.tree_leaves(data)[0].shape[0]
        self.batch_step = batch_step
        self.order = jax.jit(lambda s: epoch_order(s, n, batch_size), in_shardings=(state_sharding,),
                             out_shardings=(state_sharding, None), donate_argnums=0).lower(state).compile()
        self.norm = jax.jit(optax.tree_utils.tree_norm, in_shardings=(state_sharding.params,)).lower(state.params).compile()

    def __call__(self, state: TrainState, data):
        state, order = self.order(state)
        metrics = []
        for idx in np.asarray(order):
            state, m = self.batch_step(state, data, idx)
            metrics.append(m)
        metrics = jax.tree_util.tree_map(lambda *per_step: jnp.stack(per_step), *metrics)
        return state, {**metrics, "param_norm": self.norm(state.params)}

    def memory_analysis(self):
        return self.batch_step.memory_analysis()


def fit(
    state: TrainState,
    step: Step,
    data,
    *,
    epochs: int,
    batch_size: int,
    run=None,
    checkpoints=None,
    checkpoint_every: int = 0,
    log_every: int = 100,
    evaluate: Callable[[TrainState], dict] | None = None,
    eval_every_epochs: int = 1,
    desc: str = "train",
    phase: str | None = None,
    mesh=None,
) -> Fitted:
    """Train `state` for `epochs` passes over `data` (a pytree of device arrays, leading axis =
    examples); returns `Fitted(state, history)`: the final state and the metric records of this
    call (with no `run` too, so a notebook needs no work directory).

    With `checkpoints` (an aejax.ckpt.Checkpoints), training resumes from the latest checkpoint and
    saves at the first epoch end after every `checkpoint_every` steps (0: only at the end); a
    checkpoint holds the whole state, the model's collections (e.g. batch_stats) included.
    `run.log` receives one JSON line per `log_every` steps (with that step's `loss`) and one per
    evaluation that returns numbers (with `epoch_loss`, the epoch's mean loss). `phase` tags every
    line (e.g. "pretrain/enc_1") when several fits share one metrics.jsonl.

    Data parallel over `mesh` (default `aejax.distributed.current_mesh()`: all devices): the
    examples are placed once, each batch is sharded along "data", the state is replicated.
    """
    steps_per_epoch = num_batches(data, batch_size)
    mesh = distributed.current_mesh() if mesh is None else mesh
    state = distributed.put_replicated(state, mesh)
    data = distributed.put_examples(data, mesh)
    tag = {"phase": phase} if phase else {}
    history: list[dict] = []

    def log(record: dict) -> None:
        history.append(record)
        if run is not None:
            run.log(record)

    start_epoch = 0
    if checkpoints is not None and checkpoints.latest_step() is not None:
        tree, _ = checkpoints.restore(to_checkpoint(state))
        state = from_checkpoint(state, tree)
        start_epoch = int(state.step) // steps_per_epoch
        if run is not None:
            run.rewind(phase, int(state.step))
            run.print(f"[{desc}] resumed from checkpoint at step {int(state.step)} (epoch {start_epoch})")
    if start_epoch >= epochs:
        return Fitted(state, history)

    t0 = time.perf_counter()
    epoch_fn = compile_epoch(step, batch_size, state, data, mesh)
    compile_s = time.perf_counter() - t0
    log({**tag, "event": "compiled", "compile_s": compile_s, "steps_per_epoch": steps_per_epoch,
         "devices": distributed.mesh_size(mesh)})

    last_saved = int(state.step)
    bar = tqdm(total=epochs, initial=start_epoch, desc=desc, unit="epoch", disable=run is not None and run.quiet)
    try:
        for epoch in range(start_epoch, epochs):
            first_step = int(state.step)
            t = time.perf_counter()
            state, metrics = epoch_fn(state, data)
            metrics = jax.device_get(metrics)
            seconds = time.perf_counter() - t
            note = (
                f"the last good checkpoint (step {checkpoints.latest_step()}) in {checkpoints.directory} is kept."
                if checkpoints is not None and checkpoints.latest_step() is not None
                else "no checkpoint was written yet."
            )
            _check_finite(np.asarray(metrics["loss"]), first_step, epoch, note)
            examples_per_s = steps_per_epoch * batch_size / seconds
            _log_steps(log, metrics, first_step, epoch, log_every, examples_per_s, tag)
            record = {"epoch": epoch + 1, "epoch_loss": float(np.mean(metrics["loss"]))}
            if evaluate is not None and ((epoch + 1) % eval_every_epochs == 0 or epoch + 1 == epochs):
                numbers = evaluate(state)
                record.update(numbers)
                if numbers:
                    log({**tag, "step": int(state.step), **record})
            bar.set_postfix({k: f"{v:.4g}" for k, v in record.items() if k != "epoch"})
            bar.update(1)
            step_now = int(state.step)
            due = checkpoint_every and step_now // checkpoint_every > last_saved // checkpoint_every
            if checkpoints is not None and (due or epoch + 1 == epochs):
                checkpoints.save(step_now, to_checkpoint(state), {"epoch": epoch + 1})
                last_saved = step_now
    finally:
        bar.close()
    return Fitted(state, history)


def _log_steps(log: Callable[[dict], None], metrics: dict, first_step: int, epoch: int, log_every: int, examples_per_s: float, tag: dict):
    steps = len(metrics["loss"])
    for i in range(steps):
        step = first_step + i + 1
        if step % log_every == 0 or i == steps - 1:
            record = {**tag, "step": step, "epoch": epoch + 1}
            for k, v in metrics.items():
                v = np.asarray(v)
                record[k] = float(v[i] if v.ndim else v)
            record["examples_per_s"] = examples_per_s
            log(record)
