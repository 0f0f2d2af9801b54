"""Conjugate gradients with Rasmussen's line search: a port of ``minimize.m`` (2006-02-23).

Hinton & Salakhutdinov fine-tuned their autoencoders with this routine: Polak-Ribiere
directions, a line search by cubic/quadratic extrapolation and interpolation that stops at
the strong Wolfe-Powell conditions, constants INT=0.1, EXT=3.0, MAX=20, RATIO=10, SIG=0.1,
RHO=SIG/2. ``length`` counts line searches; every call restarts along steepest descent.

The control flow runs on the host (it is a sequence of scalar decisions); every function and
gradient evaluation, and every vector operation, runs in a jitted JAX function on device.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree
from tqdm.auto import tqdm

from aejax.train.rbm import make_batches

INT = 0.1     # don't reevaluate within 0.1 of the limit of the current bracket
EXT = 3.0     # extrapolate maximum 3 times the current step size
MAX = 20      # max 20 function evaluations per line search
RATIO = 10.0  # maximum allowed slope ratio
SIG = 0.1     # SIG and RHO are the constants in the Wolfe-Powell conditions
RHO = SIG / 2
REALMIN = 2.2250738585072014e-308


@dataclasses.dataclass
class MinimizeResult:
    """x: the final point; values: f at the start and after each successful line search;
    line_searches: line searches started; evaluations: function/gradient evaluations;
    host_syncs: device-to-host transfers of a scalar (f, a dot product, a finiteness test), each
    a round trip that the host-driven control flow waits for."""

    x: Any
    values: list[float]
    line_searches: int
    evaluations: int
    host_syncs: int


def _finite(value: float) -> bool:
    return math.isfinite(value)


def minimize(value_and_grad: Callable[[jax.Array], tuple[jax.Array, jax.Array]], x: jax.Array,
             length: int, red: float = 1.0) -> MinimizeResult:
    """Minimise f from ``x`` (a flat vector) with at most ``length`` line searches.

    Args:
      value_and_grad: x -> (f(x) scalar, df/dx with x's shape); should be jitted.
      x: starting point, 1-D array.
      length: maximum number of line searches (positive).
      red: expected reduction of f in the first line search (first step = red / (1 + |g|^2)).
    Returns:
      MinimizeResult.
    """
    if length <= 0:
        raise ValueError(f"length={length}: the number of line searches must be positive.")
    evaluations = host_syncs = 0

    def evaluate(point):
        nonlocal evaluations, host_syncs
        evaluations += 1
        host_syncs += 1
        f, g = value_and_grad(point)
        return float(f), g

    def dot(a, b):
        nonlocal host_syncs
        host_syncs += 1
        return float(jnp.vdot(a, b))

    def all_finite(a):
        nonlocal host_syncs
        host_syncs += 1
        return bool(jnp.all(jnp.isfinite(a)))

    i = 0
    ls_failed = False
    f0, df0 = evaluate(x)
    values = [f0]
    s = -df0
    d0 = -dot(s, s)
    x3 = red / (1.0 - d0)
    while i < length:
        i += 1
        X0, F0, dF0 = x, f0, df0
        M = MAX
        # Extrapolation.
        while True:
            x2, f2, d2, f3, df3 = 0.0, f0, d0, f0, df0
            success = False
            while not success and M > 0:
                M -= 1
                f3, df3 = evaluate(x + x3 * s)
                if _finite(f3) and all_finite(df3):
                    success = True
                else:
                    x3 = (x2 + x3) / 2.0
            if f3 < F0:
                X0, F0, dF0 = x + x3 * s, f3, df3
            d3 = dot(df3, s)
            if d3 > SIG * d0 or f3 > f0 + x3 * RHO * d0 or M == 0:
                break
            x1, f1, d1 = x2, f2, d2
            x2, f2, d2 = x3, f3, d3
            A = 6.0 * (f1 - f2) + 3.0 * (d2 + d1) * (x2 - x1)
            B = 3.0 * (f2 - f1) - (2.0 * d1 + d2) * (x2 - x1)
            discriminant = B * B - A * d1 * (x2 - x1)
            denominator = B + math.sqrt(discriminant) if discriminant >= 0 else math.nan
            x3 = x1 - d1 * (x2 - x1) ** 2 / denominator if denominator != 0 else math.nan
            if not _finite(x3) or x3 < 0:
                x3 = x2 * EXT
            elif x3 > x2 * EXT:
                x3 = x2 * EXT
            elif x3 < x2 + INT * (x2 - x1):
                x3 = x2 + INT * (x2 - x1)
        # Interpolation.
        x4 = f4 = d4 = math.nan
        while (abs(d3) > -SIG * d0 or f3 > f0 + x3 * RHO * d0) and M > 0:
            if d3 > 0 or f3 > f0 + x3 * RHO * d0:
                x4, f4, d4 = x3, f3, d3
            else:
                x2, f2, d2 = x3, f3, d3
            if f4 > f0:
                denominator = f4 - f2 - d2 * (x4 - x2)
                x3 = (x2 - (0.5 * d2 * (x4 - x2) ** 2) / denominator
                      if denominator != 0 else math.nan)
            else:
                A = 6.0 * (f2 - f4) / (x4 - x2) + 3.0 * (d4 + d2)
                B = 3.0 * (f4 - f2) - (2.0 * d2 + d4) * (x4 - x2)
                discriminant = B * B - A * d2 * (x4 - x2) ** 2
                x3 = (x2 + (math.sqrt(discriminant) - B) / A
                      if discriminant >= 0 and A != 0 else math.nan)
            if not _finite(x3):
                x3 = (x2 + x4) / 2.0
            x3 = max(min(x3, x4 - INT * (x4 - x2)), x2 + INT * (x4 - x2))
            f3, df3 = evaluate(x + x3 * s)
            if f3 < F0:
                X0, F0, dF0 = x + x3 * s, f3, df3
            M -= 1
            d3 = dot(df3, s)
        if abs(d3) < -SIG * d0 and f3 < f0 + x3 * RHO * d0:
            # Line search succeeded: accept, then a Polak-Ribiere direction.
            x, f0 = x + x3 * s, f3
            values.append(f0)
            s = (dot(df3, df3) - dot(df0, df3)) / dot(df0, df0) * s - df3
            df0 = df3
            d3, d0 = d0, dot(df0, s)
            if d0 > 0:
                s = -df0
                d0 = -dot(s, s)
            x3 = x3 * min(RATIO, d3 / (d0 - REALMIN))
            ls_failed = False
        else:
            # Line search failed: restore the best point, retry along steepest descent once.
            x, f0, df0 = X0, F0, dF0
            if ls_failed or i > length:
                break
            s = -df0
            d0 = -dot(s, s)
            x3 = 1.0 / (1.0 - d0)
            ls_failed = True
    return MinimizeResult(x=x, values=values, line_searches=i, evaluations=evaluations,
                          host_syncs=host_syncs)


def minimize_pytree(loss_fn: Callable[..., jax.Array], params: Any, *args, length: int = 3,
                    red: float = 1.0, dtype=None, value_and_grad=None):
    """Run ``minimize`` on ``loss_fn(params, *args)`` over a params pytree.

    The pytree is flattened with ``ravel_pytree``. ``dtype`` (e.g. ``jnp.float64``, which needs
    ``jax.enable_x64``) sets the precision of the search (``args`` are passed unchanged, so cast
    them too); the result comes back in the parameters' original dtypes. Pass ``value_and_grad``
    (from ``make_flat_value_and_grad``) to reuse one compiled function across calls.
    Returns (params, MinimizeResult).
    """
    work = params if dtype is None else jax.tree_util.tree_map(lambda p: p.astype(dtype), params)
    flat, unravel = ravel_pytree(work)
    if value_and_grad is None:
        value_and_grad = make_flat_value_and_grad(loss_fn, unravel)
    result = minimize(lambda v: value_and_grad(v, *args), flat, length, red)
    new_params = jax.tree_util.tree_map(lambda new, old: new.astype(old.dtype),
                                        unravel(result.x), params)
    return new_params, result


def make_flat_value_and_grad(loss_fn: Callable[..., jax.Array], unravel: Callable):
    """jit(value_and_grad) of ``flat, *args -> loss_fn(unravel(flat), *args)``."""
    return jax.jit(jax.value_and_grad(lambda flat, *args: loss_fn(unravel(flat), *args)))


# ---------------------------------------------------------------- the paper's fine-tuning loop
def fit_cg(loss_fn: Callable[[Any, jax.Array], jax.Array], params: Any, train_x, run, *, epochs: int,
           batch_size: int = 1000, line_searches: int = 3, float64: bool = False,
           checkpoint_seconds: float = 60.0, key: jax.Array, evaluate: Callable[[Any], dict],
           eval_every_epochs: int = 1) -> Any:
    """Hinton & Salakhutdinov's fine-tuning: ``loss_fn(params, x [B, D]) -> mean loss`` minimised
    over fixed batches of ``batch_size`` rows of ``train_x`` (cut once with ``key``), ``minimize``
    with ``line_searches`` line searches per batch, restarted per batch; optionally in float64.
    Returns the parameters in their original dtypes.

    CG keeps no state from one batch to the next, so the training state is the parameters in the
    working precision plus the position (epoch, batch, the epoch's losses so far). It is
    checkpointed in ``run``'s "finetune_cg" at every epoch end and, within epochs, after the first
    batch that ends ``checkpoint_seconds`` of wall time after the last save (0: after every
    batch); a rerun resumes at the next batch and ends with exactly the parameters of an
    uninterrupted run. Each epoch's record (phase "finetune") also counts the function evaluations
    and host round trips of its ``minimize`` calls (the line search is driven from the host; on an
    accelerator every round trip is a device synchronisation), and every ``eval_every_epochs``
    epochs (and after the last) holds ``evaluate(params)``."""
    dtype = jnp.float64 if float64 else jnp.float32
    ckpts = run.checkpoints("finetune_cg")
    with jax.enable_x64(float64):
        batches = make_batches(jnp.asarray(train_x, dtype), batch_size, key)
        n_batches = batches.shape[0]
        work = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype), params)
        at = _position(0)
        if ckpts.latest_step() is not None:
            work, saved = ckpts.restore(work)
            at.update(saved)
            run.print(f"[cg] resumed at epoch {at['epoch'] + 1}, batch {at['batch']} of {n_batches}")
        _, unravel = ravel_pytree(work)

        def as_params(w):
            return jax.tree_util.tree_map(lambda new, old: jnp.asarray(new, old.dtype), w, params)

        value_and_grad = make_flat_value_and_grad(loss_fn, unravel)
        bar = tqdm(total=epochs * n_batches, initial=at["epoch"] * n_batches + at["batch"],
                   desc="fine-tune (CG)", unit="batch", disable=run.quiet)
        postfix = _last_test_metrics(run)
        last_save = time.perf_counter()
        try:
            while at["epoch"] < epochs:
                t = time.perf_counter()
                work, result = minimize_pytree(loss_fn, work, batches[at["batch"]], length=line_searches,
                                               value_and_grad=value_and_grad)
                at["values"].append(result.values[-1])
                at["evaluations"] += result.evaluations
                at["host_syncs"] += result.host_syncs
                at["batch"] += 1
                at["seconds"] += time.perf_counter() - t
                if at["batch"] == n_batches:
                    record = _epoch_record(at, n_batches)
                    done = at["epoch"] + 1
                    if done % eval_every_epochs == 0 or done == epochs:
                        record.update(evaluate(as_params(work)))
                        postfix = {k: v for k, v in record.items() if k.startswith("test_")}
                    run.log(record)
                    run.print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                       for k, v in record.items()))
                    at = _position(done)
                bar.set_postfix({"epoch": at["epoch"] + 1, "loss": f"{result.values[-1]:.4g}",
                                 **{k: f"{v:.4g}" for k, v in postfix.items()}}, refresh=False)
                bar.update(1)
                if at["batch"] == 0 or time.perf_counter() - last_save >= checkpoint_seconds:
                    ckpts.save(at["epoch"] * n_batches + at["batch"], work, at)
                    last_save = time.perf_counter()
        finally:
            bar.close()
        return as_params(work)


def _position(epochs_done: int) -> dict:
    """The fine-tuning position at the start of epoch ``epochs_done + 1``: the checkpoint's JSON
    record (with the epoch's losses, evaluations, host round trips and seconds so far)."""
    return {"epoch": epochs_done, "batch": 0, "values": [], "evaluations": 0, "host_syncs": 0, "seconds": 0.0}


def _epoch_record(at: dict, n_batches: int) -> dict:
    """The metrics line of a finished epoch (``at``: its position after the last batch)."""
    return {"phase": "finetune", "epoch": at["epoch"] + 1, "epoch_loss": float(np.mean(at["values"])),
            "epoch_seconds": at["seconds"], "evaluations_per_batch": at["evaluations"] / n_batches,
            "host_syncs_per_batch": at["host_syncs"] / n_batches}


def _last_test_metrics(run) -> dict:
    """The test metrics of the last fine-tuning evaluation logged in ``run`` (for a resumed
    progress bar), or {}."""
    for record in reversed(run.history()):
        if record.get("phase") == "finetune" and any(k.startswith("test_") for k in record):
            return {k: v for k, v in record.items() if k.startswith("test_")}
    return {}
