"""The selection benchmark's cells: one (set, scenario, seed) of ADBench's classical sets under its
protocol, and the scores of every method on it, cached on disk.

    cell = load_cell("cardio", "dependency", seed=0)       # real rows, or a synthetic type
    x = cell.training("one-class")                         # [N, D] raw rows the detector fits
    store = ScoreStore(root); store.get(cell, "unsupervised", "pyod_knn")

ADBench's protocol (its `data_generator.py`): a set above MAX_ROWS rows is subsampled to MAX_ROWS
(here stratified, so that every seed keeps the set's anomaly rate; ADBench draws plainly), seeded;
a synthetic scenario replaces the rows by ADBench's type generated from the normal rows (as many
normal and anomalous rows as the set has: aejax.anomaly.synthetic); the rows are split 70/30,
stratified. Unsupervised: the detector fits the contaminated 70 %; one-class: its normal rows only.
The test 30 % is scored. ADBench also repeats sets below 1,000 rows up to 1,000 before the split,
which puts copies of test rows into training; this benchmark does not.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np

from aejax.anomaly import synthetic
from aejax.anomaly.protocols import unsupervised_split

SCENARIOS = ("real",) + synthetic.KINDS
PROTOCOLS = ("unsupervised", "one-class")
MAX_ROWS = 10_000
TEST_FRACTION = 0.3
DATA_VERSION = 1  # bump when the cells' rows change: cached cells and scores of another version are not read


@dataclasses.dataclass(frozen=True, eq=False)
class Cell:
    """Raw rows of one (set, scenario, seed): training rows x_train [N, D] with their labels
    y_train [N] (never shown to a detector; the one-class protocol drops the anomalies) and the
    scored test rows x_test [M, D], y_test [M] (1 = anomaly)."""

    name: str
    scenario: str
    seed: int
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def key(self) -> str:
        return f"{self.name}/{self.scenario}-s{self.seed}"

    def training(self, protocol: str) -> np.ndarray:
        """The rows a detector fits under `protocol`: all training rows, or the normal ones."""
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol {protocol!r} must be one of {PROTOCOLS}")
        return self.x_train if protocol == "unsupervised" else self.x_train[self.y_train == 0]


def stratified_subsample(labels, limit: int, seed: int) -> np.ndarray:
    """Sorted row indices: all rows when there are at most `limit`, else `limit` rows drawn with
    `seed` keeping the share of anomalies (rounded, at least 2 where the set has 2)."""
    labels = np.asarray(labels)
    n = len(labels)
    if n <= limit:
        return np.arange(n)
    anomalous, normal = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    k = min(len(anomalous), max(2, int(round(limit * len(anomalous) / n))))
    rng = np.random.default_rng(seed)
    return np.sort(np.concatenate([rng.choice(anomalous, k, replace=False),
                                   rng.choice(normal, limit - k, replace=False)]))


def make_cell(name: str, scenario: str, seed: int, *, data_dir=None) -> Cell:
    """The cell of set `name` (aejax.anomaly.datasets), `scenario` ("real" or a synthetic type) and `seed`."""
    from aejax.anomaly import datasets

    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose one of {SCENARIOS}")
    table = datasets.load(name, data_dir=data_dir)
    rows = stratified_subsample(table.labels, MAX_ROWS, seed)
    x, y = table.numeric[rows], table.labels[rows]
    if scenario != "real":
        x, y = synthetic.generate(x[y == 0], scenario, normals=int((y == 0).sum()), anomalies=int(y.sum()), seed=seed,
                                  mixture=_mixture(name, x[y == 0], seed))
    split = unsupervised_split(y, test_fraction=TEST_FRACTION, seed=seed)
    return Cell(name, scenario, seed, x[split.train], y[split.train], x[split.test], y[split.test])


_MIXTURES: dict = {}


def _mixture(name: str, x_normal, seed: int):
    """The Gaussian mixture of a set's normal rows, fitted once per (set, seed) in a process (local,
    clustered and global share it)."""
    key = (name, seed, len(x_normal))
    if key not in _MIXTURES:
        _MIXTURES.clear()
        kept = x_normal[:, synthetic.keep_features(x_normal, seed)]
        _MIXTURES[key] = synthetic.fit_mixture(kept, seed)
    return _MIXTURES[key]


def cache_root() -> Path:
    """$AEJAX_CACHE_DIR/adbench (default ~/.cache/aejax/adbench)."""
    from aejax.anomaly.datasets import cache_dir

    return cache_dir() / "adbench"


def load_cell(name: str, scenario: str, seed: int, *, data_dir=None, root: Path | None = None) -> Cell:
    """`make_cell`, cached as root/cells/v<DATA_VERSION>/<name>/<scenario>-s<seed>.npz."""
    root = cache_root() if root is None else Path(root)
    path = root / "cells" / f"v{DATA_VERSION}" / name / f"{scenario}-s{seed}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            return Cell(name, scenario, seed, z["x_train"], z["y_train"], z["x_test"], z["y_test"])
    cell = make_cell(name, scenario, seed, data_dir=data_dir)
    _save_npz(path, x_train=cell.x_train, y_train=cell.y_train, x_test=cell.x_test, y_test=cell.y_test)
    return cell


def _save_npz(path: Path, **arrays) -> None:
    """Writes arrays to `path` through a temporary file, so a killed run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)


def method_key(spec: str) -> str:
    """A file name for a method spec (letters, digits, - _ . kept; a long spec is hashed)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in spec)
    return safe if len(safe) <= 120 else safe[:80] + "-" + hashlib.sha256(spec.encode()).hexdigest()[:16]


class ScoreStore:
    """Scores of methods on cells: root/scores/v<DATA_VERSION>/<set>/<scenario>-s<seed>-<protocol>/<method>.npz
    holding the training scores "train" [N] and the test scores "test" [M]."""

    def __init__(self, root: Path):
        self.root = Path(root) / "scores" / f"v{DATA_VERSION}"

    def path(self, cell: Cell, protocol: str, method: str) -> Path:
        return self.root / cell.name / f"{cell.scenario}-s{cell.seed}-{protocol}" / f"{method_key(method)}.npz"

    def get(self, cell: Cell, protocol: str, method: str) -> dict | None:
        path = self.path(cell, protocol, method)
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}

    def put(self, cell: Cell, protocol: str, method: str, **arrays) -> None:
        _save_npz(self.path(cell, protocol, method), **arrays)
