"""Sliding windows over series [L, C] and the way per-window scores return to the series' steps.

Windows of `size` consecutive steps every `stride` steps; window i covers steps starts[i] ..
starts[i] + size - 1. `sliding_windows` builds them at once; `WindowStream` builds them from
rows that arrive in pieces, and `StepAggregator` folds their scores back onto the steps, so a
long stream is scored with memory bounded by the chunk size (float32 windows, a few [size] carries).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

# How per-step window errors become one score per series step: step_mean: the error at that step,
# averaged over the windows covering it; window_mean / window_min: the mean / minimum over the
# covering windows of each window's mean error (window_min = SKAB's rule that a step is anomalous
# when all windows covering it are).
AGGREGATES = ("step_mean", "window_mean", "window_min")


def sliding_windows(values, size: int, stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """values [L, C] -> (windows [N, size, C] of values' dtype, starts [N]), N = (L - size) // stride + 1."""
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"sliding_windows expects values [L, C], got shape {values.shape}")
    if size < 1 or stride < 1:
        raise ValueError(f"window size ({size}) and stride ({stride}) must be positive")
    if size > len(values):
        raise ValueError(f"window size {size} is longer than the series ({len(values)} steps)")
    starts = np.arange(0, len(values) - size + 1, stride)
    view = np.lib.stride_tricks.sliding_window_view(values, size, axis=0)  # [L-size+1, C, size]
    return np.ascontiguousarray(view[starts].transpose(0, 2, 1)), starts


def window_labels(labels, starts, size: int) -> np.ndarray:
    """1 for each window containing at least one anomalous step, int32 [N]."""
    labels = np.asarray(labels, np.int64)
    covered = np.concatenate([[0], np.cumsum(labels)])
    starts = np.asarray(starts)
    return ((covered[starts + size] - covered[starts]) > 0).astype(np.int32)


def _check_fit(starts: np.ndarray, size: int, length: int) -> None:
    if len(starts) and (starts.min() < 0 or starts.max() + size > length):
        raise ValueError(f"windows of size {size} starting at {starts.min()}..{starts.max()} "
                         f"do not fit in a series of length {length}")


def steps_to_series(per_step_NxT, starts, length: int) -> np.ndarray:
    """Averages overlapping per-window step scores back onto the series time axis.

    per_step_NxT: scores of windows starting at `starts` [N]; returns [length] with the mean over
    every window covering each time step (NaN where no window covers it), so the result aligns
    index-for-index with the series' point labels.
    """
    per_step = np.asarray(per_step_NxT, np.float64)
    starts = np.asarray(starts, np.int64)
    n, size = per_step.shape
    if starts.shape != (n,):
        raise ValueError(f"starts has shape {starts.shape}, expected ({n},) for {n} windows")
    _check_fit(starts, size, length)
    index = (starts[:, None] + np.arange(size)[None, :]).ravel()
    total = np.bincount(index, weights=per_step.ravel(), minlength=length)
    count = np.bincount(index, minlength=length)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def windows_to_series(window_scores, starts, size: int, length: int, *, reduce: str = "mean") -> np.ndarray:
    """Spreads one score per window [N] over the steps each window covers: [length].

    reduce="mean": mean of the covering windows' scores; reduce="min": their minimum, so a step
    exceeds a threshold only when every window covering it does (SKAB's Conv-AE rule). NaN where
    no window covers a step.
    """
    window_scores = np.asarray(window_scores, np.float64)
    starts = np.asarray(starts, np.int64)
    if reduce == "mean":
        return steps_to_series(np.repeat(window_scores[:, None], size, axis=1), starts, length)
    if reduce != "min":
        raise ValueError(f"reduce={reduce!r} must be 'mean' or 'min'")
    _check_fit(starts, size, length)
    out = np.full(length, np.inf)
    index = (starts[:, None] + np.arange(size)[None, :]).ravel()
    np.minimum.at(out, index, np.repeat(window_scores, size))
    return np.where(np.isinf(out), np.nan, out)


def aggregate_steps(per_step_NxT, starts, length: int, aggregate: str) -> np.ndarray:
    """Per-step scores of a series [length] from its windows' per-step scores by `aggregate`."""
    if aggregate not in AGGREGATES:
        raise ValueError(f"score.aggregate={aggregate!r} must be one of {AGGREGATES}")
    if aggregate == "step_mean":
        return steps_to_series(per_step_NxT, starts, length)
    per_step = np.asarray(per_step_NxT, np.float64)
    return windows_to_series(per_step.mean(axis=1), starts, per_step.shape[1], length,
                             reduce=aggregate.split("_")[1])


class WindowStream:
    """Stride-1 windows of `size` steps over rows [n, C] pushed in order, in float32.

    `push(rows)` returns (starts [N], windows [N, size, C]) of every window completed by these
    rows (starts count from the first row ever pushed); only the last size - 1 rows are kept.
    """

    def __init__(self, size: int, channels: int):
        if size < 1:
            raise ValueError(f"window size {size} must be positive")
        self.size = size
        self._carry = np.zeros((0, channels), np.float32)
        self._seen = 0  # rows pushed so far

    def push(self, rows_nxC) -> tuple[np.ndarray, np.ndarray]:
        rows = np.concatenate([self._carry, np.asarray(rows_nxC, np.float32)])
        first = self._seen - len(self._carry)  # series index of rows[0]
        self._seen += len(rows) - len(self._carry)
        self._carry = rows[max(len(rows) - self.size + 1, 0):].copy()
        if len(rows) < self.size:
            return np.zeros(0, np.int64), np.zeros((0, self.size, rows.shape[1]), np.float32)
        windows, starts = sliding_windows(rows, self.size)
        return starts + first, windows

    @property
    def rows_seen(self) -> int:
        return self._seen


class StepAggregator:
    """Folds windows' per-step scores, pushed in order of window start (stride 1), onto the steps.

    `push(starts, per_step_NxT)` returns the scores of the steps that no later window covers (each
    step once, in order); `finish()` returns the rest. The values equal `aggregate_steps` over the
    whole series: contributions are accumulated one window at a time in the same order.
    """

    def __init__(self, size: int, aggregate: str = "step_mean"):
        if aggregate not in AGGREGATES:
            raise ValueError(f"score.aggregate={aggregate!r} must be one of {AGGREGATES}")
        self.size, self.aggregate = size, aggregate
        self._offset = 0  # series index of the first pending step
        self._next_start = 0
        self._value = np.zeros(0)
        self._count = np.zeros(0, np.int64)

    def push(self, starts, per_step_NxT) -> np.ndarray:
        starts = np.asarray(starts, np.int64)
        per_step = np.asarray(per_step_NxT, np.float64)
        if not len(starts):
            return np.zeros(0)
        if per_step.shape != (len(starts), self.size):
            raise ValueError(f"per-step scores of shape {per_step.shape}, expected ({len(starts)}, {self.size})")
        if starts[0] != self._next_start or np.any(np.diff(starts) != 1):
            raise ValueError(f"windows must arrive in order with stride 1: expected start {self._next_start}, "
                             f"got {starts[0]}..{starts[-1]}")
        self._next_start = int(starts[-1]) + 1
        end = int(starts[-1]) + self.size  # steps covered so far: [offset, end)
        grow = end - self._offset - len(self._value)
        fill = np.inf if self.aggregate == "window_min" else 0.0
        self._value = np.concatenate([self._value, np.full(grow, fill)])
        self._count = np.concatenate([self._count, np.zeros(grow, np.int64)])
        index = (starts[:, None] - self._offset + np.arange(self.size)[None, :]).ravel()
        if self.aggregate == "step_mean":
            np.add.at(self._value, index, per_step.ravel())
        elif self.aggregate == "window_mean":
            np.add.at(self._value, index, np.repeat(per_step.mean(axis=1), self.size))
        else:
            np.minimum.at(self._value, index, np.repeat(per_step.mean(axis=1), self.size))
        np.add.at(self._count, index, 1)
        return self._emit(int(starts[-1]) + 1)

    def finish(self) -> np.ndarray:
        return self._emit(self._offset + len(self._value))

    def _emit(self, stop: int) -> np.ndarray:
        k = stop - self._offset
        value, count = self._value[:k], self._count[:k]
        self._value, self._count, self._offset = self._value[k:], self._count[k:], stop
        if self.aggregate == "window_min":
            return np.where(count > 0, value, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, value / np.maximum(count, 1), np.nan)


def stream_windows(values_LxC, size: int, *, chunk: int = 4096) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(starts [n], float32 windows [n, size, C]) of all stride-1 windows of values, `chunk` at a time."""
    values = np.asarray(values_LxC)
    for first in range(0, max(len(values) - size + 1, 0), chunk):
        stop = min(first + chunk, len(values) - size + 1)
        windows, starts = sliding_windows(values[first:stop + size - 1].astype(np.float32, copy=False), size)
        yield starts + first, windows
