"""Isolation Forest (scikit-learn) as a detector; inputs [N, ...] are flattened to rows [N, D]."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
from sklearn.ensemble import IsolationForest

from aejax.anomaly.detector import Detector

FOREST_FILE = "iforest.pkl"


def _rows(x) -> np.ndarray:
    x = np.asarray(x, np.float64)
    return x.reshape(len(x), -1)


class IForestDetector(Detector):
    """scikit-learn's IsolationForest with its defaults; score = -score_samples (higher = more
    anomalous). Saved with pickle: load only directories you wrote."""

    kind = "iforest"

    def __init__(self, *, seed: int = 0, n_estimators: int = 100, max_samples="auto"):
        self.seed, self.n_estimators, self.max_samples = seed, n_estimators, max_samples

    def fit(self, X, **_) -> "IForestDetector":
        self.forest_ = IsolationForest(n_estimators=self.n_estimators, max_samples=self.max_samples,
                                       random_state=self.seed)
        x = _rows(X)
        self.forest_.fit(x)
        self.train_scores_ = self.score(x)
        return self

    def _score(self, X) -> np.ndarray:
        return -self.forest_.score_samples(_rows(X))

    def _state(self) -> dict:
        return {"seed": self.seed, "n_estimators": self.n_estimators, "max_samples": self.max_samples}

    def _save_files(self, directory: Path) -> None:
        (directory / FOREST_FILE).write_bytes(pickle.dumps(self.forest_))

    @classmethod
    def _from_state(cls, state: dict, directory: Path) -> "IForestDetector":
        detector = cls(**state)
        detector.forest_ = pickle.loads((directory / FOREST_FILE).read_bytes())
        return detector
