"""0/1 label arrays (1 = anomaly), checked."""

from __future__ import annotations

import numpy as np


def binary_labels(labels, n: int | None = None) -> np.ndarray:
    """labels as int32 [N]; an error names any value other than 0 or 1, or a wrong length."""
    labels = np.asarray(labels)
    if n is not None and labels.shape != (n,):
        raise ValueError(f"labels have shape {labels.shape}, expected ({n},)")
    bad = ~np.isin(labels, (0, 1))
    if bad.any():
        raise ValueError(f"labels must be 0 (normal) or 1 (anomaly); found {np.unique(labels[bad])[:5]}")
    return labels.astype(np.int32)


def has_both_classes(labels) -> bool:
    """True when labels hold at least one normal (0) and one anomalous (1) example."""
    labels = np.asarray(labels)
    return labels.size > 0 and labels.min() != labels.max()
