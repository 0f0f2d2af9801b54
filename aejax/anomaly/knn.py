"""k-nearest-neighbour distance as a detector: PyOD's KNN with its defaults (the distance to the
5th nearest training row, Euclidean), scikit-learn's NearestNeighbors finding the neighbours.

The reference rows are kept (and saved) as one float64 array, at most `max_rows` of them (a random
subset, seeded, where more were fitted), so scoring a record costs at most `max_rows` distances.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aejax.anomaly.detector import Detector

KNN_FILE = "knn.npz"


def _rows(x) -> np.ndarray:
    x = np.asarray(x, np.float64)
    return x.reshape(len(x), -1)


class KNNDetector(Detector):
    """Score = distance to the `n_neighbors`-th nearest reference row (PyOD KNN, method "largest");
    a training row's own distance 0 is not counted among its neighbours."""

    kind = "knn"

    def __init__(self, *, n_neighbors: int = 5, max_rows: int = 20_000, seed: int = 0):
        self.n_neighbors, self.max_rows, self.seed = int(n_neighbors), int(max_rows), int(seed)

    def _index(self):
        from sklearn.neighbors import NearestNeighbors

        return NearestNeighbors(n_neighbors=self.n_neighbors).fit(self.reference_)

    def fit(self, X, **_) -> "KNNDetector":
        from threadpoolctl import threadpool_limits

        x = _rows(X)
        if len(x) <= self.n_neighbors:
            raise ValueError(f"KNN with n_neighbors={self.n_neighbors} needs more training rows than that, got {len(x)}")
        kept = np.arange(len(x))
        if len(x) > self.max_rows:
            kept = np.sort(np.random.default_rng(self.seed).choice(len(x), self.max_rows, replace=False))
        self.reference_ = x[kept]
        with threadpool_limits(1):
            self.index_ = self._index()
            own, _ = self.index_.kneighbors(n_neighbors=self.n_neighbors)  # each reference row without itself
        scores = self._score(x)
        scores[kept] = own[:, -1]
        self.train_scores_ = scores
        return self

    def _score(self, X) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            distances, _ = self.index_.kneighbors(_rows(X), n_neighbors=self.n_neighbors)
        return distances[:, -1]

    def _state(self) -> dict:
        return {"n_neighbors": self.n_neighbors, "max_rows": self.max_rows, "seed": self.seed}

    def _save_files(self, directory: Path) -> None:
        np.savez(directory / KNN_FILE, reference=self.reference_)

    @classmethod
    def _from_state(cls, state: dict, directory: Path) -> "KNNDetector":
        detector = cls(**state)
        with np.load(directory / KNN_FILE, allow_pickle=False) as z:
            detector.reference_ = z["reference"]
        detector.index_ = detector._index()
        return detector
