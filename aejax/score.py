"""`aejax score --workdir DIR --input FILE`: score new records with a fitted anomaly detector.

DIR holds a pipeline (`aejax anomaly fit`, or a tabular `aejax run anomaly/<set>`): the input's
columns, the fitted preprocessor, the detector and its threshold. Tables and series alike are
scored in chunks (aejax.anomaly.serve); the output has one `row,score,decision` line per record.
"""

from __future__ import annotations

import sys


def _cmd_score(args) -> int:
    from aejax.anomaly.records import InputError
    from aejax.anomaly.serve import score_file
    from aejax.data.anomaly.tables import RecordError

    try:
        summary = score_file(args.workdir, args.input, args.output)
    except RecordError as err:
        print(f"aejax score: error: {args.input}: {err}", file=sys.stderr)
        return 2
    except (InputError, FileNotFoundError, ValueError) as err:
        print(f"aejax score: error: {err}", file=sys.stderr)
        return 2
    print(f"scored {summary.records} records, {summary.flagged} flagged as anomalous -> {summary.output}")
    if summary.overflowed:
        print(f"{summary.overflowed} records have values that overflow after scaling: scored inf and flagged")
    if summary.evaluation is not None:
        e = summary.evaluation
        print(f"against the label column: AUROC {e.auroc:.4f}, AUPRC {e.auprc:.4f}, F1 {e.f1:.4f}")
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("score", help="score new records (CSV, .npy, .npz, Parquet) with a fitted detector")
    p.add_argument("--workdir", required=True, help="work directory of `aejax anomaly fit` or a tabular anomaly run")
    p.add_argument("--input", required=True, help="records with the training file's columns (a CSV header may "
                   "name them in any order; without one, the same columns in the same order)")
    p.add_argument("--output", help="where to write row,score,decision (default WORKDIR/<input>.scores.csv)")
    p.set_defaults(func=lambda a, extra: _cmd_score(a))
