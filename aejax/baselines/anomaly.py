"""Anomaly baselines run on the same split as the autoencoder: PCA reconstruction error
(the optimal linear autoencoder) and Isolation Forest (scikit-learn).

Each `fit_*` takes the training rows [N, D] and returns a scorer `x [M, D] -> scores [M]`,
higher = more anomalous, so the same threshold policies and metrics apply to every method.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.ensemble import IsolationForest
from threadpoolctl import threadpool_limits

from aejax.baselines import pca as pca_lib
from aejax.tasks.anomaly import reconstruction_scores

Scorer = Callable[[np.ndarray], np.ndarray]


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
    x_train = np.asarray(x_train, np.float64)
    with threadpool_limits(1):
        return _components(pca_lib.fit(x_train, x_train.shape[1]).variances, n_components)


def fit_pca_reconstruction(x_train, n_components: int | float = 0.9) -> Callable[[np.ndarray], np.ndarray]:
    """PCA fitted on `x_train` (components as in `pca_components_for`): x [M, D] -> reconstruction [M, D]."""
    x_train = np.asarray(x_train, np.float64)
    with threadpool_limits(1):  # a small eigendecomposition: one BLAS thread is many times faster on a busy CPU
        full = pca_lib.fit(x_train, x_train.shape[1])  # one eigendecomposition, then truncate
    k = _components(full.variances, n_components)
    model = pca_lib.PCA(full.mean, full.components[:k], full.variances[:k])
    return lambda x: pca_lib.reconstruct(model, x)


def fit_pca(x_train, n_components: int | float = 0.9) -> Scorer:
    """PCA reconstruction-error scorer: score = sum of squared reconstruction errors over features."""
    recon = fit_pca_reconstruction(x_train, n_components)
    return lambda x: reconstruction_scores(x, recon(x))


def fit_iforest(x_train, *, seed: int = 0, n_estimators: int = 100, max_samples="auto") -> Scorer:
    """Isolation Forest with scikit-learn defaults; score = -score_samples (higher = more anomalous)."""
    forest = IsolationForest(n_estimators=n_estimators, max_samples=max_samples, random_state=seed)
    forest.fit(np.asarray(x_train, np.float64))
    return lambda x: -forest.score_samples(np.asarray(x, np.float64))


BASELINES = {"pca": fit_pca, "iforest": fit_iforest}
