"""`fit`: epochs as compiled scans, JSON-lines metrics, a progress bar, a NaN/Inf guard and
orbax checkpoints with resume."""
import time
from collections.abc import Callable
from typing import NamedTuple

import jax
import numpy as np
from tqdm.auto import tqdm

from aejax import distributed
from aejax.train.state import TrainState, from_checkpoint, to_checkpoint
from aejax.train.steps import Step, make_epoch, num_batches


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
    """The epoch program of `make_epoch`, compiled for `mesh` with the state replicated, the
    examples placed by `aejax.distributed.example_sharding` and the state donated.
    Returns `epoch(state, data) -> (state, metrics)`."""
    state_sharding = distributed.state_shardings(state, mesh)
    return jax.jit(
        make_epoch(step, batch_size, mesh=mesh),
        in_shardings=(state_sharding, distributed.example_shardings(data, mesh)),
        out_shardings=(state_sharding, distributed.replicated(mesh)),
        donate_argnums=0,
    ).lower(state, data).compile()


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
    `run.log` receives one JSON line per `log_every` steps and one per evaluation that returns
    numbers. `phase` tags every line (e.g. "pretrain/enc_1") when several fits share one metrics.jsonl.

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
            record = {"epoch": epoch + 1, "loss": float(np.mean(metrics["loss"]))}
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
