"""Task "anomaly": runs `cfg.data.name` with the runner of its kind of data.

tables (aejax.tasks.anomaly_tables), series (anomaly_series), trajectories (anomaly_trajectories);
the detectors, thresholds and metrics they share are the library `aejax.anomaly`.
"""

from __future__ import annotations

from aejax import tasks
from aejax.data.anomaly import DATASETS
from aejax.tasks import anomaly_series, anomaly_tables, anomaly_trajectories

RUNNERS_BY_KIND = {"tabular": anomaly_tables.run_tabular, "tabular-splits": anomaly_tables.run_nsl_kdd,
                   "series": anomaly_series.run_series, "trajectories": anomaly_trajectories.run_trajectories}


@tasks.register("anomaly")
def run_anomaly(cfg, run) -> dict:
    """Dispatches on the kind of `cfg.data.name` (tabular, NSL-KDD splits, series, trajectories)."""
    if cfg.data.name not in DATASETS:
        raise ValueError(f"data.name {cfg.data.name!r} is not an anomaly dataset; known: {sorted(DATASETS)}")
    return RUNNERS_BY_KIND[DATASETS[cfg.data.name].kind](cfg, run)
