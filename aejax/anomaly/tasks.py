"""Task "anomaly": runs `cfg.data.name` with the runner of its kind of data.

tables (aejax.anomaly.run_tables), series (run_series), trajectories (run_trajectories);
the detectors, thresholds and metrics they share are the library `aejax.anomaly`.
"""

from __future__ import annotations

from aejax import tasks
from aejax.anomaly.datasets import DATASETS
from aejax.anomaly import run_series, run_tables, run_trajectories

RUNNERS_BY_KIND = {"tabular": run_tables.run_tabular, "tabular-splits": run_tables.run_nsl_kdd,
                   "series": run_series.run_series, "trajectories": run_trajectories.run_trajectories}


@tasks.register("anomaly")
def run_anomaly(cfg, run) -> dict:
    """Dispatches on the kind of `cfg.data.name` (tabular, NSL-KDD splits, series, trajectories)."""
    if cfg.data.name not in DATASETS:
        raise ValueError(f"data.name {cfg.data.name!r} is not an anomaly dataset; known: {sorted(DATASETS)}")
    return RUNNERS_BY_KIND[DATASETS[cfg.data.name].kind](cfg, run)
