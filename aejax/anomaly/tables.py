"""Tabular anomaly data: a `Table` of raw columns and a `TabularPreprocessor` fitted on training rows.

The preprocessor one-hot encodes categorical columns with the vocabulary seen in the rows it
was fitted on (a category first seen at test time becomes an all-zero block: handled, not an
error), optionally log1p-transforms heavy-tailed numeric columns, and scales numeric columns
with statistics of the fitted rows only:

- "minmax": (x - min) / (max - min);
- "standard": (x - mean) / std;
- "robust": min-max over the inliers: the fitted values within ROBUST_MARGIN = 3 ranges of the
  central ones, [P1 - 3R, P99 + 3R] with P1, P99 the 1st and 99th percentiles (numpy's linear
  interpolation) and R = P99 - P1 (R = max - min where P99 = P1). A column without such extremes
  scales exactly as "minmax"; an extreme value (1e30 among values of about 1) moves nothing.
  Training features (`clip=True`) are clipped to ROBUST_CLIP = [0, 1], the inliers' range;
  scoring never clips, so a value far outside the training range scores high.

A zero spread becomes 1. Missing numeric values (NaN) are replaced by the column's median over
the fitted rows (`fill`) before the log1p and the scaling, in fitting and scoring alike. It
serialises to JSON, so a fitted pipeline rebuilds exactly the same features from raw records
(`aejax score`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

NUMERIC, CATEGORICAL = "numeric", "categorical"
SCALINGS = ("minmax", "standard", "robust")
ROBUST_PERCENTILES = (1.0, 99.0)
ROBUST_MARGIN = 3.0  # inliers lie within this many P1..P99 ranges of P1 and P99
ROBUST_CLIP = (0.0, 1.0)  # training features of "robust" scaling: the inliers' range


@dataclasses.dataclass(frozen=True, eq=False)
class Table:
    """Raw tabular records with 0/1 labels.

    columns/kinds: raw column names and kinds ("numeric" | "categorical"), in input order.
    numeric: float64 [N, number of numeric columns]; codes: int32 [N, number of categorical
    columns] indexing `levels[j]` (the string values of categorical column j); labels: int32 [N],
    1 = anomaly.
    """

    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    numeric: np.ndarray
    codes: np.ndarray
    levels: tuple[tuple[str, ...], ...]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def numeric_columns(self) -> tuple[str, ...]:
        return tuple(c for c, k in zip(self.columns, self.kinds) if k == NUMERIC)

    @property
    def categorical_columns(self) -> tuple[str, ...]:
        return tuple(c for c, k in zip(self.columns, self.kinds) if k == CATEGORICAL)

    def take(self, rows) -> "Table":
        """The sub-table of `rows` (indices or a boolean mask)."""
        return dataclasses.replace(self, numeric=self.numeric[rows], codes=self.codes[rows],
                                   labels=self.labels[rows])

    def categorical_values(self, j: int) -> np.ndarray:
        """String values of categorical column j, [N]."""
        return np.asarray(self.levels[j], dtype=object)[self.codes[:, j]]


def numeric_table(x, labels, columns: Sequence[str] | None = None) -> Table:
    """A Table of numeric features only: x [N, D], labels [N]."""
    x = np.asarray(x, np.float64)
    if x.ndim != 2:
        raise ValueError(f"numeric_table expects x of shape [N, D], got {x.shape}")
    columns = tuple(columns) if columns is not None else tuple(f"x{i}" for i in range(x.shape[1]))
    return Table(columns, (NUMERIC,) * x.shape[1], x, np.zeros((len(x), 0), np.int32), (),
                 np.asarray(labels, np.int32))


def table_from_records(records: Sequence[Sequence[str]], columns: Sequence[str],
                       kinds: Sequence[str], labels) -> Table:
    """A Table from string records [N][D] (e.g. split CSV lines) with the given column kinds."""
    columns, kinds = tuple(columns), tuple(kinds)
    by_column = list(zip(*records)) if len(records) else [()] * len(columns)
    if len(by_column) != len(columns):
        raise ValueError(f"records have {len(by_column)} fields, expected {len(columns)} ({columns})")
    numeric = [np.asarray(col, dtype=np.float64) for col, k in zip(by_column, kinds) if k == NUMERIC]
    codes, levels = [], []
    for col, k in zip(by_column, kinds):
        if k == CATEGORICAL:
            values, inverse = np.unique(np.asarray(col, dtype=str), return_inverse=True)
            levels.append(tuple(values.tolist()))
            codes.append(inverse.astype(np.int32))
    n = len(records)
    return Table(columns, kinds,
                 np.stack(numeric, axis=1) if numeric else np.zeros((n, 0)),
                 np.stack(codes, axis=1) if codes else np.zeros((n, 0), np.int32),
                 tuple(levels), np.asarray(labels, np.int32))


class RecordError(ValueError):
    """A raw record that cannot be turned into features; names the row and column
    (aejax.anomaly.records reads the user's files)."""


@dataclasses.dataclass(frozen=True, eq=False)
class TabularPreprocessor:
    """Raw table -> float32 features [N, D]: numeric columns (missing values filled, log1p where
    asked, then scaled), followed by one one-hot block per categorical column (vocabulary from the
    fitted rows). fill: the value of a missing cell per numeric column (None: none expected)."""

    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    vocab: dict[str, tuple[str, ...]]
    log1p: tuple[str, ...]
    scaling: str
    offset: np.ndarray
    scale: np.ndarray
    fill: np.ndarray | None = None

    @classmethod
    def fit(cls, table: Table, *, scaling: str = "minmax", log1p: Sequence[str] = ()) -> "TabularPreprocessor":
        """Fits vocabularies, fill values and scaling statistics on `table` (the training rows only;
        NaN = missing, left out of the statistics)."""
        if scaling not in SCALINGS:
            raise ValueError(f"unknown scaling {scaling!r}; choose one of {SCALINGS}")
        unknown = sorted(set(log1p) - set(table.numeric_columns))
        if unknown:
            raise ValueError(f"log1p columns {unknown} are not numeric columns of the table")
        if len(table) == 0:
            raise ValueError("cannot fit a preprocessor on an empty table")
        vocab = {}
        for j, name in enumerate(table.categorical_columns):
            present = np.unique(table.codes[:, j])
            vocab[name] = tuple(table.levels[j][i] for i in present)
        raw = np.asarray(table.numeric, np.float64)
        empty = [c for c, gone in zip(table.numeric_columns, np.isnan(raw).all(axis=0)) if gone]
        if empty:
            raise ValueError(f"numeric columns {empty} hold no values (every cell is missing); --ignore them")
        fill = np.nanmedian(raw, axis=0) if raw.shape[1] else np.zeros(0)
        values = _log1p(np.where(np.isnan(raw), fill, raw), table.numeric_columns, tuple(log1p))
        if scaling == "minmax":
            offset, spread = values.min(axis=0), values.max(axis=0) - values.min(axis=0)
        elif scaling == "standard":
            offset, spread = values.mean(axis=0), values.std(axis=0)
        else:
            offset, spread = robust_range(values)
        scale = np.where(spread > 0, spread, 1.0)
        return cls(table.columns, table.kinds, vocab, tuple(log1p), scaling, offset, scale, fill)

    @property
    def numeric_columns(self) -> tuple[str, ...]:
        return tuple(c for c, k in zip(self.columns, self.kinds) if k == NUMERIC)

    @property
    def feature_names(self) -> tuple[str, ...]:
        names = list(self.numeric_columns)
        for column, levels in self.vocab.items():
            names += [f"{column}={v}" for v in levels]
        return tuple(names)

    @property
    def num_features(self) -> int:
        return len(self.feature_names)

    @property
    def clip_range(self) -> tuple[float, float] | None:
        """The range training features of the numeric columns are clipped to (robust scaling), or None."""
        return ROBUST_CLIP if self.scaling == "robust" else None

    def scaled(self, j: int, values) -> np.ndarray:
        """Numeric column j's values float64 [N] as scaled features (missing values filled), not clipped."""
        values = np.asarray(values, np.float64)
        if self.fill is not None:
            values = np.where(np.isnan(values), self.fill[j], values)
        with np.errstate(over="ignore", invalid="ignore"):
            if self.numeric_columns[j] in self.log1p:
                values = np.log1p(np.maximum(values, 0.0))
            return (values - self.offset[j]) / self.scale[j]

    def features(self, numeric, categorical: Sequence[tuple[np.ndarray, Sequence[str]]], *,
                 clip: bool = False) -> np.ndarray:
        """Features float32 [N, num_features] from the numeric columns (float64 [N, K], or K arrays
        [N], in `numeric_columns` order; NaN = missing) and one (codes [N], levels) per categorical
        column (in `vocab` order; its values are levels[codes]). A value outside the fitted vocabulary
        gives an all-zero one-hot block; a value whose scaling overflows gives an infinite feature.
        clip: training features, clipped to `clip_range` (robust scaling). Filled column by column
        into one float32 array (no [N, D] float64 copy)."""
        columns = list(numeric.T) if isinstance(numeric, np.ndarray) else list(numeric)
        n = len(columns[0]) if columns else len(categorical[0][0])
        out = np.zeros((n, self.num_features), np.float32)
        bounds = self.clip_range if clip else None
        with np.errstate(over="ignore", invalid="ignore"):
            for j, values in enumerate(columns):
                scaled = self.scaled(j, values)
                out[:, j] = scaled if bounds is None else np.clip(scaled, *bounds)
        first = len(self.numeric_columns)
        for (codes, levels), vocab in zip(categorical, self.vocab.values()):
            vocab, levels = np.asarray(vocab, dtype=str), np.asarray(levels, dtype=str)
            if len(vocab):
                position = np.searchsorted(vocab, levels)  # the fitted vocabularies are sorted
                known = (position < len(vocab)) & (vocab[np.minimum(position, len(vocab) - 1)] == levels)
                at = np.where(known, position, -1)[codes]
                hit = np.flatnonzero(at >= 0)
                out[hit, first + at[hit]] = 1.0
            first += len(vocab)
        return out

    def transform(self, table: Table, *, clip: bool = False) -> np.ndarray:
        """Features float32 [N, num_features]; unseen categories give all-zero one-hot blocks."""
        if table.columns != self.columns or table.kinds != self.kinds:
            raise ValueError(f"table columns {table.columns} do not match the fitted columns {self.columns}")
        return self.features(table.numeric, [(table.codes[:, j], table.levels[j])
                                             for j in range(len(table.categorical_columns))], clip=clip)

    def to_dict(self) -> dict:
        return {"columns": list(self.columns), "kinds": list(self.kinds),
                "vocab": {k: list(v) for k, v in self.vocab.items()}, "log1p": list(self.log1p),
                "scaling": self.scaling, "offset": self.offset.tolist(), "scale": self.scale.tolist(),
                "fill": None if self.fill is None else self.fill.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "TabularPreprocessor":
        fill = d.get("fill")  # pipelines saved before missing values were handled have none
        return cls(tuple(d["columns"]), tuple(d["kinds"]), {k: tuple(v) for k, v in d["vocab"].items()},
                   tuple(d["log1p"]), d["scaling"], np.asarray(d["offset"], np.float64),
                   np.asarray(d["scale"], np.float64), None if fill is None else np.asarray(fill, np.float64))


def robust_range(values_NxK: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(min, max - min) [K] of each column's inliers: its values within ROBUST_MARGIN ranges
    R = P99 - P1 of its 1st and 99th percentiles (R = max - min where P99 = P1)."""
    low, high = np.percentile(values_NxK, ROBUST_PERCENTILES, axis=0)
    spread = np.where(high > low, high - low, values_NxK.max(axis=0) - values_NxK.min(axis=0))
    inlier = (values_NxK >= low - ROBUST_MARGIN * spread) & (values_NxK <= high + ROBUST_MARGIN * spread)
    lowest = np.where(inlier, values_NxK, np.inf).min(axis=0)
    return lowest, np.where(inlier, values_NxK, -np.inf).max(axis=0) - lowest


def _log1p(values: np.ndarray, names: tuple[str, ...], log_columns: tuple[str, ...]) -> np.ndarray:
    values = np.array(values, dtype=np.float64)
    for j, name in enumerate(names):
        if name in log_columns:
            values[:, j] = np.log1p(np.maximum(values[:, j], 0.0))
    return values
