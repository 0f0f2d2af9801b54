"""PyOD's detectors as the selection benchmark's baselines (the optional extra `aejax[baselines]`).

    train_NxD, test_MxD = minmax_scaled(x_train, x_test)          # ADBench scales every input so
    train_scores, test_scores = pyod_scores("knn", train_NxD, test_MxD, seed=0)

Each method runs with PyOD's defaults (`random_state=seed` where it takes one), on inputs min-max
scaled by the training rows, as ADBench runs them. One exception: PyOD's PCA weighs each principal
direction by 1 / its explained-variance ratio, which is exactly 0 for a direction without variance
(collinear columns: on cardio every score is infinite and the AUROC 0.5); its ratios are floored at
float64 eps, as aejax's own `PCADetector` floors them. Nothing else in aejax imports PyOD:
`aejax anomaly fit` never needs it.
"""

from __future__ import annotations

import importlib

import numpy as np

from aejax.anomaly.scores import rank_non_finite_highest

# method -> PyOD class, as "module:Class"
METHODS = {
    "iforest": "pyod.models.iforest:IForest",
    "ecod": "pyod.models.ecod:ECOD",
    "knn": "pyod.models.knn:KNN",
    "lof": "pyod.models.lof:LOF",
    "copod": "pyod.models.copod:COPOD",
    "pca": "pyod.models.pca:PCA",
}
SEEDED = ("iforest", "pca")  # the classes that take random_state


def pyod_class(method: str):
    """The PyOD class of `method`; an ImportError naming the extra when PyOD is not installed."""
    if method not in METHODS:
        raise ValueError(f"unknown PyOD baseline {method!r}; known: {sorted(METHODS)}")
    module, name = METHODS[method].split(":")
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError as err:
        raise ImportError(f"the PyOD baselines need PyOD: pip install 'aejax[baselines]' ({err})") from None


def minmax_scaled(x_train, x_test) -> tuple[np.ndarray, np.ndarray]:
    """x_train [N, D] and x_test [M, D] min-max scaled by x_train's columns (a constant column
    keeps unit scale), float64."""
    x_train, x_test = np.asarray(x_train, np.float64), np.asarray(x_test, np.float64)
    low, spread = x_train.min(axis=0), np.ptp(x_train, axis=0)
    spread = np.where(spread > 0, spread, 1.0)
    return (x_train - low) / spread, (x_test - low) / spread


def pyod_scores(method: str, x_train, x_test, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """PyOD `method` (defaults) fitted on x_train [N, D]: (training scores [N], scores of x_test
    [M]), float64, higher = more anomalous, non-finite scores as +inf."""
    from threadpoolctl import threadpool_limits

    cls = pyod_class(method)
    detector = cls(random_state=seed) if method in SEEDED else cls()
    x_train, x_test = np.asarray(x_train, np.float64), np.asarray(x_test, np.float64)
    with threadpool_limits(1), np.errstate(all="ignore"):
        detector.fit(x_train)
        if method == "pca":  # PyOD divides by ratios of exactly 0 (collinear columns): every score inf
            detector.selected_w_components_ = np.maximum(detector.selected_w_components_, np.finfo(np.float64).eps)
            detector.decision_scores_ = detector.decision_function(x_train)
        test = detector.decision_function(x_test)
    return rank_non_finite_highest(detector.decision_scores_), rank_non_finite_highest(test)
