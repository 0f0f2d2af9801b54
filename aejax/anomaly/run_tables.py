"""Anomaly runs on tables: ADBench sets and KDD Cup 99 (`run_tabular`), NSL-KDD (`run_nsl_kdd`).

Every run trains the autoencoder detector and the PCA / Isolation Forest baselines on the same
rows, fits the same threshold policy to each method's scores and reports each method's metrics.
The first seed's preprocessor and AE detector (with its threshold) are saved as the run's
pipeline, which `aejax score` serves.
"""

from __future__ import annotations

import json

import numpy as np

from aejax.anomaly import build
from aejax.anomaly.metrics import RunEvaluation, evaluate, over_seeds
from aejax.anomaly.pipeline import Pipeline
from aejax.anomaly.protocols import drop_training_anomalies, one_class_split, subsample, unsupervised_split
from aejax.anomaly.figures import method_table, run_notes, save_curves
from aejax.anomaly.thresholds import threshold_from_config
from aejax.anomaly import datasets as anomaly_data
from aejax.anomaly.tables import TabularPreprocessor

EVALUATION_FILE = "evaluation.json"  # the run's RunEvaluation, read back by anomaly/all


def fit_and_score(cfg, run, x_train, x_eval: dict, *, seed: int, tag: str):
    """Fits the AE detector and the baselines on x_train [N, D]; returns (scores {method: {split:
    [N_split]}} on "train" and every split of x_eval, the fitted AE detector)."""
    ae = build.autoencoder(cfg, seed=seed).fit(x_train, run=run, tag=tag)
    scores = {"ae": {"train": ae.train_scores_, **{split: ae.score(x) for split, x in x_eval.items()}}}
    for method, detector in build.baselines(cfg, x_train.shape[1], seed=seed, extra=True).items():
        detector.fit(x_train)
        scores[method] = {"train": detector.train_scores_, **{split: detector.score(x) for split, x in x_eval.items()}}
    return scores, ae


def fit_thresholds(cfg, scores: dict, labels_by_split: dict) -> dict:
    """Each method's threshold, fitted by `cfg.threshold` on the scores of split threshold.fit_on."""
    fit_on = cfg.threshold.fit_on
    available = sorted(next(iter(scores.values())))
    if fit_on not in available:
        raise ValueError(f"threshold.fit_on={fit_on!r} is not a split of this run; choose one of {available}")
    return {m: threshold_from_config(cfg.threshold, s[fit_on], labels_by_split.get(fit_on)) for m, s in scores.items()}


def save_evaluation(run, evaluation: RunEvaluation) -> None:
    run.path(EVALUATION_FILE).write_text(json.dumps(evaluation.to_dict(), indent=1) + "\n")


def _split(cfg, labels, seed: int):
    if cfg.protocol.name == "unsupervised":
        split = unsupervised_split(labels, test_fraction=cfg.protocol.test_fraction, seed=seed)
    elif cfg.protocol.name == "one-class":
        split = one_class_split(labels, train_fraction=cfg.protocol.train_fraction, seed=seed)
    else:
        raise ValueError(f"protocol.name {cfg.protocol.name!r} must be 'unsupervised' or 'one-class' for "
                         f"dataset {cfg.data.name!r}")
    return drop_training_anomalies(split, labels) if cfg.protocol.normal_only_training else split


def run_tabular(cfg, run) -> dict:
    """ADBench sets (unsupervised 70/30 or its one-class variant) and KDD Cup 99 (one-class 50 %)."""
    table = anomaly_data.load(cfg.data.name, data_dir=cfg.data.data_dir)
    per_seed, first = [], None
    for seed in cfg.protocol.seeds:
        split = _split(cfg, table.labels, seed)
        train_rows = subsample(split.train, cfg.protocol.max_train_rows, seed)
        test_rows = subsample(split.test, cfg.protocol.max_test_rows, seed)
        if split.protocol == "one-class":
            assert table.labels[train_rows].sum() == 0
        train_table, test_table = table.take(train_rows), table.take(test_rows)
        pre = TabularPreprocessor.fit(train_table, scaling=cfg.preprocess.scaling, log1p=tuple(cfg.preprocess.log1p))
        x_train, x_test = pre.transform(train_table), pre.transform(test_table)
        scores, ae = fit_and_score(cfg, run, x_train, {"test": x_test}, seed=seed, tag=f"seed_{seed}")
        thresholds = fit_thresholds(cfg, scores, {"train": train_table.labels, "test": test_table.labels})
        per_seed.append({m: evaluate(test_table.labels, s["test"], thresholds[m]) for m, s in scores.items()})
        run.log({"seed": seed, **RunEvaluation({"test": {m: over_seeds([e]) for m, e in per_seed[-1].items()}},
                                               "test").metrics()})
        if first is None:
            first = (test_table.labels, {m: s["test"] for m, s in scores.items()})
            ae.threshold_ = thresholds["ae"]
            Pipeline(pre, ae).save(run.workdir)
            protocol, d = split.protocol, pre.num_features
    evaluation = RunEvaluation({"test": {m: over_seeds([s[m] for s in per_seed]) for m in per_seed[0]}}, "test")
    save_evaluation(run, evaluation)
    figures = save_curves(run.workdir, first[0], first[1], f"{cfg.data.name} (seed {cfg.protocol.seeds[0]})")
    note = (f"fitted on the {cfg.threshold.fit_on} scores of each method"
            + (f", rate {cfg.threshold.rate}" if cfg.threshold.policy == "contamination" else ""))
    notes = run_notes(cfg, protocol, note) + [
        f"{len(cfg.protocol.seeds)} seed(s) {tuple(cfg.protocol.seeds)}; mean ± std over seeds. "
        f"{d} input features; {len(train_rows)} training rows and {len(test_rows)} test rows per seed."]
    members = int(cfg.model.get("ensemble", 1))
    if members > 1:
        notes.append(f"AE score: mean of the {'raw' if cfg.score.ensemble == 'mean' else 'per-member standardised'} "
                     f"scores of an ensemble of {members} autoencoders (different initialisations, same batches); "
                     "`aejax score` restores and scores the whole ensemble.")
    return {"metrics": evaluation.metrics(), "figures": figures, "notes": notes,
            "tables": {"AE vs PCA vs IForest (test split)": method_table(evaluation)}}


def run_nsl_kdd(cfg, run) -> dict:
    """NSL-KDD: one-class on the normal rows of KDDTrain+_20Percent; test on KDDTest+ and KDDTest-21.

    A held-out `protocol.validation_fraction` of the training normals sets the threshold."""
    splits = anomaly_data.load("nsl_kdd", data_dir=cfg.data.data_dir)
    seed = cfg.protocol.seeds[0]
    normal_rows = np.flatnonzero(splits["train"].labels == 0)
    order = np.random.default_rng(seed).permutation(normal_rows)
    n_val = int(round(cfg.protocol.validation_fraction * len(order)))
    val_table, fit_table = splits["train"].take(np.sort(order[:n_val])), splits["train"].take(np.sort(order[n_val:]))
    fit_table = fit_table.take(subsample(np.arange(len(fit_table)), cfg.protocol.max_train_rows, seed))
    pre = TabularPreprocessor.fit(fit_table, scaling=cfg.preprocess.scaling, log1p=tuple(cfg.preprocess.log1p))
    x_eval = {"validation": pre.transform(val_table), "test+": pre.transform(splits["test+"]),
              "test-21": pre.transform(splits["test-21"])}
    scores, ae = fit_and_score(cfg, run, pre.transform(fit_table), x_eval, seed=seed, tag=f"seed_{seed}")
    thresholds = fit_thresholds(cfg, scores, {})
    test_splits = ("test+", "test-21")
    evaluation = RunEvaluation(
        {split: {m: over_seeds([evaluate(splits[split].labels, s[split], thresholds[m], accuracy=True)])
                 for m, s in scores.items()} for split in test_splits},
        primary="test+", suffixed=test_splits)
    save_evaluation(run, evaluation)
    ae.threshold_ = thresholds["ae"]
    Pipeline(pre, ae).save(run.workdir)
    figures = save_curves(run.workdir, splits["test+"].labels, {m: s["test+"] for m, s in scores.items()},
                          "NSL-KDD KDDTest+")
    notes = run_notes(cfg, "one-class", f"fitted on the scores of {n_val} held-out training normals") + [
        f"Trained on {len(fit_table)} normal rows of KDDTrain+_20Percent; {pre.num_features} features "
        "(one-hot vocabularies from the training rows; unseen test categories encode as all-zero blocks).",
        "Unsuffixed metrics are KDDTest+; accuracy counts normal and attack decisions alike."]
    tables = {f"KDD{s.capitalize()}": method_table(evaluation, s, extra=("accuracy",)) for s in test_splits}
    return {"metrics": evaluation.metrics(), "figures": figures, "notes": notes, "tables": tables}
