"""`aejax anomaly fit --train FILE --workdir DIR`: a detector for the user's own data.

Imports nothing heavy until the command runs (it is loaded for every `aejax` invocation).
"""

from __future__ import annotations

import sys

EPILOG = """examples:
  aejax anomaly fit --train sensors.csv --workdir runs/sensors
  aejax anomaly fit --train telemetry.csv --workdir runs/tm --time ts --series-id unit --window 32
  aejax anomaly fit --train sensors.csv --workdir runs/s2 --config.threshold.q=99.9 --config.model.ensemble=1
  aejax score --workdir runs/sensors --input new.csv

--config.KEY=VALUE changes the detector's config (aejax.configs.anomaly.user_config).
"""


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


def _overrides(extra: list[str]) -> dict[str, str]:
    out = {}
    for arg in extra:
        key, eq, value = arg.removeprefix("--config.").partition("=")
        if not arg.startswith("--config.") or not eq:
            raise ValueError(f"unrecognised argument {arg!r}; config overrides look like --config.train.epochs=5")
        out[key] = value
    return out


def _cmd_fit(args, extra) -> int:
    from aejax.anomaly.fit import fit_file
    from aejax.anomaly.records import InputError
    from aejax.data.anomaly.tables import RecordError

    try:
        summary = fit_file(args.train, args.workdir, label=args.label, time=args.time, series_id=args.series_id,
                           window=args.window, categorical=_names(args.categorical), numeric=_names(args.numeric),
                           ignore=_names(args.ignore), per_series=args.per_series, overrides=_overrides(extra),
                           overwrite=args.overwrite)
    except RecordError as err:
        print(f"aejax anomaly fit: error: {args.train}: {err}", file=sys.stderr)
        return 2
    except (InputError, KeyError, TypeError, ValueError, FileNotFoundError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"aejax anomaly fit: error: {message}", file=sys.stderr)
        return 2
    what = f"{summary.series} series" if summary.series else "a table"
    print(f"fitted a detector on {summary.rows} rows of {what} ({summary.features} feature columns); threshold "
          f"{summary.threshold:.6g} flags {summary.flagged} training rows -> {summary.workdir / 'report.md'}")
    if summary.evaluation is not None:
        print(f"training rows vs labels: AUROC {summary.evaluation.auroc:.4f}, AUPRC {summary.evaluation.auprc:.4f}, "
              f"F1 {summary.evaluation.f1:.4f}")
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
    f.add_argument("--window", type=int, help="series: window length in steps (makes a series detector)")
    f.add_argument("--time", help="series: time column (numbers or ISO 8601), increasing within each series")
    f.add_argument("--series-id", help="series: column naming the series of each row (rows of a series together)")
    f.add_argument("--per-series", action="store_true", help="series: one model and threshold per series")
    f.add_argument("--overwrite", action="store_true", help="replace a detector already in --workdir")
    f.set_defaults(func=_cmd_fit, takes_overrides=True)
