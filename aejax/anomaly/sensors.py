"""A synthetic sensor table whose anomalies break one correlation while every value stays in range
(system monitoring, IoT): the case a detector of extreme values misses.

    table = correlated_sensors(n=2000, rate=0.02, seed=0)   # Table: 3 numeric columns, 1 text column, labels

One load in [0, 1] drives temperature, pressure and current; a text column (idle / run / boost)
shifts temperature and current. An anomalous row redraws its pressure from the other rows'
pressures, so the value is an ordinary pressure that does not fit the row's load.
"""

from __future__ import annotations

import numpy as np

from aejax.anomaly.tables import CATEGORICAL, NUMERIC, Table

COLUMNS = ("temperature", "pressure", "current", "mode")
MODES = ("boost", "idle", "run")


def correlated_sensors(n: int = 2000, rate: float = 0.02, seed: int = 0) -> Table:
    """The sensor table of n rows, round(rate * n) of them anomalous (labels 1)."""
    rng = np.random.default_rng(seed)
    load = rng.uniform(0, 1, n)
    mode = rng.integers(0, len(MODES), n)
    offset = np.array([1.0, 0.0, 0.5])[mode]  # boost, idle, run
    temperature = 40 + 20 * load + 2 * offset + rng.normal(0, 0.5, n)
    pressure = 1.0 + 0.8 * load + rng.normal(0, 0.02, n)
    current = 5 + 10 * load + 3 * offset + rng.normal(0, 0.3, n)
    anomalous = rng.choice(n, int(round(rate * n)), replace=False)
    pressure[anomalous] = rng.permutation(pressure)[: len(anomalous)]
    labels = np.zeros(n, np.int32)
    labels[anomalous] = 1
    return Table(COLUMNS, (NUMERIC, NUMERIC, NUMERIC, CATEGORICAL), np.column_stack([temperature, pressure, current]),
                 mode[:, None].astype(np.int32), (MODES,), labels)
