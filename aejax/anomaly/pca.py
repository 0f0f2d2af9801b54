"""PCA detectors: `PCADetector` scores as PyOD's PCA does (what ADBench's PCA numbers measure);
`PCAReconstructionDetector` scores by the reconstruction error of the top components (the
optimal linear autoencoder). Inputs [N, ...] are flattened to rows [N, D]."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.spatial.distance import cdist
from threadpoolctl import threadpool_limits

from aejax.anomaly.detector import Detector
from aejax.anomaly.scores import reconstruction_scores, step_scores
from aejax.baselines import pca as pca_lib

PCA_FILE = "pca.npz"


def _rows(x) -> np.ndarray:
    x = np.asarray(x, np.float64)
    return x.reshape(len(x), -1)


class PCADetector(Detector):
    """PyOD's PCA (`pyod.models.pca.PCA` with its defaults: standardisation, every component,
    eigenvalue weights): rows are standardised with the training mean and std, and the score is
    sum_j ||z - v_j|| / r_j over the unit principal directions v_j and their explained-variance
    ratios r_j, so the directions of least variance weigh most.

    Ratios are floored at float64 eps, so a direction without variance (one-hot blocks, constant
    columns) weighs 1/eps instead of dividing by zero.
    """

    kind = "pca"

    def __init__(self, n_components: int | None = None):
        self.n_components = n_components  # None: all min(N, D) components, as PyOD's default

    def fit(self, X, **_) -> "PCADetector":
        x = _rows(X)
        n, d = x.shape
        k = min(n, d) if self.n_components is None else int(self.n_components)
        if not 1 <= k <= min(n, d):
            raise ValueError(f"n_components={k} must lie between 1 and min(rows, columns) = {min(n, d)}")
        mean, var = x.mean(axis=0), x.var(axis=0)
        eps = np.finfo(np.float64).eps
        constant = var <= n * eps * var + (n * mean * eps) ** 2  # scikit-learn's StandardScaler rule
        self.mean_, self.scale_ = mean, np.where(constant, 1.0, np.sqrt(var))
        z = (x - self.mean_) / self.scale_
        centred = z - z.mean(axis=0)
        with threadpool_limits(1):  # a small eigendecomposition: one BLAS thread is faster on a busy CPU
            eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred)
        eigenvalues = np.maximum(eigenvalues[::-1], 0.0)
        components = eigenvectors[:, ::-1].T  # [D, D], largest variance first
        # scikit-learn's sign convention (svd_flip on the rows): each row's largest |entry| is positive
        components *= np.sign(components[np.arange(d), np.argmax(np.abs(components), axis=1)])[:, None]
        ratios = eigenvalues / eigenvalues.sum()
        self.components_ = components[:k]
        self.weights_ = np.maximum(ratios[:k], eps)
        self.train_scores_ = self.score(x)
        return self

    def _score(self, X) -> np.ndarray:
        z = (_rows(X) - self.mean_) / self.scale_
        return (cdist(z, self.components_) / self.weights_).sum(axis=1)

    def _state(self) -> dict:
        return {"n_components": self.n_components}

    def _save_files(self, directory: Path) -> None:
        np.savez(directory / PCA_FILE, mean=self.mean_, scale=self.scale_, components=self.components_,
                 weights=self.weights_)

    @classmethod
    def _from_state(cls, state: dict, directory: Path) -> "PCADetector":
        detector = cls(state["n_components"])
        with np.load(directory / PCA_FILE) as z:
            detector.mean_, detector.scale_ = z["mean"], z["scale"]
            detector.components_, detector.weights_ = z["components"], z["weights"]
        return detector


def _components(variances: np.ndarray, n_components: int | float) -> int:
    d = len(variances)
    if isinstance(n_components, (int, np.integer)) and not isinstance(n_components, bool):
        if not 1 <= n_components <= d:
            raise ValueError(f"n_components={n_components} must lie between 1 and the dimension {d}")
        return int(n_components)
    if not 0.0 < n_components < 1.0:
        raise ValueError(f"n_components={n_components} must be an int or a variance fraction in (0, 1)")
    explained = np.cumsum(variances) / max(variances.sum(), np.finfo(float).tiny)
    return int(min(np.searchsorted(explained, n_components - 1e-12) + 1, d))


def pca_components_for(x_train, n_components: int | float) -> int:
    """An int is used as is; a float in (0, 1) picks the fewest components explaining at least
    that fraction of the training variance."""
    x_train = _rows(x_train)
    with threadpool_limits(1):
        return _components(pca_lib.fit(x_train, x_train.shape[1]).variances, n_components)


class PCAReconstructionDetector(Detector):
    """Score = sum of squared errors of the reconstruction from the top principal components
    (`n_components`: a count, or the fewest components explaining that variance fraction)."""

    kind = "pca_reconstruction"

    def __init__(self, n_components: int | float = 0.9):
        self.n_components = n_components

    def fit(self, X, **_) -> "PCAReconstructionDetector":
        x = _rows(X)
        with threadpool_limits(1):  # a small eigendecomposition: one BLAS thread is many times faster on a busy CPU
            full = pca_lib.fit(x, x.shape[1])  # one eigendecomposition, then truncate
        k = _components(full.variances, self.n_components)
        self.pca_ = pca_lib.PCA(full.mean, full.components[:k], full.variances[:k])
        self.train_scores_ = self.score(x)
        return self

    def reconstruct(self, X) -> np.ndarray:
        """Reconstructions of X, same shape."""
        x = np.asarray(X, np.float64)
        return pca_lib.reconstruct(self.pca_, x.reshape(len(x), -1)).reshape(x.shape)

    def _score(self, X) -> np.ndarray:
        x = _rows(X)
        return reconstruction_scores(x, pca_lib.reconstruct(self.pca_, x))

    def score_steps(self, windows_NxTxC) -> np.ndarray:
        """Each step's squared reconstruction error summed over channels, [N, T]."""
        return step_scores(windows_NxTxC, self.reconstruct(windows_NxTxC))

    def _state(self) -> dict:
        return {"n_components": self.n_components}

    def _save_files(self, directory: Path) -> None:
        np.savez(directory / PCA_FILE, mean=self.pca_.mean, components=self.pca_.components,
                 variances=self.pca_.variances)

    @classmethod
    def _from_state(cls, state: dict, directory: Path) -> "PCAReconstructionDetector":
        detector = cls(state["n_components"])
        with np.load(directory / PCA_FILE) as z:
            detector.pca_ = pca_lib.PCA(z["mean"], z["components"], z["variances"])
        return detector
