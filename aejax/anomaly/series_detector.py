"""A series detector: any detector applied to sliding windows, its window scores folded back onto
the steps, so every step of a series gets a score.

    detector = SeriesDetector(AutoencoderDetector(cfg), size=32).fit({"pump-1": values_LxC, ...})
    step_scores = detector.score({"pump-1": values_LxC})        # float64 [L], one per step

Input: one series [L, C] (float feature rows in time order) or a dict series id -> [L_i, C];
scores come back concatenated in the same order. Windows are float32 and made `chunk` at a time
(`SeriesStream`), so a long multichannel stream is scored in bounded memory. With `per_series`,
each series gets its own window detector and its own threshold (SKAB's baseline fits one model
per file), and its scores are divided by that threshold, so 1 is the decision boundary of every
series. With `calibrate_per_series`, one pooled window detector is trained and each series gets a
copy of it calibrated on its own training windows (`calibrate`: the AE's residual standardisers).
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import numpy as np

from aejax.anomaly.detector import Detector, NotFittedError, load_detector
from aejax.anomaly.thresholds import Threshold, fit_threshold
from aejax.anomaly.windows import AGGREGATES, StepAggregator, WindowStream, sliding_windows

POOLED = ""  # the key of the one window detector shared by all series


def _as_series(X) -> dict[str, np.ndarray]:
    series = dict(X) if isinstance(X, dict) else {POOLED: X}
    out = {}
    for name, values in series.items():
        values = np.asarray(values)
        if values.ndim != 2:
            raise ValueError(f"series {name!r}: values must be [L, C] (steps x channels), got shape {values.shape}")
        out[name] = values
    return out


class SeriesDetector(Detector):
    """Per-step scores of series from a detector of windows [N, size, C] (`score_steps`).

    aggregate: how the windows covering a step combine (aejax.anomaly.windows.AGGREGATES);
    train_stride: every how many steps a training window starts (bounds the training set);
    chunk: windows scored at a time;
    calibrate_per_series (pooled only): one trained window detector, calibrated per series
    (its `calibrate(windows)` on that series' training windows), so only series seen in `fit` score.
    """

    kind = "series"

    def __init__(self, window_detector: Detector, *, size: int, aggregate: str = "step_mean",
                 train_stride: int = 1, per_series: bool = False, calibrate_per_series: bool = False,
                 chunk: int = 2048):
        if aggregate not in AGGREGATES:
            raise ValueError(f"aggregate={aggregate!r} must be one of {AGGREGATES}")
        if size < 1 or train_stride < 1:
            raise ValueError(f"window size ({size}) and train_stride ({train_stride}) must be positive")
        if calibrate_per_series and (per_series or not hasattr(window_detector, "calibrate")):
            raise ValueError("calibrate_per_series needs per_series=False and a window detector with a "
                             f"calibrate method; {type(window_detector).__name__} with per_series={per_series}")
        self.calibrate_per_series = calibrate_per_series
        self.window_detector, self.size, self.aggregate = window_detector, size, aggregate
        self.train_stride, self.per_series, self.chunk = train_stride, per_series, chunk
        self.series_thresholds_: dict[str, float] | None = None

    def _check_lengths(self, series: dict[str, np.ndarray]) -> None:
        short = {k: len(v) for k, v in series.items() if len(v) < self.size}
        if short:
            raise ValueError(f"series shorter than the window of {self.size} steps: "
                             + ", ".join(f"{k or 'the series'!s} ({n} steps)" for k, n in short.items()))

    def fit(self, X, *, run=None, tag: str = "model") -> "SeriesDetector":
        """Fits the window detector(s) on every `train_stride`-th window of each series, then scores
        every step of the training series (`train_scores_`)."""
        series = _as_series(X)
        self._check_lengths(series)
        self.channels_ = next(iter(series.values())).shape[1]
        windows = {k: sliding_windows(np.asarray(v, np.float32), self.size, self.train_stride)[0]
                   for k, v in series.items()}
        if self.per_series:
            self.detectors_ = dict(zip(windows, self.window_detector.fit_each(list(windows.values()), run=run, tag=tag)))
        else:
            pooled = self.window_detector.fit(np.concatenate(list(windows.values())), run=run, tag=tag)
            self.detectors_ = ({k: copy.copy(pooled).calibrate(w) for k, w in windows.items()}
                               if self.calibrate_per_series else {POOLED: pooled})
        del windows
        self.train_by_series_ = {k: self._raw_scores(k, v) for k, v in series.items()}
        self.train_scores_ = np.concatenate(list(self.train_by_series_.values()))
        return self

    def _detector_of(self, name: str) -> Detector:
        if POOLED in self.detectors_:
            return self.detectors_[POOLED]
        if name not in self.detectors_:
            raise ValueError(f"series {name!r} has no model: this detector was fitted (or calibrated) per series on "
                             f"{', '.join(map(repr, self.detectors_))}")
        return self.detectors_[name]

    def stream(self, name: str = POOLED) -> "SeriesStream":
        """A scorer of series `name` whose rows arrive in pieces."""
        return SeriesStream(self, name)

    def _raw_scores(self, name: str, values) -> np.ndarray:
        stream = SeriesStream(self, name, normalise=False)
        return np.concatenate([stream.push(values), stream.finish()])

    def _score(self, X) -> np.ndarray:
        series = _as_series(X)
        self._check_lengths(series)
        out = []
        for name, values in series.items():
            stream = self.stream(name)
            out += [stream.push(values), stream.finish()]
        return np.concatenate(out)

    def fit_threshold(self, policy: str, scores=None, labels=None, **params) -> Threshold:
        """Pooled: one threshold on the training steps' scores. Per series: one threshold per series
        on its own training scores; scores are then divided by it and `threshold_` is 1."""
        if not self.per_series or scores is not None:
            return super().fit_threshold(policy, scores, labels, **params)
        if self.train_scores_ is None:
            raise NotFittedError("SeriesDetector has no training scores: call fit first")
        fitted = {k: fit_threshold(policy, s, None, **params) for k, s in self.train_by_series_.items()}
        self.series_thresholds_ = {k: max(t.value, np.finfo(float).tiny) for k, t in fitted.items()}
        self.train_scores_ = np.concatenate([s / self.series_thresholds_[k] for k, s in self.train_by_series_.items()])
        first = next(iter(fitted.values()))
        self.threshold_ = Threshold(1.0, policy, first.uses_labels, {**params, "per_series": True})
        return self.threshold_

    def _state(self) -> dict:
        return {"size": self.size, "aggregate": self.aggregate, "train_stride": self.train_stride,
                "per_series": self.per_series, "calibrate_per_series": self.calibrate_per_series, "chunk": self.chunk, "channels": self.channels_,
                "series": list(self.detectors_), "series_thresholds": self.series_thresholds_}

    def _save_files(self, directory: Path) -> None:
        for i, detector in enumerate(self.detectors_.values()):
            detector.save(directory / f"window_{i}")

    @classmethod
    def _from_state(cls, state: dict, directory: Path) -> "SeriesDetector":
        detectors = {name: load_detector(directory / f"window_{i}") for i, name in enumerate(state["series"])}
        detector = cls(next(iter(detectors.values())), size=state["size"], aggregate=state["aggregate"],
                       train_stride=state["train_stride"], per_series=state["per_series"],
                       calibrate_per_series=state.get("calibrate_per_series", False), chunk=state["chunk"])
        detector.detectors_, detector.channels_ = detectors, state["channels"]
        detector.series_thresholds_ = state["series_thresholds"]
        return detector


@dataclasses.dataclass(eq=False)
class SeriesStream:
    """Scores one series whose rows [n, C] arrive in order: `push(rows)` returns the scores of
    the steps that are final (no later window covers them), `finish()` the rest. Holds at most
    size - 1 rows and `chunk` windows (float32) at a time."""

    detector: SeriesDetector
    name: str = POOLED
    normalise: bool = True

    def __post_init__(self):
        d = self.detector
        self._window_detector = d._detector_of(self.name)
        self._windows = WindowStream(d.size, d.channels_)
        self._steps = StepAggregator(d.size, d.aggregate)
        thresholds = d.series_thresholds_ if self.normalise and d.per_series else None
        self._divide = 1.0 if thresholds is None else thresholds[self.name]

    def push(self, rows_nxC) -> np.ndarray:
        rows = np.asarray(rows_nxC)
        if rows.ndim != 2 or rows.shape[1] != self.detector.channels_:
            raise ValueError(f"rows of series {self.name!r} must be [n, {self.detector.channels_}], got {rows.shape}")
        out = []
        for first in range(0, len(rows), self.detector.chunk):  # at most `chunk` new windows at a time
            starts, windows_NxTxC = self._windows.push(rows[first:first + self.detector.chunk])
            if len(starts):
                out.append(self._steps.push(starts, self._window_detector.score_steps(windows_NxTxC)))
        return np.concatenate(out) / self._divide if out else np.zeros(0)

    def finish(self) -> np.ndarray:
        if self._windows.rows_seen < self.detector.size:
            raise ValueError(f"series {self.name or 'of the input'!s} has {self._windows.rows_seen} steps, fewer than "
                             f"the window of {self.detector.size}")
        return self._steps.finish() / self._divide

