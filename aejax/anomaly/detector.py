"""The detector interface, in PyOD's shape (pyod/models/base.py), with aejax's thresholds.

    detector = PCADetector().fit(x_train_NxD)          # fitted attributes end in "_"
    scores = detector.score(x_NxD)                     # float64 [N], higher = more anomalous
    detector.fit_threshold("percentile", q=99)         # on detector.train_scores_, label-free
    decisions = detector.predict(x_NxD)                # int32 [N]: 1 = anomalous
    detector.save(directory); load_detector(directory) # any kind, by the name saved with it

Unlike PyOD, the threshold is fitted separately (`fit_threshold`, or assign a `Threshold` to
`threshold_`) and says whether it used labels. A score that is NaN or infinite (a record whose
values overflow) comes out as +inf: the most anomalous, never "normal".
"""

from __future__ import annotations

import abc
import copy
import importlib
from pathlib import Path
from typing import ClassVar

import numpy as np

from aejax.anomaly.scores import rank_non_finite_highest
from aejax.anomaly.sealed import CorruptFileError, files_under, read_sealed, write_sealed
from aejax.anomaly.thresholds import Threshold, decide, fit_threshold

DETECTOR_FILE = "detector.json"
# kind -> "module:Class", imported when a saved detector of that kind is loaded
KINDS = {
    "pca": "aejax.anomaly.pca:PCADetector",
    "pca_reconstruction": "aejax.anomaly.pca:PCAReconstructionDetector",
    "iforest": "aejax.anomaly.iforest:IForestDetector",
    "knn": "aejax.anomaly.knn:KNNDetector",
    "combined": "aejax.anomaly.combined:CombinedDetector",
    "autoencoder": "aejax.anomaly.ae_detector:AutoencoderDetector",
    "series": "aejax.anomaly.series_detector:SeriesDetector",
}


class NotFittedError(RuntimeError):
    """A detector was used before `fit` (or a threshold before `fit_threshold`)."""


class Detector(abc.ABC):
    """fit(X) -> self; score(X) -> [N]; predict(X) -> 0/1 [N]; save(dir); load(dir).

    Subclasses implement `fit` (setting `train_scores_`), `_score`, `_state` / `_from_state` (JSON
    hyper-parameters and small fitted arrays) and, for large fitted state, `_save_files` /
    `_load_files`.
    """

    kind: ClassVar[str]
    threshold_: Threshold | None = None
    train_scores_: np.ndarray | None = None  # scores of the rows it was fitted on (PyOD: decision_scores_)

    @abc.abstractmethod
    def fit(self, X, **kwargs) -> "Detector":
        """Fits on X (rows [N, ...]; labels are never used) and sets `train_scores_`."""

    @abc.abstractmethod
    def _score(self, X) -> np.ndarray:
        """Raw anomaly scores [N] of X."""

    def fit_each(self, xs: list, *, run=None, tag: str = "model") -> list["Detector"]:
        """One fitted copy of this detector per training set in `xs` (one per series), tagged
        <tag>_<i>; detectors that can train several models at once override this."""
        return [copy.deepcopy(self).fit(x, run=run, tag=f"{tag}_{i}") for i, x in enumerate(xs)]

    def score(self, X) -> np.ndarray:
        """Anomaly scores float64 [N] of X, higher = more anomalous; non-finite -> +inf."""
        return rank_non_finite_highest(self._score(X))

    def score_steps(self, windows_NxTxC) -> np.ndarray:
        """Per-step scores [N, T] of windows: the window's score spread evenly over its T steps
        (reconstruction detectors override this with each step's own error)."""
        windows = np.asarray(windows_NxTxC)
        size = windows.shape[1]
        return np.repeat(self.score(windows)[:, None] / size, size, axis=1)

    def fit_threshold(self, policy: str, scores=None, labels=None, **params) -> Threshold:
        """Fits a threshold policy on `scores` (default: `train_scores_`) and keeps it as `threshold_`."""
        if scores is None:
            if self.train_scores_ is None:
                raise NotFittedError(f"{type(self).__name__} has no training scores: call fit first, or pass scores")
            scores = self.train_scores_
        self.threshold_ = fit_threshold(policy, scores, labels, **params)
        return self.threshold_

    def predict(self, X) -> np.ndarray:
        """0/1 decisions int32 [N] at `threshold_` (1 = anomalous)."""
        if self.threshold_ is None:
            raise NotFittedError(f"{type(self).__name__} has no threshold: call fit_threshold first")
        return decide(self.score(X), self.threshold_)

    @abc.abstractmethod
    def _state(self) -> dict:
        """JSON-serialisable hyper-parameters and small fitted arrays."""

    @classmethod
    @abc.abstractmethod
    def _from_state(cls, state: dict, directory: Path) -> "Detector":
        """The detector `_state` (and `_save_files` in `directory`) describe."""

    def _save_files(self, directory: Path) -> None:
        """Large fitted state beside detector.json (default: none)."""

    def save(self, directory) -> Path:
        """Writes detector.json (kind, threshold, state) and any files of the fitted state."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._save_files(directory)
        meta = {"kind": self.kind, "threshold": None if self.threshold_ is None else self.threshold_.to_dict(),
                "state": self._state()}
        write_sealed(directory / DETECTOR_FILE, meta, needs=files_under(directory, skip=(DETECTOR_FILE,)))
        return directory

    @classmethod
    def load(cls, directory) -> "Detector":
        """The detector saved in `directory` (its kind must be this class's)."""
        directory = Path(directory)
        meta = _read_meta(directory)
        if meta["kind"] != cls.kind:
            raise ValueError(f"{directory} holds a {meta['kind']!r} detector, not {cls.kind!r}; use load_detector")
        try:
            detector = cls._from_state(meta["state"], directory)
        except (OSError, ValueError, KeyError, TypeError) as err:
            if isinstance(err, CorruptFileError):
                raise
            raise CorruptFileError(f"{directory}: the saved {cls.kind} detector cannot be read "
                                   f"({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}); "
                                   "fit the detector again") from None
        detector.threshold_ = None if meta["threshold"] is None else Threshold.from_dict(meta["threshold"])
        return detector


def _read_meta(directory: Path) -> dict:
    path = directory / DETECTOR_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{directory} holds no saved detector ({DETECTOR_FILE} is missing)")
    return read_sealed(path)


def detector_class(kind: str) -> type[Detector]:
    """The class of detector kind `kind` (see KINDS)."""
    if kind not in KINDS:
        raise ValueError(f"unknown detector kind {kind!r}; known: {sorted(KINDS)}")
    module, name = KINDS[kind].split(":")
    return getattr(importlib.import_module(module), name)


def load_detector(directory) -> Detector:
    """The detector saved in `directory`, whatever its kind."""
    directory = Path(directory)
    return detector_class(_read_meta(directory)["kind"]).load(directory)
