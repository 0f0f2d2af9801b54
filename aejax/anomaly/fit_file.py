"""`aejax anomaly fit`: a detector trained on the user's own file, saved with a report.

    fit_file("sensors.csv", "runs/sensors")                       # a table: one score per row
    fit_file("telemetry.csv", "runs/tm", time="ts", series_id="unit", window=32)   # series

Columns are numeric or categorical as inferred from every cell (`aejax.anomaly.records`) unless
named; a column of numbers with a few other cells is an error naming them (`na_values` makes
them missing, `categorical` makes the column text). Missing numeric values are filled with the
column's median over the training rows (counted in report.md; scoring fills them alike); a
missing text value is a level of its own. The label, time and series-id columns are not
features, and `ignore` drops others. Without a label column (the normal case) the detector is
fitted and its threshold set without labels; with one, the report adds metrics of the training
rows (labels are never used for fitting).

Tables are read in one streamed pass that checks every record, counts missing values and keeps
a uniform sample of at most `sizing.max_train_rows` rows (random keys from seed
cfg.protocol.seeds[0]): the scaling statistics, the detector and its threshold come from the
sample (trained on its features clipped as robust scaling clips them; the threshold set on its
unclipped scores, as scoring sees them); a second pass scores every row for train_scores.csv and
report.md, as `aejax score` would. Series are read whole.
A training value beyond float32's range is an error naming the cell.

The whole input and the config are checked before anything is written. The work directory
receives inputs.json (the training file's size, mtime and SHA-256, the options, the config: an
unfinished fit resumes from its checkpoints only for the same ones), the pipeline
(pipeline.json, detector/), config.json, metrics.jsonl (training), train_scores.csv, report.md
and figures.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import warnings
from pathlib import Path
from time import perf_counter

import numpy as np

from aejax.anomaly import figures as figures_lib, records, sizing
from aejax.anomaly.labels import has_both_classes
from aejax.anomaly.metrics import Evaluation, evaluate
from aejax.anomaly.pipeline import PIPELINE_FILE, InputSchema, Pipeline
from aejax.anomaly.series_detector import SeriesDetector
from aejax.anomaly.tables import CATEGORICAL, NUMERIC, RecordError, Table, TabularPreprocessor
from aejax.anomaly.thresholds import decide, threshold_from_config

FLAGGED_SHOWN = 20  # rows listed in report.md
VALUES_SHOWN = 8  # columns of each listed row
MAX_LEVELS = 1000  # a text column with more distinct values is taken for an identifier
FLOAT32_MAX = float(np.finfo(np.float32).max)
GAP_FACTOR = 1.5  # a series' time step this many times its median step or more is a gap
INPUTS_FILE = "inputs.json"
MIN_ORDERED_ROWS = 10  # a numeric column increasing on this many rows or more looks like a time


@dataclasses.dataclass(frozen=True)
class ColumnChoice:
    """The roles of a file's columns: features (numeric or categorical) and the others."""

    schema: InputSchema
    features: tuple[str, ...]
    kinds: tuple[str, ...]  # NUMERIC | CATEGORICAL per feature
    named_numeric: tuple[str, ...] = ()  # features the user named --numeric

    @property
    def numeric(self) -> tuple[str, ...]:
        return tuple(f for f, k in zip(self.features, self.kinds) if k == NUMERIC)

    @property
    def categorical(self) -> tuple[str, ...]:
        return tuple(f for f, k in zip(self.features, self.kinds) if k == CATEGORICAL)


@dataclasses.dataclass(frozen=True)
class FitSummary:
    workdir: Path
    rows: int
    features: int
    series: int
    flagged: int
    threshold: float
    evaluation: Evaluation | None
    notes: tuple[str, ...]
    trained_rows: int = 0


def _stray_error(path, name: str, stray: records.StrayCells) -> ValueError:
    values = ",".join(stray.values)
    return ValueError(f"column {name!r} of {path} holds {stray.describe()}. If they mean a missing value, give "
                      f"--na-values {values!r} (a missing value is filled with the column's training median); "
                      f"to treat the column as text, --categorical {name}; or --ignore {name}")


def choose_columns(path, *, label=None, time=None, series_id=None, categorical=(), numeric=(), ignore=(),
                   na_values=()) -> ColumnChoice:
    """Feature columns and their kinds (inferred, or as named), after checking every named column."""
    found = records.file_columns(path, tuple(na_values))
    named = {"--label": [label] if label else [], "--time": [time] if time else [],
             "--series-id": [series_id] if series_id else [], "--categorical": list(categorical),
             "--numeric": list(numeric), "--ignore": list(ignore)}
    for flag, columns in named.items():
        missing = [c for c in columns if c not in found.names]
        if missing:
            raise records.InputError(f"{flag}: {path} has no column {', '.join(map(repr, missing))}; "
                                     f"its columns: {', '.join(found.names)}")
    both = sorted(set(categorical) & set(numeric))
    if both:
        raise ValueError(f"columns {both} are named both --categorical and --numeric")
    roles = [c for c in (label, time, series_id) if c]
    if len(set(roles)) != len(roles):
        raise ValueError(f"--label, --time and --series-id must name different columns, got {roles}")
    for name in (label, time):
        if name and name in found.stray:
            raise _stray_error(path, name, found.stray[name])
    features, kinds = [], []
    for name in found.names:
        if name in roles or name in ignore:
            continue
        kind = found.kinds[name]
        if name in found.stray and name not in categorical:
            raise _stray_error(path, name, found.stray[name])
        if name in numeric and kind != records.NUMERIC:
            raise ValueError(f"--numeric {name}: column {name!r} of {path} holds text, not numbers")
        if kind == records.TIME:
            raise ValueError(f"column {name!r} of {path} holds timestamps: name it with --time (and --window N for a "
                             "series detector), or --ignore it")
        features.append(name)
        kinds.append(CATEGORICAL if name in categorical or kind == records.TEXT else NUMERIC)
    if not features:
        raise ValueError(f"{path} has no feature columns left (all are named --label, --time, --series-id or --ignore)")
    time_kind = found.kinds[time] if time else records.NUMERIC
    if time and time_kind == records.TEXT:
        raise ValueError(f"--time {time}: column {time!r} of {path} holds text; use numbers or ISO 8601 timestamps "
                         "(2024-01-31T12:00:00)")
    schema = InputSchema(found.names, label, time, time_kind, series_id, tuple(na_values))
    return ColumnChoice(schema, tuple(features), tuple(kinds), tuple(numeric))


def _column_kinds(choice: ColumnChoice) -> dict[str, str]:
    kinds = {f: records.TEXT if k == CATEGORICAL else records.NUMERIC for f, k in zip(choice.features, choice.kinds)}
    schema = choice.schema
    if schema.label:
        kinds[schema.label] = records.NUMERIC
    if schema.series_id:
        kinds[schema.series_id] = records.TEXT
    if schema.time:
        kinds[schema.time] = schema.time_kind
    return kinds


def _read_options(choice: ColumnChoice) -> dict:
    """read_chunks' keyword arguments for the training file: missing values allowed in numeric features."""
    return dict(na_values=choice.schema.na_values, missing=choice.numeric)


# ----------------------------------------------------------------------------------- checks


def check_config(cfg) -> None:
    """Values of a detector config that no type check catches (a ValueError naming each key),
    before any data is read."""
    from aejax import config as config_lib, corruption
    from aejax.anomaly.ae_detector import ENSEMBLE_RULES
    from aejax.anomaly.scores import NORMS
    from aejax.anomaly.tables import SCALINGS
    from aejax.anomaly.thresholds import THRESHOLD_POLICIES
    from aejax.anomaly.windows import AGGREGATES

    config_lib.validate(cfg)
    problems = []
    policy = cfg.threshold.policy
    if policy not in THRESHOLD_POLICIES:
        problems.append(f"threshold.policy {policy!r} is not one of {sorted(THRESHOLD_POLICIES)}")
    elif THRESHOLD_POLICIES[policy].uses_labels:
        problems.append(f"threshold.policy {policy!r} needs labels; a detector of your data sets its threshold "
                        "without them")
    else:
        try:
            threshold_from_config(cfg.threshold, np.linspace(0.0, 1.0, 101))
        except (ValueError, TypeError) as err:
            problems.append(f"threshold.{' / '.join(THRESHOLD_POLICIES[policy].params) or 'policy'}: {err}")
    for key in ("min_steps", "max_epochs", "min_batches", "min_rows", "max_train_windows", "max_train_rows"):
        value = cfg.sizing.get(key, 1)
        if not isinstance(value, int) or value < 1:
            problems.append(f"sizing.{key} must be a positive integer, got {value!r}")
    choices = {"sizing.code": (cfg.sizing.code, sizing.CODE_RULES), "sizing.budget": (cfg.sizing.budget, sizing.BUDGETS),
               "sizing.widths": (cfg.sizing.widths, ("data", "config")), "model.kind": (cfg.model.kind, ("mlp", "conv")),
               "corruption.name": (cfg.corruption.name, corruption.names()), "score.norm": (cfg.score.norm, NORMS),
               "score.ensemble": (cfg.score.ensemble, ENSEMBLE_RULES),
               "score.aggregate": (cfg.score.aggregate, AGGREGATES),
               "preprocess.scaling": (cfg.preprocess.scaling, SCALINGS)}
    problems += [f"{key} {value!r} is not one of {list(allowed)}" for key, (value, allowed) in choices.items()
                 if value not in allowed]
    if cfg.model.ensemble < 1:
        problems.append(f"model.ensemble must be >= 1 (the number of autoencoders), got {cfg.model.ensemble}")
    if cfg.corruption.level < 0:
        problems.append(f"corruption.level must be >= 0, got {cfg.corruption.level}")
    if problems:
        raise ValueError("invalid config: " + "; ".join(problems))


def _config(kind: str, overrides: dict | None, detector: str = "default"):
    from aejax import config as config_lib
    from aejax.anomaly.settings import user_config

    cfg = user_config(kind, detector)
    config_lib.apply_overrides(cfg, overrides or {})
    check_config(cfg)
    return cfg


def file_identity(path: Path) -> dict:
    """The training file as inputs.json records it: path, size, mtime (ns) and SHA-256."""
    from aejax.anomaly.sealed import file_digest

    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
            "sha256": file_digest(path)}


def _differences(earlier: dict, now: dict) -> list[str]:
    """What differs between two inputs.json records: the file (by size and content), then each
    option and config key, as "key: old -> new"."""
    from aejax.config import leaves

    out = []
    a, b = earlier.get("train", {}), now["train"]
    if (a.get("size"), a.get("sha256")) != (b["size"], b["sha256"]):
        out.append(f"training file {a.get('path')} ({a.get('size')} bytes, SHA-256 {str(a.get('sha256'))[:12]}...) "
                   f"-> {b['path']} ({b['size']} bytes, SHA-256 {b['sha256'][:12]}...)")
    for section in ("options", "config"):
        old, new = leaves(earlier.get(section, {})), leaves(now[section])
        out += [f"{section}: {k}: {old.get(k)!r} -> {new.get(k)!r}" for k in sorted(set(old) | set(new))
                if old.get(k) != new.get(k)]
    return out


def _check_workdir(workdir: Path, inputs: dict, train: Path) -> None:
    """Refuses (without --overwrite) a work directory holding a fitted detector, or an unfinished
    run whose recorded inputs differ from `inputs` (its checkpoints would be resumed)."""
    from aejax import run as run_lib

    if not workdir.is_dir():
        return
    if (workdir / PIPELINE_FILE).exists():
        raise ValueError(f"{workdir} already holds a fitted detector; use another --workdir, or --overwrite")
    mine = run_lib.owned(workdir) & {e.name for e in workdir.iterdir()}
    if not mine - {run_lib.MANIFEST_FILE}:
        return
    try:
        earlier = json.loads((workdir / INPUTS_FILE).read_text())
    except (OSError, ValueError):
        raise ValueError(f"{workdir} holds an unfinished aejax run ({', '.join(sorted(mine))}) with no record of its "
                         f"training file, so it is not resumed for {train}: --overwrite starts afresh (deleting only "
                         "what aejax wrote), or give another --workdir") from None
    changed = _differences(earlier, inputs)
    if changed:
        raise ValueError(f"{workdir} holds an unfinished fit of other inputs, whose checkpoints this fit would resume: "
                         + "; ".join(changed[:8]) + (f"; and {len(changed) - 8} more" if len(changed) > 8 else "")
                         + ". Fit the same file with the same options to resume it, --overwrite to start afresh, or "
                         "give another --workdir")


# ----------------------------------------------------------------------------------- tables


@dataclasses.dataclass(frozen=True)
class TableScan:
    """One streamed pass over a training table: its record count, a uniform sample of at most
    `cap` records (in file order, with their rows; numeric NaN = missing) and, over every record,
    each numeric feature's missing cells, smallest and largest value."""

    rows: int
    sample: Table
    sample_rows: np.ndarray
    missing: np.ndarray
    low: np.ndarray
    high: np.ndarray


class _Ordered:
    """Whether numeric columns increase on every row (a time or an index), or within each run of
    a text column whose runs are contiguous (series), over the chunks seen."""

    def __init__(self, numeric: tuple[str, ...], text: tuple[str, ...]):
        self.numeric, self.text = numeric, text
        self.everywhere = np.ones(len(numeric), bool)
        self.within = np.ones((len(numeric), len(text)), bool)
        self.last = np.full(len(numeric), -np.inf)
        self.last_code = np.full(len(text), -1)
        self.closed = [set() for _ in text]
        self.contiguous = np.ones(len(text), bool)
        self.runs = np.zeros(len(text), int)

    def push(self, values_NxK: np.ndarray, codes_NxT: np.ndarray) -> None:
        with np.errstate(invalid="ignore"):
            rises = np.diff(np.vstack([self.last, values_NxK]), axis=0) > 0  # NaN: no rise
        self.everywhere &= rises.all(axis=0)
        for t in range(len(self.text)):
            if not self.contiguous[t] or not len(values_NxK):
                continue
            codes = np.r_[self.last_code[t], codes_NxT[:, t]]
            change = codes[1:] != codes[:-1]
            starts, ended = codes[1:][change], codes[:-1][change]
            if len(np.unique(starts)) < len(starts) or np.isin(starts, list(self.closed[t])).any():
                self.contiguous[t] = False  # a level comes back after another: not series
                continue
            self.within[:, t] &= (rises | change[:, None]).all(axis=0)
            self.closed[t].update(ended[ended >= 0].tolist())
            self.runs[t] += len(starts)
            self.last_code[t] = codes[-1]
        self.last = values_NxK[-1] if len(values_NxK) else self.last

    def check(self, path, rows: int, named_numeric: tuple[str, ...]) -> None:
        if rows < MIN_ORDERED_ROWS:
            return
        for j, name in enumerate(self.numeric):
            if name in named_numeric:
                continue
            if self.everywhere[j]:
                raise ValueError(
                    f"column {name!r} of {path} increases on every row: a time stamp or a row index? As a feature of "
                    "a table it makes every later record look new. For a series detector give --time "
                    f"{name} --window N; to keep it as a table feature, name it --numeric {name}; or --ignore {name}")
            series = [t for t in range(len(self.text)) if self.within[j, t] and self.contiguous[t] and self.runs[t] > 1]
            if series:
                sid = self.text[series[0]]
                raise ValueError(
                    f"column {name!r} of {path} increases within each of the {self.runs[series[0]]} runs of rows of "
                    f"column {sid!r}: series with a time column? For a series detector give --time {name} --series-id "
                    f"{sid} --window N; to keep them as table features, name it --numeric {name}; or --ignore {name}")


def _check_float32(values: np.ndarray, rows, name: str, col: int) -> None:
    """A training value beyond float32's range is an error naming the cell."""
    with np.errstate(invalid="ignore"):
        big = np.abs(values) > FLOAT32_MAX
    if big.any():
        i = int(np.flatnonzero(big)[0])
        raise RecordError(f"row {rows[i]}, column {col} ({name!r}): {values[i]:g} is beyond the float32 range "
                          f"(+-{FLOAT32_MAX:.3g}) that training uses; rescale the column (other units), or --ignore it")


def _check_labels(y: np.ndarray, columns: records.Columns, schema: InputSchema) -> np.ndarray:
    bad = ~np.isin(y, (0, 1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise RecordError(f"row {columns.row(i)}, column {schema.columns.index(schema.label) + 1} "
                          f"({schema.label!r}): label {y[i]:g} is not 0 (normal) or 1 (anomaly)")
    return y.astype(np.int32)


def scan_table(path, choice: ColumnChoice, *, cap: int, seed: int, chunk_rows: int = records.CHUNK_ROWS) -> TableScan:
    """Reads the training table once, in chunks, checking every record (labels, float32 range,
    columns that look like a time), and keeps a uniform sample of at most `cap` records: each
    record draws a random key (seed `seed`) and the `cap` smallest keys stay."""
    numeric, categorical, schema = choice.numeric, choice.categorical, choice.schema
    cols = {name: schema.columns.index(name) + 1 for name in numeric}
    rng = np.random.default_rng(seed)
    index = [dict() for _ in categorical]  # level -> code over the whole file
    keys, kept_numeric = np.zeros(0), np.zeros((0, len(numeric)))
    kept_codes, kept_labels, kept_rows, kept_order = (np.zeros((0, len(categorical)), np.int32), np.zeros(0, np.int32),
                                                      np.zeros(0, np.int64), np.zeros(0, np.int64))
    missing = np.zeros(len(numeric), np.int64)
    low, high = np.full(len(numeric), np.inf), np.full(len(numeric), -np.inf)
    ordered, n = _Ordered(numeric, categorical), 0
    for columns in records.read_chunks(path, _column_kinds(choice), chunk_rows=chunk_rows, **_read_options(choice)):
        rows = columns.rows()
        values = np.stack([columns.numeric[f] for f in numeric], axis=1) if numeric else np.zeros((len(columns), 0))
        for j, name in enumerate(numeric):
            _check_float32(values[:, j], rows, name, cols[name])
        missing += np.isnan(values).sum(axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a chunk where a column is all missing
            low, high = np.fmin(low, np.nanmin(values, axis=0)), np.fmax(high, np.nanmax(values, axis=0))
        codes = np.zeros((len(columns), len(categorical)), np.int32)
        for t, name in enumerate(categorical):
            chunk_codes, levels = columns.text[name]
            codes[:, t] = np.asarray([index[t].setdefault(v, len(index[t])) for v in levels], np.int32)[chunk_codes]
        labels = (_check_labels(columns.numeric[schema.label], columns, schema) if schema.label
                  else np.zeros(len(columns), np.int32))
        ordered.push(values, codes)
        chunk_keys = rng.random(len(columns))
        keys = np.r_[keys, chunk_keys]
        kept_numeric, kept_codes = np.vstack([kept_numeric, values]), np.vstack([kept_codes, codes])
        kept_labels, kept_rows = np.r_[kept_labels, labels], np.r_[kept_rows, rows]
        kept_order = np.r_[kept_order, np.arange(n, n + len(columns))]
        if len(keys) > cap:
            keep = np.argpartition(keys, cap - 1)[:cap]
            keys, kept_numeric, kept_codes = keys[keep], kept_numeric[keep], kept_codes[keep]
            kept_labels, kept_rows, kept_order = kept_labels[keep], kept_rows[keep], kept_order[keep]
        n += len(columns)
    for t, name in enumerate(categorical):
        if len(index[t]) > MAX_LEVELS and len(index[t]) > n // 2:
            raise ValueError(f"column {name!r} of {path} has {len(index[t])} distinct values in {n} rows: an "
                             f"identifier? --ignore it (or name it --series-id)")
    ordered.check(path, n, choice.named_numeric)
    order = np.argsort(kept_order)
    kept_codes, levels = kept_codes[order], []
    for t, ix in enumerate(index):  # codes into sorted levels (the preprocessor's vocabularies are sorted)
        position = {v: i for i, v in enumerate(sorted(ix))}
        remap = np.asarray([position[v] for v in sorted(ix, key=ix.get)], np.int32)
        kept_codes[:, t] = remap[kept_codes[:, t]] if len(remap) else kept_codes[:, t]
        levels.append(tuple(sorted(ix)))
    sample = Table(choice.features, choice.kinds, kept_numeric[order], kept_codes, tuple(levels), kept_labels[order])
    return TableScan(n, sample, kept_rows[order], missing, low, high)


@dataclasses.dataclass
class _Top:
    """The highest-scoring flagged rows seen so far, with their shown values."""

    k: int
    scores: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    rows: list = dataclasses.field(default_factory=list)
    values: list = dataclasses.field(default_factory=list)

    def push(self, scores, decisions, rows, values_of) -> None:
        flagged = np.flatnonzero(decisions)
        best = flagged[np.argsort(-scores[flagged], kind="stable")][: self.k]
        merged_scores = np.r_[self.scores, scores[best]]
        merged = (list(zip(self.rows, self.values)) + [(int(rows[i]), values_of(i)) for i in best])
        order = np.argsort(-merged_scores, kind="stable")[: self.k]
        self.scores = merged_scores[order]
        self.rows, self.values = [merged[i][0] for i in order], [merged[i][1] for i in order]


def _value(columns: records.Columns, name: str, i: int) -> str:
    if name in columns.numeric:
        value = columns.numeric[name][i]
        return "(missing)" if np.isnan(value) else f"{value:.6g}"
    codes, levels = columns.text[name]
    return str(levels[codes[i]])


def _score_training_table(path, choice: ColumnChoice, pipeline: Pipeline, shown: tuple[str, ...]):
    """(rows, scores, labels or None, top flagged rows) of every record of the training table,
    scored in chunks as `aejax score` scores them."""
    rows, scores, labels = [], [], []
    top = _Top(FLAGGED_SHOWN)
    threshold = pipeline.detector.threshold_
    for columns in records.read_chunks(path, _column_kinds(choice), **_read_options(choice)):
        chunk_scores = pipeline.detector.score(pipeline.features(columns))
        rows.append(columns.rows())
        scores.append(chunk_scores)
        if choice.schema.label:
            labels.append(columns.numeric[choice.schema.label].astype(np.int32))
        top.push(chunk_scores, decide(chunk_scores, threshold), columns.rows(),
                 lambda i, columns=columns: [_value(columns, c, i) for c in shown])
    return np.concatenate(rows), np.concatenate(scores), np.concatenate(labels) if labels else None, top


def _column_lines(pre: TabularPreprocessor, sample: Table, missing, low, high, rows: int) -> list[str]:
    """report.md's table of the numeric columns: missing values and their fill, range, scaling and
    the training values clipped beyond it (robust scaling)."""
    if not pre.numeric_columns:
        return []
    how = {"minmax": "(x - min) / (max - min)", "standard": "(x - mean) / std",
           "robust": "(x - min) / (max - min) over the inliers: the training values within 3 ranges "
                     "(P99 - P1) of the 1st and 99th percentiles P1 and P99"}
    lines = ["", "## Numeric columns", "",
             f"Scaled {how[pre.scaling]}: feature = (x - offset) / scale. Missing values are filled with the "
             "column's median over the training rows, here and when scoring."]
    bounds = pre.clip_range
    if bounds:
        lines[-1] += (f" Training features are clipped to [{bounds[0]:g}, {bounds[1]:g}], the inliers' range (scoring "
                      f"never clips): the clipped extremes of the {len(sample):,} trained rows are counted below.")
    lines += ["", "| column | missing | filled with | min | max | offset | scale | clipped low | clipped high |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for j, name in enumerate(pre.numeric_columns):
        clipped = ("", "")
        if bounds:
            scaled = pre.scaled(j, sample.numeric[:, j])
            clipped = (str(int((scaled < bounds[0]).sum())), str(int((scaled > bounds[1]).sum())))
        label = f"{name} (log1p)" if name in pre.log1p else name
        lines.append(f"| {label} | {int(missing[j])} of {rows} | {pre.fill[j]:.6g} | {low[j]:.6g} | {high[j]:.6g} | "
                     f"{pre.offset[j]:.6g} | {pre.scale[j]:.6g} | {clipped[0]} | {clipped[1]} |")
    return lines


# ----------------------------------------------------------------------------------- series


def split_series(columns: records.Columns, schema: InputSchema) -> dict[str, np.ndarray]:
    """Row indices of each series (rows of a series contiguous, time increasing), in file order."""
    n = len(columns)
    if schema.series_id:
        codes, levels = columns.text[schema.series_id]
        cuts = np.flatnonzero(np.diff(codes)) + 1
        runs = [(a, b, levels[codes[a]]) for a, b in zip(np.r_[0, cuts], np.r_[cuts, n])]
    else:
        runs = [(0, n, "")]
    out = {}
    for a, b, name in runs:
        if name in out:
            raise RecordError(f"row {columns.row(a)}: series {name!r} continues after another series; "
                              "sort the file so that the rows of each series are together")
        if schema.time:
            back = np.flatnonzero(np.diff(columns.numeric[schema.time][a:b]) <= 0)
            if len(back):
                raise RecordError(f"row {columns.row(a + back[0] + 1)}, column "
                                  f"{schema.columns.index(schema.time) + 1} ({schema.time!r}): time does not increase "
                                  f"within series {name!r}; sort the file by series and time")
        out[name] = np.arange(a, b)
    return out


def time_gaps(columns: records.Columns, schema: InputSchema, series: dict[str, np.ndarray]):
    """(the median time step over all series, notes naming the series with gaps: steps of at
    least GAP_FACTOR times that median, which windows span)."""
    if not schema.time:
        return None, []
    times = columns.numeric[schema.time]
    steps = np.concatenate([np.diff(times[r]) for r in series.values()])
    if not len(steps):
        return None, []
    step = float(np.median(steps))
    notes = []
    for name, r in series.items():
        gaps = np.flatnonzero(np.diff(times[r]) >= GAP_FACTOR * step)
        if len(gaps):
            unit = " s" if schema.time_kind == records.TIME else ""
            notes.append(f"warning: series {name or 'of the file'!s} has {len(gaps)} time gaps (steps of {GAP_FACTOR}x "
                         f"the median step {step:g}{unit} or more), the first before row {columns.row(r[gaps[0] + 1])}; "
                         "windows span them")
    if len(notes) > 5:
        notes = notes[:5] + [f"warning: {len(notes) - 5} more series have time gaps"]
    return step, notes


def _series_table(columns: records.Columns, choice: ColumnChoice, path) -> Table:
    for name in choice.categorical:
        levels = len(columns.text[name][1])
        if levels > MAX_LEVELS and levels > len(columns) // 2:
            raise ValueError(f"column {name!r} of {path} has {levels} distinct values in {len(columns)} rows: an "
                             "identifier? --ignore it (or name it --series-id)")
    n, schema = len(columns), choice.schema
    rows = columns.rows()
    for name in choice.numeric:
        _check_float32(columns.numeric[name], rows, name, schema.columns.index(name) + 1)
    labels = _check_labels(columns.numeric[schema.label], columns, schema) if schema.label else np.zeros(n, np.int32)
    return Table(choice.features, choice.kinds,
                 np.stack([columns.numeric[f] for f in choice.numeric], axis=1) if choice.numeric else np.zeros((n, 0)),
                 np.stack([columns.text[f][0] for f in choice.categorical], axis=1) if choice.categorical
                 else np.zeros((n, 0), np.int32),
                 tuple(columns.text[f][1] for f in choice.categorical), labels)


def sized_detector(cfg, *, window: int | None, per_series: bool, series_windows: int, features: int):
    """(detector, sized config, notes): the detector of `cfg` sized to the data (aejax.anomaly.sizing):
    a table detector for `series_windows` rows of `features` values (window None), else a series
    detector over windows of `window` steps. Seed: cfg.protocol.seeds[0]."""
    from aejax.anomaly.ae_detector import AutoencoderDetector
    from aejax.anomaly.build import table_detector

    seed = cfg.protocol.seeds[0]
    if window is None:
        cfg, notes = sizing.size_to_data(cfg, series_windows, features)
        return table_detector(cfg, seed=seed), cfg, notes
    factor = 2 ** len(cfg.model.channels)
    if cfg.model.kind == "conv" and window % factor:
        raise ValueError(f"--window {window}: the convolutional detector (model.channels {tuple(cfg.model.channels)}) "
                         f"needs a multiple of {factor} steps, e.g. {max(factor, window // factor * factor)} or "
                         f"{(window // factor + 1) * factor}")
    stride = max(1, -(-series_windows // cfg.sizing.max_train_windows))
    notes = [f"windows of {window} steps; one window in {stride} trains (at most "
             f"{cfg.sizing.max_train_windows} of the {series_windows})"] if stride > 1 else []
    cfg, sized = sizing.size_to_data(cfg, series_windows // stride, window * features)
    window_detector = AutoencoderDetector.from_config(cfg, seed=seed)
    return (SeriesDetector(window_detector, size=window, aggregate=cfg.score.aggregate, train_stride=stride,
                           per_series=per_series), cfg, notes + sized)


# ----------------------------------------------------------------------------------- fit


def fit_file(train, workdir, *, label=None, time=None, series_id=None, window: int | None = None,
             categorical=(), numeric=(), ignore=(), na_values=(), per_series: bool = False,
             overrides: dict | None = None, overwrite: bool = False, quiet: bool = False,
             detector: str = "default") -> FitSummary:
    """Fits a detector on file `train` and saves it, its threshold and a report in `workdir`;
    `detector` names a table detector (aejax.anomaly.settings.DETECTORS)."""
    from aejax import run as run_lib

    train, workdir = Path(train), Path(workdir)
    if (time or series_id or per_series) and window is None:
        raise ValueError("--time, --series-id and --per-series describe series: give the window length with --window N")
    if per_series and not series_id:
        raise ValueError("--per-series needs --series-id: the column naming each row's series")
    if window is not None and window < 2:
        raise ValueError(f"--window {window}: a window needs at least 2 steps")
    started = perf_counter()
    cfg = _config("series" if window else "table", overrides, detector)
    records.column_names(train)  # the file exists and has a known format
    options = {"label": label, "time": time, "series_id": series_id, "window": window, "categorical": list(categorical),
               "numeric": list(numeric), "ignore": list(ignore), "na_values": list(na_values), "per_series": per_series}
    inputs = json.loads(json.dumps({"train": file_identity(train), "options": options, "config": cfg.to_dict()}))
    if not overwrite:
        _check_workdir(workdir, inputs, train)
    choice = choose_columns(train, label=label, time=time, series_id=series_id, categorical=categorical,
                            numeric=numeric, ignore=ignore, na_values=na_values)
    unknown = sorted(set(cfg.preprocess.log1p) - set(choice.numeric))
    if unknown:
        raise ValueError(f"preprocess.log1p names {unknown}, which are not numeric feature columns of {train}")
    seed = cfg.protocol.seeds[0]
    notes = []
    if window:
        columns = records.read_all(train, _column_kinds(choice), **_read_options(choice))
        table = _series_table(columns, choice, train)
        series = split_series(columns, choice.schema)
        short = {k: len(r) for k, r in series.items() if len(r) < window}
        if short:
            raise ValueError(f"series shorter than --window {window}: "
                             + ", ".join(f"{k or train.name} ({n} rows)" for k, n in list(short.items())[:5]))
        step, notes = time_gaps(columns, choice.schema, series)
        choice = dataclasses.replace(choice, schema=dataclasses.replace(choice.schema, time_step=step))
        missing = np.isnan(table.numeric).sum(axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = np.nanmin(table.numeric, axis=0), np.nanmax(table.numeric, axis=0)
        total = len(table)
    else:
        scan = scan_table(train, choice, cap=cfg.sizing.max_train_rows, seed=seed)
        table, missing, low, high, total = scan.sample, scan.missing, scan.low, scan.high, scan.rows
        if len(table) < total:
            notes.append(f"trained on {len(table):,} of the {total:,} rows, drawn uniformly at random (seed {seed}); "
                         f"sizing.max_train_rows={cfg.sizing.max_train_rows} sets the cap")
    pre = TabularPreprocessor.fit(table, scaling=cfg.preprocess.scaling, log1p=tuple(cfg.preprocess.log1p))
    constant = [name for name, lo, hi in zip(pre.numeric_columns, low, high) if lo == hi]
    if constant:
        notes.append(f"columns constant in training: {', '.join(constant)}; a change in one scores like a large "
                     "change in another column (its residuals take the median spread of the others)")
    x = pre.transform(table, clip=True)
    bad = ~np.isfinite(x)
    if bad.any():
        r, c = map(int, np.argwhere(bad)[0])
        row = columns.row(r) if window else scan.sample_rows[r]
        raise RecordError(f"row {row}: feature {pre.feature_names[c]!r} overflows after scaling; rescale that column, "
                          "or --ignore it")
    count = sum(len(r) - window + 1 for r in series.values()) if window else len(x)
    detector, cfg_sized, sizing_notes = sized_detector(cfg, window=window, per_series=per_series,
                                                       series_windows=count, features=x.shape[1])
    notes += sizing_notes

    with run_lib.workdir_lock(workdir):
        if overwrite:
            run_lib.clear_workdir(workdir)
        else:  # another fit may have written here while this one read its input
            _check_workdir(workdir, inputs, train)
        run_lib.claim(workdir, INPUTS_FILE)
        (workdir / INPUTS_FILE).write_text(json.dumps(inputs, indent=1) + "\n")
        run = run_lib.Run(workdir, quiet=quiet, config=cfg_sized.to_dict())
        run.start()  # config.json before any training
        try:
            for note in notes:
                run.print(f"note: {note}" if not note.startswith("warning") else note)
            inputs_x = {k: x[r] for k, r in series.items()} if window else x
            training_started = perf_counter()
            detector.fit(inputs_x, run=run, tag="model")
            training_s = perf_counter() - training_started
            if pre.clip_range and not window:  # the threshold sees the training rows as scoring will
                detector.train_scores_ = detector.score(pre.transform(table))
            if window and per_series:
                detector.fit_threshold(cfg_sized.threshold.policy, **_policy_params(cfg_sized))
            else:
                detector.threshold_ = threshold_from_config(cfg_sized.threshold, detector.train_scores_)
            pipeline = Pipeline(pre, detector, choice.schema)
            pipeline.save(workdir)
            shutil.rmtree(workdir / "checkpoints", ignore_errors=True)  # training checkpoints: the detector holds the model
            shown = choice.features[:VALUES_SHOWN]
            if window:
                order = np.concatenate(list(series.values()))
                scores = np.empty(len(order))
                scores[order] = detector.train_scores_
                rows = columns.rows()
                labels = table.labels if choice.schema.label else None
                top = _Top(FLAGGED_SHOWN)
                top.push(scores, decide(scores, detector.threshold_), rows,
                         lambda i: [_value(columns, c, i) for c in shown])
                traces = {k or train.name: scores[r] for k, r in list(series.items())[:4]}
            else:
                rows, scores, labels, top = _score_training_table(train, choice, pipeline, shown)
                traces = None
            columns_md = _column_lines(pre, table, missing, low, high, total)
            compile_s = sum(r.get("compile_s", 0.0) for r in run.history() if r.get("event") == "compiled")
            notes.append(f"time: {perf_counter() - started:.1f} s to the report; training and calibration "
                         f"{training_s:.1f} s, of which {compile_s:.1f} s compiled the training programs")
            summary = _write_report(workdir, train, inputs["train"], choice, detector, rows, scores, labels, top,
                                    traces, len(series) if window else 0, pre.num_features, notes, columns_md,
                                    len(table), cfg.get("detector", "default"))
        finally:
            run.close()
    return summary


def _policy_params(cfg) -> dict:
    from aejax.anomaly.thresholds import THRESHOLD_POLICIES

    return {k: cfg.threshold[k] for k in THRESHOLD_POLICIES[cfg.threshold.policy].params}


def describe_detector(detector) -> str:
    """One line naming a fitted table detector: the autoencoder's settings, the combined members
    and weights, or the baseline's name."""
    from aejax.anomaly.ae_detector import describe

    if detector.kind == "autoencoder":
        return describe(detector.config)
    if detector.kind == "combined":
        return " + ".join(f"{detector.weights[n]:g} x {describe_detector(m)}" for n, m in detector.members.items()) \
            + " (each score standardised by its training median and IQR)"
    return {"iforest": "Isolation Forest (scikit-learn's defaults)", "knn": "distance to the 5th nearest training row",
            "pca": "PCA as PyOD scores it"}.get(detector.kind, detector.kind)


def _write_report(workdir: Path, train: Path, identity: dict, choice: ColumnChoice, detector, rows, scores, labels,
                  top: _Top, traces, n_series: int, num_features: int, notes, columns_md: list[str],
                  trained: int, name: str = "default") -> FitSummary:
    """train_scores.csv, score_histogram.png (and series_scores.png, roc_pr.png), report.md."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from aejax import run as run_lib
    from aejax.anomaly.ae_detector import describe
    from aejax.anomaly.settings import DETECTORS

    threshold = detector.threshold_
    decisions = decide(scores, threshold)
    run_lib.claim(workdir, "train_scores.csv", "score_histogram.png", "series_scores.png", "roc_pr.png", "report.md")
    with open(workdir / "train_scores.csv", "wb") as f:
        f.write(b"row,score,decision\n")
        pcsv.write_csv(pa.table({"row": rows, "score": scores, "decision": decisions.astype(np.int8)}), f,
                       pcsv.WriteOptions(include_header=False))
    figures = ["score_histogram.png"]
    figures_lib.score_histogram(workdir / figures[0], scores, threshold.value, f"{train.name}: training scores")
    series = traces is not None
    if series:
        figures.append("series_scores.png")
        figures_lib.score_trace(workdir / figures[-1], traces, threshold.value, "per-step scores of the training series")
    evaluation = None
    if labels is not None and has_both_classes(labels):
        evaluation = evaluate(labels, scores, threshold, point_adjusted=series)
        figures.append("roc_pr.png")
        figures_lib.curves_figure(workdir / figures[-1], labels, {"detector": scores}, f"{train.name} (training rows)")
    flagged = int(decisions.sum())
    window_detector = detector.detectors_[next(iter(detector.detectors_))] if series else detector
    lines = [f"# aejax anomaly fit: {train.name}", "",
             f"- training file: {identity['path']} ({identity['size']:,} bytes, SHA-256 {identity['sha256']})",
             f"- rows: {len(rows)}; features: {len(choice.features)} columns "
             f"({len(choice.categorical)} categorical, one-hot) -> {num_features} model inputs",
             f"- training rows: {'all' if trained == len(rows) else f'{trained:,} of {len(rows):,} (a uniform sample)'}",
             (f"- detector: series, windows of {detector.size} steps, {describe(window_detector.config)}" if series else
              f"- detector: {name} ({DETECTORS[name]}; `--detector NAME` picks another of "
              f"{', '.join(DETECTORS)}): {describe_detector(detector)}")
             + (f"; one model per series ({n_series} series)" if series and detector.per_series else
                f"; {n_series} series" if series else ""),
             f"- threshold: {threshold.policy} {threshold.params} -> {threshold.value:.6g} "
             f"({'uses labels' if threshold.uses_labels else 'no labels used'}); "
             f"{flagged} of {len(rows)} training rows flagged"
             + (f" (a percentile threshold flags {100 - threshold.params['q']:g} % of the training rows whatever the "
                "share of anomalies; `--contamination C` sets the share you expect)" if threshold.policy == "percentile"
                else ""),
             f"- label column: {choice.schema.label or 'none (labels are not needed)'}",
             "- missing values: empty cells" + "".join(f", {v!r}" for v in choice.schema.na_values)]
    lines += [f"- {'' if n.startswith(('warning', 'time:')) else 'note: '}{n}" for n in notes]
    if choice.schema.label and evaluation is None:
        lines.append("- metrics: not computed, the labels hold only one class")
    if evaluation is not None:
        lines += ["", "## Metrics on the training rows (labels used only here)", "",
                  "| metric | value |", "|---|---:|"]
        lines += [f"| {k} | {v:.4f} |" for k, v in evaluation.reported().items() if k != "threshold"]
        if series:
            lines.append("\nf1 is not point-adjusted; f1_point_adjusted counts a whole labelled segment once any "
                         "step in it is flagged, f1_point_adjusted_random is that of random scores flagging as "
                         "many steps.")
    lines += columns_md
    lines += ["", "## Score histogram", "", "![score histogram](score_histogram.png)", "",
              f"## Flagged rows (highest {len(top.rows)} of {flagged})", ""]
    if top.rows:
        shown = list(choice.features[:VALUES_SHOWN])
        lines += ["| row | score | " + " | ".join(shown) + " |", "|---:|---:|" + "---|" * len(shown)]
        lines += [f"| {row} | {score:.4g} | " + " | ".join(values) + " |"
                  for row, score, values in zip(top.rows, top.scores, top.values)]
    else:
        lines.append("none")
    if figures[1:]:
        lines += ["", "## Figures", ""] + [f"![{f}]({f})" for f in figures[1:]]
    lines += ["", "Score new records: `aejax score --workdir " + str(workdir) + " --input FILE`."]
    (workdir / "report.md").write_text("\n".join(lines) + "\n")
    return FitSummary(workdir, len(rows), len(choice.features), n_series, flagged, threshold.value, evaluation,
                      tuple(notes), trained)
