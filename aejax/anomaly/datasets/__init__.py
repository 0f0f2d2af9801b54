"""Anomaly-detection datasets by name: `load(name, data_dir=None)`.

Each entry reads the files staged under `$AEJAX_DATA_DIR/<folder>` (or `data_dir`) and returns
raw data; preprocessing is fitted later on the training rows of a protocol split.

| name | folder | returns |
|---|---|---|
| nsl_kdd | nsl_kdd | {"train", "test+", "test-21"} -> Table (label 1 = attack) |
| kddcup99 | kddcup99_10pct | Table ("normal." is the anomaly, DAGMM protocol) |
| the 31 ADBench classical sets (adbench.FILES: aloi, ..., thyroid, ..., wpbc) | adbench_classical | Table (all numeric) |
| nab | nab | list[Series] of the 7 realKnownCause streams |
| nab_other | nab | list[Series] of the 40 streams of NAB's other real folders (AWS, ad exchange, traffic, tweets) |
| skab | skab | list[Series] of the 34 labelled experiments |
| vmt | vmt_trajectories | Trajectories (1,500 tracks, 24 anomalies) |
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

from aejax.anomaly.datasets import adbench, kdd, streams, trajectories
from aejax.data.folders import DATA_DIR_ENV, data_folder

CACHE_DIR_ENV = "AEJAX_CACHE_DIR"


def cache_dir() -> Path:
    """Folder for parsed-data caches: $AEJAX_CACHE_DIR, else ~/.cache/aejax."""
    return Path(os.environ.get(CACHE_DIR_ENV) or Path.home() / ".cache" / "aejax")


@dataclasses.dataclass(frozen=True)
class AnomalyDataset:
    name: str
    folder: str
    kind: str  # "tabular-splits" | "tabular" | "series" | "trajectories"
    files: tuple[str, ...]  # files that must exist in the folder
    read: Callable[[Path], object]


def _adbench(name: str) -> AnomalyDataset:
    return AnomalyDataset(name, "adbench_classical", "tabular", (adbench.FILES[name],),
                          lambda folder: adbench.load_adbench(name, folder))


DATASETS: dict[str, AnomalyDataset] = {
    "nsl_kdd": AnomalyDataset("nsl_kdd", "nsl_kdd", "tabular-splits", tuple(kdd.NSL_KDD_FILES.values()),
                              kdd.load_nsl_kdd),
    "kddcup99": AnomalyDataset("kddcup99", "kddcup99_10pct", "tabular", (kdd.KDDCUP99_FILE,),
                               lambda folder: kdd.load_kddcup99(folder, cache_dir() / "anomaly")),
    **{name: _adbench(name) for name in adbench.FILES},
    "nab": AnomalyDataset("nab", "nab", "series", ("labels/combined_windows.json",), streams.load_nab),
    "nab_other": AnomalyDataset("nab_other", "nab", "series", ("labels/combined_windows.json",),
                                lambda folder: streams.load_nab(folder, streams.NAB_OTHER_REAL)),
    "skab": AnomalyDataset("skab", "skab", "series", ("data/valve1/0.csv",), streams.load_skab),
    "vmt": AnomalyDataset("vmt", "vmt_trajectories", "trajectories", ("CASIA_tjc.mat", "vmt_gt.txt"),
                          trajectories.load_vmt),
}


class MissingAnomalyDataError(FileNotFoundError):
    """The files of an anomaly dataset are not where they were looked for."""


def load(name: str, *, data_dir: str | os.PathLike | None = None):
    """Raw data of anomaly dataset `name` (see the module table for what each returns).

    `data_dir` is the dataset's own folder; default $AEJAX_DATA_DIR/<folder>.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown anomaly dataset {name!r}; known: {sorted(DATASETS)}")
    entry = DATASETS[name]
    folder = data_folder(entry.folder, data_dir)
    missing = [f for f in entry.files if folder is None or not (folder / f).is_file()]
    if missing:
        where = f"folder {folder}" if folder is not None else f"no folder (${DATA_DIR_ENV} is unset)"
        raise MissingAnomalyDataError(
            f"dataset {name!r}: missing {', '.join(missing)} in {where}. Pass --config.data.data_dir=DIR "
            f"with the dataset's files, or set ${DATA_DIR_ENV} to a root holding {entry.folder}/.")
    return entry.read(folder)
