"""`aejax score --workdir DIR --input FILE.csv`: score new records with a trained anomaly model.

A tabular anomaly run (aejax run anomaly/<set>) saves its model under DIR/model (orbax) and, in
DIR/scorer.json, the fitted preprocessor (column kinds, one-hot vocabularies, scaling), the
error standardiser (if used) and the threshold. This command rebuilds exactly those features
from raw CSV records (the dataset's raw columns in order, optionally under a header row),
writes one line per record (row, score, decision) and prints how many were flagged.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from aejax.data.anomaly.tables import RecordError, TabularPreprocessor
from aejax.tasks import anomaly


@dataclasses.dataclass(frozen=True, eq=False)
class Scorer:
    """A restored anomaly model with its preprocessor, error standardiser and threshold."""

    model: object
    params: dict
    preprocessor: TabularPreprocessor
    standardiser: anomaly.ErrorStandardiser | None
    threshold: anomaly.Threshold
    ensemble: dict | None = None  # {"members", "standardisers", "reference"}: params have a member axis

    def scores(self, features: np.ndarray) -> np.ndarray:
        """Anomaly scores [N] of preprocessed features [N, D]."""
        if self.ensemble is not None:
            members = anomaly.member_scores(self.model, self.params, features, self.ensemble["standardisers"])
            return anomaly.ensemble_scores(members, self.ensemble["reference"])
        recon = anomaly.reconstruct(self.model, self.params, features)
        return anomaly.reconstruction_scores(features, recon, self.standardiser)

    def score_records(self, records, *, first_row: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """(scores [N], decisions [N]) of raw string records; RecordError names a bad row/column."""
        scores = self.scores(self.preprocessor.transform_records(records, first_row=first_row))
        return scores, anomaly.decide(scores, self.threshold)


def load_scorer(workdir: str | Path) -> Scorer:
    """Restores the model, preprocessor and threshold saved by a tabular anomaly run in `workdir`."""
    import jax
    import jax.numpy as jnp
    from ml_collections import ConfigDict

    from aejax.ckpt import Checkpoints

    workdir = Path(workdir)
    meta_path = workdir / anomaly.SCORER_FILE
    if not meta_path.is_file():
        raise FileNotFoundError(f"{workdir} has no {anomaly.SCORER_FILE}; run a tabular anomaly experiment into it "
                                "first, e.g. `aejax run anomaly/thyroid --workdir DIR`")
    meta = json.loads(meta_path.read_text())
    preprocessor = TabularPreprocessor.from_dict(meta["preprocessor"])
    model = anomaly.make_model(ConfigDict(meta["model"]), (preprocessor.num_features,))
    ensemble = meta.get("ensemble")
    init = lambda key: model.init(key, jnp.zeros((1, preprocessor.num_features)))["params"]  # noqa: E731
    keys = jax.random.split(jax.random.PRNGKey(0), ensemble["members"]) if ensemble else jax.random.PRNGKey(0)
    template = jax.eval_shape(jax.vmap(init) if ensemble else init, keys)
    checkpoints = Checkpoints(workdir / anomaly.MODEL_CHECKPOINTS)
    try:
        state, _ = checkpoints.restore({"params": template})
    finally:
        checkpoints.close()
    standardiser = meta.get("standardiser")
    if ensemble:
        ensemble = {**ensemble, "standardisers": [anomaly.ErrorStandardiser.from_dict(st) if st else None
                                                  for st in ensemble["standardisers"]]}
    return Scorer(model, state["params"], preprocessor,
                  anomaly.ErrorStandardiser.from_dict(standardiser) if standardiser else None,
                  anomaly.Threshold.from_dict(meta["threshold"]), ensemble)


def read_records(path: Path, columns: tuple[str, ...]) -> tuple[list[list[str]], int]:
    """CSV rows of `path` and the file line number of the first record (a header row equal to
    `columns` is skipped)."""
    with open(path, newline="") as f:
        rows = [row for row in csv.reader(f)]
    if rows and tuple(field.strip() for field in rows[0]) == columns:
        return rows[1:], 2
    return rows, 1


def score_file(workdir: str | Path, input_path: str | Path, output_path: str | Path | None = None) -> Path:
    """Scores every record of `input_path`; writes row,score,decision lines to `output_path`
    (default WORKDIR/<input stem>.scores.csv) and returns that path."""
    scorer = load_scorer(workdir)
    input_path = Path(input_path)
    records, first_row = read_records(input_path, scorer.preprocessor.columns)
    scores, decisions = scorer.score_records(records, first_row=first_row)
    output_path = Path(output_path) if output_path else Path(workdir) / f"{input_path.stem}.scores.csv"
    with open(output_path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["row", "score", "decision"])
        for i, (s, d) in enumerate(zip(scores, decisions)):
            writer.writerow([first_row + i, repr(float(s)), int(d)])
    return output_path


def _cmd_score(args) -> int:
    try:
        out = score_file(args.workdir, args.input, args.output)
    except RecordError as err:
        print(f"aejax score: error: {args.input}: {err}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as err:
        print(f"aejax score: error: {err}", file=sys.stderr)
        return 2
    decisions = np.loadtxt(out, delimiter=",", skiprows=1, usecols=2, ndmin=1)
    print(f"scored {len(decisions)} records, {int(decisions.sum())} flagged as anomalous -> {out}")
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("score", help="score new records (CSV) with a trained anomaly model")
    p.add_argument("--workdir", required=True, help="work directory of a tabular anomaly run")
    p.add_argument("--input", required=True, help="CSV of raw records, the dataset's columns in order")
    p.add_argument("--output", help="where to write row,score,decision (default WORKDIR/<input>.scores.csv)")
    p.set_defaults(func=lambda a, extra: _cmd_score(a))
