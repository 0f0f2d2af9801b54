"""`aejax anomaly fit --train FILE --workdir DIR`: a detector for the user's own data;
`aejax score --workdir DIR --input FILE`: new records scored by a fitted detector.

DIR holds a pipeline (`aejax anomaly fit`, or a tabular `aejax run anomaly/<set>`): the input's
columns, the fitted preprocessor, the detector and its threshold. Tables and series alike are
scored in chunks (aejax.anomaly.score_file); the output has one `row,score,decision` line per
record. Imports nothing heavy until a command runs (it is loaded for every `aejax` invocation);
errors are raised to the one printer of `aejax.cli.main`.
"""

from __future__ import annotations

import contextlib

EPILOG = """examples:
  aejax anomaly fit --train sensors.csv --workdir runs/sensors
  aejax anomaly fit --train telemetry.csv --workdir runs/tm --time ts --series-id unit --window 32
  aejax anomaly fit --train sensors.csv --workdir runs/s2 --config.threshold.q=99.9 --config.model.ensemble=1
  aejax anomaly fit --train sensors.csv --workdir runs/s3 --detector autoencoder
  aejax anomaly fit --train sensors.csv --workdir runs/s4 --na-values 'n/a,?'   # cells that mean "missing"
  aejax score --workdir runs/sensors --input new.csv
  aejax score --workdir runs/sensors --input new.csv --overwrite --ignore host   # replace; a column to leave out

--config.KEY=VALUE changes the detector's config (aejax.anomaly.settings.user_config).
"""


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


@contextlib.contextmanager
def _naming(path):
    """A bad record's error (row and column) prefixed with the file that holds it."""
    from aejax.anomaly.tables import RecordError

    try:
        yield
    except RecordError as err:
        raise RecordError(f"{path}: {err}") from None


def contamination_overrides(contamination: float | None, overrides: dict) -> dict:
    """`overrides` with the percentile threshold that flags the fraction `contamination` (0 < C < 0.5)
    of the training rows: q = 100 * (1 - C), PyOD's `contamination`."""
    if contamination is None:
        return dict(overrides)
    if not 0.0 < contamination < 0.5:
        raise ValueError(f"--contamination {contamination:g}: expected the fraction of anomalies among the training "
                         "rows, between 0 and 0.5 (e.g. 0.05)")
    clash = sorted(k for k in overrides if k.startswith("threshold."))
    if clash:
        raise ValueError(f"--contamination sets the threshold; drop {', '.join(clash)} or --contamination")
    return {**overrides, "threshold.policy": "percentile", "threshold.q": repr(100.0 * (1.0 - contamination))}


def _cmd_fit(args) -> int:
    from aejax.anomaly.fit_file import fit_file

    overrides = contamination_overrides(args.contamination, args.overrides)
    with _naming(args.train):
        summary = fit_file(args.train, args.workdir, label=args.label, time=args.time, series_id=args.series_id,
                           window=args.window, categorical=_names(args.categorical), numeric=_names(args.numeric),
                           ignore=_names(args.ignore), na_values=_names(args.na_values), per_series=args.per_series,
                           overrides=overrides, overwrite=args.overwrite, detector=args.detector)
    what = f"{summary.series} series" if summary.series else "a table"
    sampled = f", trained on a uniform sample of {summary.trained_rows}" if summary.trained_rows < summary.rows else ""
    print(f"fitted a detector on {summary.rows} rows of {what} ({summary.features} feature columns{sampled}); "
          f"threshold {summary.threshold:.6g} flags {summary.flagged} training rows -> {summary.workdir / 'report.md'}")
    if summary.evaluation is not None:
        print(f"training rows vs labels: AUROC {summary.evaluation.auroc:.4f}, AUPRC {summary.evaluation.auprc:.4f}, "
              f"F1 {summary.evaluation.f1:.4f}")
    return 0


def _cmd_score(args) -> int:
    from aejax.anomaly.score_file import GAP_FACTOR, score_file

    with _naming(args.input):
        summary = score_file(args.workdir, args.input, args.output, overwrite=args.overwrite,
                             ignore=_names(args.ignore))
    print(f"scored {summary.records} records, {summary.flagged} flagged as anomalous -> {summary.output}")
    if summary.overflowed:
        print(f"{summary.overflowed} records have values that overflow after scaling: scored inf and flagged")
    if summary.filled:
        print(f"{summary.filled} missing values were filled with their column's training median")
    if summary.gaps:
        print(f"warning: {summary.gaps} rows follow a time gap (a step of at least {GAP_FACTOR} times the training "
              f"series' median step), the first at row {summary.first_gap}; windows span them")
    if summary.evaluation is not None:
        e = summary.evaluation
        print(f"against the label column: AUROC {e.auroc:.4f}, AUPRC {e.auprc:.4f}, F1 {e.f1:.4f}")
    return 0


def add_parser(subparsers) -> None:
    import argparse

    p = subparsers.add_parser("anomaly", help="anomaly detection on your own data (fit a detector)")
    sub = p.add_subparsers(dest="anomaly_command", required=True)
    f = sub.add_parser("fit", help="fit a detector on a CSV / .npy / .npz / Parquet file, write it with a report",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    f.add_argument("--train", required=True, help="training records (.csv with a header row, .npy, .npz, .parquet)")
    f.add_argument("--workdir", required=True, help="where the detector, report.md and figures go")
    f.add_argument("--label", help="column of 0/1 labels (1 = anomaly): metrics only, never used for fitting")
    f.add_argument("--categorical", default="", help="comma-separated columns to one-hot encode (text columns are)")
    f.add_argument("--numeric", default="", help="comma-separated columns that must be numeric")
    f.add_argument("--ignore", default="", help="comma-separated columns to leave out")
    f.add_argument("--na-values", default="", help="comma-separated cells that mean a missing value, e.g. 'n/a,?' "
                   "(empty cells always do); a missing number is filled with the column's training median")
    f.add_argument("--window", type=int, help="series: window length in steps (makes a series detector)")
    f.add_argument("--time", help="series: time column (numbers or ISO 8601), increasing within each series")
    f.add_argument("--series-id", help="series: column naming the series of each row (rows of a series together)")
    f.add_argument("--per-series", action="store_true", help="series: one model and threshold per series")
    f.add_argument("--detector", default="default", choices=("default", "autoencoder", "iforest", "knn", "pca"),
                   help="the table detector (default: the one chosen on ADBench's sets and anomaly types; autoencoder: "
                        "the autoencoder alone; iforest, knn, pca: those baselines)")
    f.add_argument("--contamination", type=float, metavar="C",
                   help="the fraction of anomalies you expect among the training rows, e.g. 0.05: the threshold "
                        "flags that fraction of them (default: the 99th percentile of the training scores, which "
                        "flags about 1 %% whatever the share of anomalies)")
    f.add_argument("--overwrite", action="store_true", help="replace a detector already in --workdir")
    f.set_defaults(func=lambda a, extra: _cmd_fit(a), takes_overrides=True)
    p = subparsers.add_parser("score", help="score new records (CSV, .npy, .npz, Parquet) with a fitted detector")
    p.add_argument("--workdir", required=True, help="work directory of `aejax anomaly fit` or a tabular anomaly run")
    p.add_argument("--input", required=True, help="records with the training file's columns (a CSV header may "
                   "name them in any order; without one, the same columns in the same order)")
    p.add_argument("--output", help="where to write row,score,decision (default WORKDIR/<input>.scores.csv)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.add_argument("--ignore", default="", help="comma-separated columns of the input that the training file did not "
                   "have, to leave out")
    p.set_defaults(func=lambda a, extra: _cmd_score(a))
