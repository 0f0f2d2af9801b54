"""Isolation Forest as a detector: scikit-learn grows the trees, NumPy scores them.

The fitted forest is kept (and saved) as plain arrays, one row of nodes per tree, so loading a
saved detector reads numbers only (`np.load(allow_pickle=False)`): no file in a work directory
can run code. Scores equal scikit-learn's `-score_samples` (tested).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from aejax.anomaly.detector import Detector

FOREST_FILE = "iforest.npz"
LEGACY_FILE = "iforest.pkl"


def _rows(x) -> np.ndarray:
    x = np.asarray(x, np.float64)
    return x.reshape(len(x), -1)


def average_path_length(n_samples) -> np.ndarray:
    """c(n): the mean depth of an unsuccessful search in a binary search tree of n points
    (Liu et al. 2008), 0 for n <= 1 and 1 for n = 2; as scikit-learn computes it."""
    n = np.asarray(n_samples, np.float64)
    out = np.zeros_like(n)
    big = n > 2
    out[n == 2] = 1.0
    out[big] = 2.0 * (np.log(n[big] - 1.0) + np.euler_gamma) - 2.0 * (n[big] - 1.0) / n[big]
    return out


@dataclasses.dataclass(frozen=True)
class Forest:
    """The trees as arrays [T, max nodes] (padded with -1 / 0), the feature subset of each tree
    [T, F], and the subsample size every tree was grown on."""

    left: np.ndarray        # int32, child index or -1 at a leaf
    right: np.ndarray       # int32
    feature: np.ndarray     # int32, index into the tree's features
    threshold: np.ndarray   # float64: go left when x[feature] <= threshold
    samples: np.ndarray     # int64, training points reaching each node
    features: np.ndarray    # int32 [T, F]
    max_samples: int

    @classmethod
    def from_sklearn(cls, forest) -> "Forest":
        trees = [e.tree_ for e in forest.estimators_]
        width = max(t.node_count for t in trees)

        def stack(name, fill, dtype):
            out = np.full((len(trees), width), fill, dtype)
            for i, t in enumerate(trees):
                out[i, : t.node_count] = getattr(t, name)
            return out

        return cls(stack("children_left", -1, np.int32), stack("children_right", -1, np.int32),
                   stack("feature", 0, np.int32), stack("threshold", 0.0, np.float64),
                   stack("n_node_samples", 0, np.int64),
                   np.stack([np.asarray(f, np.int32) for f in forest.estimators_features_]),
                   int(forest.max_samples_))

    def path_lengths(self, x) -> np.ndarray:
        """Mean over trees of each row's isolation depth plus c(points left in its leaf), [N].
        Rows are compared in float32, as scikit-learn's trees read them."""
        x = np.asarray(x, np.float32).astype(np.float64)
        total = np.zeros(len(x))
        for t in range(len(self.left)):
            xt = x[:, self.features[t]]
            node = np.zeros(len(x), np.int64)
            depth = np.zeros(len(x))
            inner = self.left[t, node] >= 0
            while inner.any():
                at = node[inner]
                goes_left = xt[inner, self.feature[t, at]] <= self.threshold[t, at]
                node[inner] = np.where(goes_left, self.left[t, at], self.right[t, at])
                depth[inner] += 1
                inner = self.left[t, node] >= 0
            total += depth + average_path_length(self.samples[t, node])
        return total / len(self.left)

    def score(self, x) -> np.ndarray:
        """Anomaly scores [N]: 2^(-mean depth / c(max_samples)) (= -score_samples)."""
        return 2.0 ** (-self.path_lengths(x) / average_path_length([self.max_samples])[0])

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: np.asarray(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_arrays(cls, arrays) -> "Forest":
        return cls(**{f.name: arrays[f.name] for f in dataclasses.fields(cls) if f.name != "max_samples"},
                   max_samples=int(arrays["max_samples"]))


class IForestDetector(Detector):
    """scikit-learn's IsolationForest with its defaults; score = -score_samples (higher = more
    anomalous), computed from the forest's arrays."""

    kind = "iforest"

    def __init__(self, *, seed: int = 0, n_estimators: int = 100, max_samples="auto"):
        self.seed, self.n_estimators, self.max_samples = seed, n_estimators, max_samples

    def fit(self, X, **_) -> "IForestDetector":
        from sklearn.ensemble import IsolationForest

        x = _rows(X)
        forest = IsolationForest(n_estimators=self.n_estimators, max_samples=self.max_samples, random_state=self.seed)
        self.forest_ = Forest.from_sklearn(forest.fit(x))
        self.train_scores_ = self.score(x)
        return self

    def _score(self, X) -> np.ndarray:
        return self.forest_.score(_rows(X))

    def _state(self) -> dict:
        return {"seed": self.seed, "n_estimators": self.n_estimators, "max_samples": self.max_samples}

    def _save_files(self, directory: Path) -> None:
        np.savez(directory / FOREST_FILE, **self.forest_.arrays())

    @classmethod
    def _from_state(cls, state: dict, directory: Path) -> "IForestDetector":
        path = directory / FOREST_FILE
        if not path.is_file() and (directory / LEGACY_FILE).is_file():
            raise ValueError(f"{directory / LEGACY_FILE}: an Isolation Forest saved with pickle by an older aejax, "
                             "which aejax no longer loads (a pickle can run code); fit the detector again")
        detector = cls(**state)
        with np.load(path, allow_pickle=False) as arrays:
            detector.forest_ = Forest.from_arrays(arrays)
        return detector
