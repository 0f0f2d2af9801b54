"""`aejax anomaly fit`: a detector trained on the user's own file, saved with a report.

    fit_file("sensors.csv", "runs/sensors")                       # a table: one score per row
    fit_file("telemetry.csv", "runs/tm", time="ts", series_id="unit", window=32)   # series

Columns are numeric or categorical as inferred (`aejax.anomaly.records`) unless named; the label,
time and series-id columns are not features, and `ignore` drops others. Without a label column
(the normal case) the detector is fitted and its threshold set without labels; with one, the
report adds metrics of the training rows (labels are never used for fitting). The whole input is
checked before anything is written. The work directory receives the pipeline (pipeline.json,
detector/), config.json, metrics.jsonl (training), train_scores.csv, report.md and figures.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np

from aejax.anomaly import figures as figures_lib, records, sizing
from aejax.anomaly.labels import has_both_classes
from aejax.anomaly.metrics import Evaluation, evaluate
from aejax.anomaly.pipeline import PIPELINE_FILE, InputSchema, Pipeline
from aejax.anomaly.series_detector import SeriesDetector
from aejax.anomaly.thresholds import decide, threshold_from_config
from aejax.anomaly.tables import CATEGORICAL, NUMERIC, RecordError, Table, TabularPreprocessor

FLAGGED_SHOWN = 20  # rows listed in report.md
MAX_LEVELS = 1000  # a text column with more distinct values is taken for an identifier


@dataclasses.dataclass(frozen=True)
class ColumnChoice:
    """The roles of a file's columns: features (numeric or categorical) and the others."""

    schema: InputSchema
    features: tuple[str, ...]
    kinds: tuple[str, ...]  # NUMERIC | CATEGORICAL per feature


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


def choose_columns(path, *, label=None, time=None, series_id=None, categorical=(), numeric=(), ignore=()) -> ColumnChoice:
    """Feature columns and their kinds (inferred, or as named), after checking every named column."""
    found = records.file_columns(path)
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
    features, kinds = [], []
    for name in found.names:
        if name in roles or name in ignore:
            continue
        kind = found.kinds[name]
        if name in numeric and kind != records.NUMERIC:
            raise ValueError(f"--numeric {name}: column {name!r} of {path} holds text, not numbers")
        if kind == records.TIME:
            raise ValueError(f"column {name!r} of {path} holds timestamps: name it with --time, or --ignore it")
        features.append(name)
        kinds.append(CATEGORICAL if name in categorical or kind == records.TEXT else NUMERIC)
    if not features:
        raise ValueError(f"{path} has no feature columns left (all are named --label, --time, --series-id or --ignore)")
    time_kind = found.kinds[time] if time else records.NUMERIC
    if time and time_kind == records.TEXT:
        raise ValueError(f"--time {time}: column {time!r} of {path} holds text; use numbers or ISO 8601 timestamps "
                         "(2024-01-31T12:00:00)")
    schema = InputSchema(found.names, label, time, time_kind, series_id)
    return ColumnChoice(schema, tuple(features), tuple(kinds))


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


def _table(columns: records.Columns, choice: ColumnChoice, path) -> Table:
    numeric = [f for f, k in zip(choice.features, choice.kinds) if k == NUMERIC]
    categorical = [f for f, k in zip(choice.features, choice.kinds) if k == CATEGORICAL]
    for name in categorical:
        levels = len(columns.text[name][1])
        if levels > MAX_LEVELS and levels > len(columns) // 2:
            raise ValueError(f"column {name!r} of {path} has {levels} distinct values in {len(columns)} rows: an "
                             "identifier? --ignore it (or name it --series-id)")
    n = len(columns)
    labels = np.zeros(n, np.int32)
    if choice.schema.label:
        y = columns.numeric[choice.schema.label]
        bad = ~np.isin(y, (0, 1))
        if bad.any():
            row = columns.first_row + int(np.flatnonzero(bad)[0])
            raise RecordError(f"row {row}, column {choice.schema.columns.index(choice.schema.label) + 1} "
                              f"({choice.schema.label!r}): label {y[bad][0]:g} is not 0 (normal) or 1 (anomaly)")
        labels = y.astype(np.int32)
    return Table(choice.features, choice.kinds,
                 np.stack([columns.numeric[f] for f in numeric], axis=1) if numeric else np.zeros((n, 0)),
                 np.stack([columns.text[f][0] for f in categorical], axis=1) if categorical else np.zeros((n, 0), np.int32),
                 tuple(columns.text[f][1] for f in categorical), labels)


def _check_features(features: np.ndarray, columns: records.Columns, pre: TabularPreprocessor) -> None:
    bad = ~np.isfinite(features)
    if bad.any():
        r, c = map(int, np.argwhere(bad)[0])
        name = pre.feature_names[c]
        raise RecordError(f"row {columns.first_row + r}: feature {name!r} overflows after scaling; "
                          "rescale that column, or --ignore it")


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
            raise RecordError(f"row {columns.first_row + a}: series {name!r} continues after another series; "
                              "sort the file so that the rows of each series are together")
        if schema.time:
            back = np.flatnonzero(np.diff(columns.numeric[schema.time][a:b]) <= 0)
            if len(back):
                raise RecordError(f"row {columns.first_row + a + back[0] + 1}, column "
                                  f"{schema.columns.index(schema.time) + 1} ({schema.time!r}): time does not increase "
                                  f"within series {name!r}; sort the file by series and time")
        out[name] = np.arange(a, b)
    return out


def _config(kind: str, overrides: dict | None, detector: str = "default"):
    from aejax import config as config_lib
    from aejax.anomaly.settings import user_config

    cfg = user_config(kind, detector)
    config_lib.apply_overrides(cfg, overrides or {})
    return cfg


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
    notes = [f"windows of {window} steps; every {stride}-th window trains (at most "
             f"{cfg.sizing.max_train_windows} of the {series_windows})"] if stride > 1 else []
    cfg, sized = sizing.size_to_data(cfg, series_windows // stride, window * features)
    window_detector = AutoencoderDetector.from_config(cfg, seed=seed)
    return (SeriesDetector(window_detector, size=window, aggregate=cfg.score.aggregate, train_stride=stride,
                           per_series=per_series), cfg, notes + sized)


def fit_file(train, workdir, *, label=None, time=None, series_id=None, window: int | None = None,
             categorical=(), numeric=(), ignore=(), per_series: bool = False, overrides: dict | None = None,
             overwrite: bool = False, quiet: bool = False, detector: str = "default") -> FitSummary:
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
    if (workdir / PIPELINE_FILE).exists() and not overwrite:
        raise ValueError(f"{workdir} already holds a fitted detector; use another --workdir, or --overwrite")
    choice = choose_columns(train, label=label, time=time, series_id=series_id, categorical=categorical,
                            numeric=numeric, ignore=ignore)
    columns = records.read_all(train, _column_kinds(choice))
    table = _table(columns, choice, train)
    cfg = _config("series" if window else "table", overrides, detector)
    pre = TabularPreprocessor.fit(table, scaling=cfg.preprocess.scaling, log1p=tuple(cfg.preprocess.log1p))
    x = pre.transform(table)
    _check_features(x, columns, pre)
    series = split_series(columns, choice.schema) if window else None
    if series:
        short = {k: len(r) for k, r in series.items() if len(r) < window}
        if short:
            raise ValueError(f"series shorter than --window {window}: "
                             + ", ".join(f"{k or train.name} ({n} rows)" for k, n in list(short.items())[:5]))
    count = sum(len(r) - window + 1 for r in series.values()) if series else len(x)
    fitted, cfg, notes = sized_detector(cfg, window=window, per_series=per_series, series_windows=count,
                                        features=x.shape[1])

    with run_lib.workdir_lock(workdir):
        if overwrite:
            run_lib.clear_workdir(workdir)
        elif (workdir / PIPELINE_FILE).exists():  # fitted while this one read its input
            raise ValueError(f"{workdir} already holds a fitted detector; use another --workdir, or --overwrite")
        run = run_lib.Run(workdir, quiet=quiet, config=cfg.to_dict())
        run.start()  # config.json before any training
        try:
            for note in notes:
                run.print(f"sizing: {note}")
            inputs = {k: x[r] for k, r in series.items()} if series else x
            fitted.fit(inputs, run=run, tag="model")
            if series is not None and per_series:
                fitted.fit_threshold(cfg.threshold.policy, **_policy_params(cfg))
            else:
                fitted.threshold_ = threshold_from_config(cfg.threshold, fitted.train_scores_)
            order = np.concatenate(list(series.values())) if series else np.arange(len(x))
            Pipeline(pre, fitted, choice.schema).save(workdir)
            shutil.rmtree(workdir / "checkpoints", ignore_errors=True)  # training checkpoints: the detector holds the model
            summary = _write_report(workdir, train, columns, choice, fitted, order, series, pre.num_features, notes,
                                    cfg.get("detector", "default"))
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


def _write_report(workdir: Path, train: Path, columns: records.Columns, choice: ColumnChoice, detector, order,
                  series, num_features: int, notes, name: str = "default") -> FitSummary:
    """train_scores.csv, score_histogram.png (and series_scores.png, roc_pr.png), report.md."""
    from aejax import run as run_lib
    from aejax.anomaly.ae_detector import describe
    from aejax.anomaly.settings import DETECTORS

    threshold = detector.threshold_
    scores = np.empty(len(order))
    scores[order] = detector.train_scores_
    decisions = decide(scores, threshold)
    rows = columns.rows()
    run_lib.claim(workdir, "train_scores.csv", "score_histogram.png", "series_scores.png", "roc_pr.png", "report.md")
    np.savetxt(workdir / "train_scores.csv", np.column_stack([rows, scores, decisions]), delimiter=",",
               fmt=["%d", "%.17g", "%d"], header="row,score,decision", comments="")
    figures = ["score_histogram.png"]
    figures_lib.score_histogram(workdir / figures[0], scores, threshold.value, f"{train.name}: training scores")
    if series:
        figures.append("series_scores.png")
        shown = dict(list(series.items())[:4])
        figures_lib.score_trace(workdir / figures[-1], {k or train.name: scores[r] for k, r in shown.items()},
                           threshold.value, "per-step scores of the training series")
    evaluation = None
    labels = np.zeros(len(rows), np.int32)
    if choice.schema.label:
        labels = columns.numeric[choice.schema.label].astype(np.int32)
        if has_both_classes(labels):
            evaluation = evaluate(labels, scores, threshold, point_adjusted=bool(series))
            figures.append("roc_pr.png")
            figures_lib.curves_figure(workdir / figures[-1], labels, {"detector": scores}, f"{train.name} (training rows)")
    flagged = np.flatnonzero(decisions)
    top = flagged[np.argsort(-scores[flagged], kind="stable")][:FLAGGED_SHOWN]
    window_detector = detector.detectors_[next(iter(detector.detectors_))] if series else detector
    lines = [f"# aejax anomaly fit: {train.name}", "",
             f"- rows: {len(rows)}; features: {len(choice.features)} columns "
             f"({sum(k == CATEGORICAL for k in choice.kinds)} categorical, one-hot) -> {num_features} model inputs",
             (f"- detector: series, windows of {detector.size} steps, {describe(window_detector.config)}" if series else
              f"- detector: {name} ({DETECTORS[name]}; `--detector NAME` picks another of "
              f"{', '.join(DETECTORS)}): {describe_detector(detector)}")
             + (f"; one model per series ({len(series)} series)" if series and detector.per_series else
                f"; {len(series)} series" if series else ""),
             f"- threshold: {threshold.policy} {threshold.params} -> {threshold.value:.6g} "
             f"({'uses labels' if threshold.uses_labels else 'no labels used'}); "
             f"{len(flagged)} of {len(rows)} training rows flagged",
             f"- label column: {choice.schema.label or 'none (labels are not needed)'}"]
    lines += [f"- sizing: {n}" for n in notes]
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
    lines += ["", "## Score histogram", "", "![score histogram](score_histogram.png)", "",
              f"## Flagged rows (highest {len(top)} of {len(flagged)})", ""]
    if len(top):
        shown = list(choice.features[:8])
        lines += ["| row | score | " + " | ".join(shown) + " |", "|---:|---:|" + "---|" * len(shown)]
        for i in top:
            values = [_value(columns, c, i) for c in shown]
            lines.append(f"| {rows[i]} | {scores[i]:.4g} | " + " | ".join(values) + " |")
    else:
        lines.append("none")
    if figures[1:]:
        lines += ["", "## Figures", ""] + [f"![{f}]({f})" for f in figures[1:]]
    lines += ["", "Score new records: `aejax score --workdir " + str(workdir) + " --input FILE`."]
    (workdir / "report.md").write_text("\n".join(lines) + "\n")
    return FitSummary(workdir, len(rows), len(choice.features), len(series) if series else 0, len(flagged),
                      threshold.value, evaluation, tuple(notes))


def _value(columns: records.Columns, name: str, i: int) -> str:
    if name in columns.numeric:
        return f"{columns.numeric[name][i]:.6g}"
    codes, levels = columns.text[name]
    return str(levels[codes[i]])
