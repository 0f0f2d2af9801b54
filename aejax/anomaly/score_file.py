"""Scoring a file with a fitted pipeline, in chunks: `score_file(workdir, input, output)`.

The output is a CSV of `row,score,decision` (the row as `aejax.anomaly.records` counts it), one
line per record in input order, written to a temporary file that replaces the output only when
every record was scored: a bad record leaves nothing behind. An existing output is replaced only
with `overwrite`. Memory is bounded by the chunk size: records are read `chunk_rows` at a time and
a series is scored as its rows arrive.

The input holds the training file's columns (the label and ignored ones may be left out); a
column the training file did not have is an error unless named in `ignore`. A missing numeric
value is filled as in training (the column's training median) and counted. A record whose
features overflow (a value too large for float32 after scaling) scores +inf and is flagged. A
series pipeline reads the rows of each series contiguously and in increasing time; a series id
that comes back after another series, or a time that goes back, is an error naming the row; a
time step of at least GAP_FACTOR times the training series' median step is counted as a gap.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from aejax.anomaly import records
from aejax.anomaly.labels import has_both_classes
from aejax.anomaly.metrics import Evaluation, evaluate
from aejax.anomaly.pipeline import Pipeline
from aejax.anomaly.scores import rank_non_finite_highest
from aejax.anomaly.series_detector import POOLED
from aejax.anomaly.thresholds import decide
from aejax.anomaly.tables import RecordError

HEADER = "row,score,decision\n"
GAP_FACTOR = 1.5  # as aejax.anomaly.fit_file.GAP_FACTOR


@dataclasses.dataclass(frozen=True)
class ScoreSummary:
    """What `score_file` wrote: records scored, how many flagged, how many with overflowing
    features, and metrics where the input holds the pipeline's label column."""

    output: Path
    records: int
    flagged: int
    overflowed: int
    evaluation: Evaluation | None = None
    filled: int = 0  # missing values filled with the training median
    gaps: int = 0  # series rows that follow a time gap
    first_gap: int | None = None  # the row of the first


def default_output(workdir, input_path) -> Path:
    return Path(workdir) / f"{Path(input_path).stem}.scores.csv"


def _check_paths(input_path: Path, output_path: Path, *, given: bool, overwrite: bool) -> None:
    flag = f"--output {output_path}" if given else f"the output {output_path} (WORKDIR/<input name>.scores.csv)"
    same = output_path.resolve() == input_path.resolve() or (
        output_path.exists() and input_path.exists() and os.path.samefile(output_path, input_path))
    if same:
        raise ValueError(f"{flag} is the input file; choose another output path")
    if output_path.is_dir():
        raise ValueError(f"{flag} is a folder; give a file name, e.g. {output_path / default_output('', input_path)}")
    if not output_path.parent.is_dir():
        raise ValueError(f"{flag}: folder {output_path.parent} does not exist")
    if output_path.exists() and not overwrite:
        raise ValueError(f"{flag} exists (an earlier aejax score?); pass --overwrite to replace it, or "
                         "--output another file")


def _check_columns(input_path: Path, pipeline: Pipeline, ignore: tuple[str, ...]) -> None:
    """A column the training file did not have is an error (unless ignored): a file of another table."""
    schema = pipeline.schema
    names = records.column_names(input_path, expected=schema.columns, optional=(schema.label,) if schema.label else ())
    extra = [c for c in names if c not in schema.columns and c not in ignore]
    if extra:
        shown = ", ".join(map(repr, extra[:8])) + (f" and {len(extra) - 8} more" if len(extra) > 8 else "")
        raise records.InputError(f"{input_path} has {len(extra)} columns that the detector's training file did not "
                                 f"have: {shown}; its columns were {', '.join(schema.columns)}. Is it the same kind "
                                 "of table? To score it anyway, name the extra columns with --ignore")


def _table_scores(pipeline: Pipeline, chunks: Iterator[records.Columns]):
    """(rows [n], scores [n], overflowed [n]) of each chunk of a table pipeline."""
    for columns in chunks:
        features = pipeline.features(columns)
        bad = ~np.isfinite(features).all(axis=1)
        features[bad] = 0.0
        scores = pipeline.detector.score(features)
        scores[bad] = np.inf
        yield columns.rows(), scores, bad


def _series_scores(pipeline: Pipeline, chunks: Iterator[records.Columns], gaps: list):
    """(rows, per-step scores, overflowed) of a series pipeline as each series' steps become final;
    the rows that follow a time gap are appended to `gaps`."""
    detector, schema = pipeline.detector, pipeline.schema
    stream, name, done, last_time = None, None, set(), -np.inf
    gap = GAP_FACTOR * schema.time_step if schema.time_step else np.inf
    pending_rows, pending_bad = np.zeros(0, np.int64), np.zeros(0, bool)
    for columns in chunks:
        features = pipeline.features(columns)
        bad = ~np.isfinite(features).all(axis=1)
        features[bad] = 0.0
        rows = columns.rows()
        if schema.series_id:
            codes, levels = columns.text[schema.series_id]
            cuts = np.flatnonzero(np.diff(codes)) + 1
            runs = [(a, b, levels[codes[a]]) for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(codes)])]
        else:
            runs = [(0, len(rows), POOLED)]
        times = columns.numeric.get(schema.time) if schema.time else None
        for a, b, series in runs:
            if series != name:
                if stream is not None:
                    scores = stream.finish()
                    yield pending_rows, scores, pending_bad
                    pending_rows, pending_bad = pending_rows[:0], pending_bad[:0]
                    done.add(name)
                if series in done:
                    raise RecordError(f"row {rows[a]}: series {series!r} continues after another series; "
                                      "sort the file so that the rows of each series are together")
                stream, name, last_time = detector.stream(series), series, -np.inf
            if times is not None:
                t = np.r_[last_time, times[a:b]]
                steps = np.diff(t)  # steps[i]: from the row before to row a + i
                back = np.flatnonzero(steps <= 0)
                if len(back):
                    raise RecordError(f"row {rows[a + back[0]]}, column {schema.columns.index(schema.time) + 1} "
                                      f"({schema.time!r}): time does not increase within series {series!r}; "
                                      "sort the file by series and time")
                last_time = t[-1]
                steps[0] = steps[0] if np.isfinite(t[0]) else 0.0  # the first row of a series follows no step
                gaps.append(rows[a + np.flatnonzero(steps >= gap)])
            pending_rows = np.r_[pending_rows, rows[a:b]]
            pending_bad = np.r_[pending_bad, bad[a:b]]
            scores = stream.push(features[a:b])
            k = len(scores)
            yield pending_rows[:k], scores, pending_bad[:k]
            pending_rows, pending_bad = pending_rows[k:], pending_bad[k:]
    if stream is not None:
        yield pending_rows, stream.finish(), pending_bad


def score_file(workdir, input_path, output_path=None, *, chunk_rows: int = records.CHUNK_ROWS,
               overwrite: bool = False, ignore: tuple[str, ...] = ()) -> ScoreSummary:
    """Scores every record of `input_path` with the pipeline fitted in `workdir`; writes
    row,score,decision to `output_path` (default WORKDIR/<input stem>.scores.csv)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    input_path = Path(input_path)
    pipeline = Pipeline.load(workdir)
    given = output_path is not None
    output_path = Path(output_path) if given else default_output(workdir, input_path)
    records.column_names(input_path)  # the input exists and has a known format
    _check_paths(input_path, output_path, given=given, overwrite=overwrite)
    _check_columns(input_path, pipeline, tuple(ignore))
    threshold, label = pipeline.detector.threshold_, pipeline.schema.label
    kinds = pipeline.input_kinds() | ({label: records.NUMERIC} if label else {})
    missing = pipeline.may_be_missing()
    labels, all_scores, gaps, filled = [], [], [], [0]

    def chunks():
        for columns in records.read_chunks(input_path, kinds, expected=pipeline.schema.columns,
                                           optional=(label,) if label else (), chunk_rows=chunk_rows,
                                           na_values=pipeline.schema.na_values, missing=missing):
            if label in columns.numeric:
                labels.append(columns.numeric[label])
            filled[0] += sum(int(np.isnan(columns.numeric[c]).sum()) for c in missing)
            yield columns

    scored = _series_scores(pipeline, chunks(), gaps) if pipeline.is_series else _table_scores(pipeline, chunks())
    tmp = output_path.with_name(f".{output_path.name}.{os.getpid()}.tmp")
    n = flagged = overflowed = 0
    try:
        with open(tmp, "wb") as f:
            f.write(HEADER.encode())
            for rows, scores, bad in scored:
                scores = rank_non_finite_highest(scores)
                scores[bad] = np.inf
                decisions = decide(scores, threshold)
                table = pa.table({"row": rows, "score": scores, "decision": decisions.astype(np.int8)})
                pcsv.write_csv(table, f, pcsv.WriteOptions(include_header=False))
                n, flagged, overflowed = n + len(rows), flagged + int(decisions.sum()), overflowed + int(bad.sum())
                if labels:
                    all_scores.append(scores)
        tmp.replace(output_path)
    finally:
        tmp.unlink(missing_ok=True)
    evaluation = None
    if labels:
        y = np.concatenate(labels)
        if np.isin(y, (0, 1)).all() and has_both_classes(y):
            evaluation = evaluate(y.astype(np.int32), np.concatenate(all_scores), threshold)
    gap_rows = np.concatenate(gaps) if gaps else np.zeros(0, np.int64)
    return ScoreSummary(output_path, n, flagged, overflowed, evaluation, filled[0], len(gap_rows),
                        int(gap_rows[0]) if len(gap_rows) else None)
