"""ADBench "Classical" tabular sets (.npz with `X` [N, D] and `y` [N], 1 = anomaly)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aejax.anomaly.tables import Table, numeric_table

# ADBench file name of each set (Han et al. 2022, adbench/datasets/Classical).
FILES = {
    "thyroid": "38_thyroid.npz",
    "cardio": "6_cardio.npz",
    "shuttle": "32_shuttle.npz",
    "mammography": "23_mammography.npz",
    "http": "16_http.npz",
    "smtp": "34_smtp.npz",
}


def load_adbench(name: str, folder: Path) -> Table:
    """ADBench set `name` as an all-numeric Table (float64 features, int32 labels)."""
    if name not in FILES:
        raise ValueError(f"unknown ADBench set {name!r}; known: {sorted(FILES)}")
    with np.load(Path(folder) / FILES[name], allow_pickle=False) as z:
        x, y = z["X"], z["y"]
    return numeric_table(x.astype(np.float64), y.astype(np.int32))
