"""Anomaly runs on series (NAB streams, SKAB experiments): the library's series detectors
(`aejax.anomaly.series_detector.SeriesDetector`) over float32 sliding windows, scored streamed."""

from __future__ import annotations

import dataclasses

import numpy as np

from aejax.anomaly import build
from aejax.anomaly.metrics import RunEvaluation, evaluate, over_seeds
from aejax.anomaly.figures import method_table, run_notes, save_curves
from aejax.anomaly.series_detector import SeriesDetector
from aejax.anomaly.thresholds import THRESHOLD_POLICIES, Threshold, threshold_from_config
from aejax.anomaly.windows import AGGREGATES
from aejax.anomaly import datasets as anomaly_data
from aejax.anomaly.run_tables import save_evaluation


def standardise_series(values: np.ndarray, n_train: int) -> np.ndarray:
    """Standard scaling per channel with statistics of the first n_train steps only, float32."""
    mean, std = values[:n_train].mean(axis=0), values[:n_train].std(axis=0)
    return ((values - mean) / np.where(std > 0, std, 1.0)).astype(np.float32)


def series_detectors(cfg, channels: int, *, seed: int) -> dict[str, SeriesDetector]:
    """Unfitted series detectors by method: the AE (one model per series with
    `protocol.model_per_series`, else one on the pooled training windows, calibrated per series),
    PCA and IForest (per series with `baselines.per_series`)."""
    size = cfg.windows.size
    common = dict(size=size, aggregate=cfg.score.aggregate, train_stride=cfg.windows.train_stride)
    windows = {"ae": build.autoencoder(cfg, seed=seed),
               **build.baselines(cfg, size * channels, seed=seed)}
    ae_per_series = bool(cfg.protocol.model_per_series)
    return {m: SeriesDetector(d, per_series=ae_per_series if m == "ae" else bool(cfg.baselines.per_series),
                              calibrate_per_series=m == "ae" and not ae_per_series, **common)
            for m, d in windows.items()}


def normalised_test_scores(detector: SeriesDetector, scaled: dict, n_trains: dict, threshold_cfg) -> list[np.ndarray]:
    """Per series: the scores of its test steps (after its first n_train steps) divided by its own
    threshold, fitted by `threshold_cfg` on the scores of its training steps (no labels)."""
    out = []
    for name, values in scaled.items():
        t = threshold_from_config(threshold_cfg, detector.train_by_series_[name])
        stream = detector.stream(name)
        full = np.concatenate([stream.push(values), stream.finish()])
        out.append(full[n_trains[name]:] / max(t.value, np.finfo(float).tiny))
    return out


def fold_of(name: str, folds) -> str | None:
    """The fold (a name joining its groups with "_") of series `name` ("<group>/<file>"), or None."""
    group = name.split("/", 1)[0]
    return next(("_".join(f) for f in folds if group in f), None)


def run_series(cfg, run) -> dict:
    """Sliding-window runs on NAB streams and SKAB experiments.

    Each series is standard-scaled with statistics of its training part (the first
    `protocol.train_points` steps, or `protocol.train_fraction` of it). Detectors are fitted on the
    training parts (windows of `windows.size` steps, float32) and score every step of each series
    streamed; the windows covering a step combine by `score.aggregate`. Each series gets its own
    threshold from the scores of its training part, and the test steps of all series are evaluated
    together on scores divided by their series' threshold (so the decision is normalised score > 1).
    With `protocol.folds` (groups of series), each fold is also evaluated on its own.
    """
    if cfg.score.aggregate not in AGGREGATES:
        raise ValueError(f"score.aggregate={cfg.score.aggregate!r} must be one of {AGGREGATES}")
    series = anomaly_data.load(cfg.data.name, data_dir=cfg.data.data_dir)
    if cfg.protocol.max_series:
        series = series[: cfg.protocol.max_series]
    seed = cfg.protocol.seeds[0]
    n_trains = {s.name: cfg.protocol.train_points or int(cfg.protocol.train_fraction * len(s)) for s in series}
    scaled = {s.name: standardise_series(s.values, n_trains[s.name]) for s in series}
    train_parts = {k: v[: n_trains[k]] for k, v in scaled.items()}
    detectors = series_detectors(cfg, series[0].values.shape[1], seed=seed)
    test_scores = {}
    for method, detector in detectors.items():
        detector.fit(train_parts, run=run, tag="model" if method == "ae" else method)
        test_scores[method] = normalised_test_scores(detector, scaled, n_trains, cfg.threshold)
    labels = [s.labels[n_trains[s.name]:] for s in series]

    unit = Threshold(1.0, cfg.threshold.policy, THRESHOLD_POLICIES[cfg.threshold.policy].uses_labels)

    def evaluation_of(rows: list[int]) -> dict:
        y = np.concatenate([labels[i] for i in rows])
        return {m: over_seeds([dataclasses.replace(
            evaluate(y, np.concatenate([s[i] for i in rows]), unit, point_adjusted=True, alarm_rates=True),
            threshold=None)]) for m, s in test_scores.items()}

    folds = [tuple(f) for f in cfg.protocol.get("folds", ())]
    by_fold = {}
    for i, s in enumerate(series):
        fold = fold_of(s.name, folds)
        if fold is not None:
            by_fold.setdefault(fold, []).append(i)
    splits = {"test": evaluation_of(list(range(len(series)))), **{f: evaluation_of(r) for f, r in by_fold.items()}}
    evaluation = RunEvaluation(splits, "test", suffixed=tuple(by_fold))
    save_evaluation(run, evaluation)
    all_labels = np.concatenate(labels)
    figures = save_curves(run.workdir, all_labels, {m: np.concatenate(s) for m, s in test_scores.items()},
                          f"{cfg.data.name} (test steps, scores / series threshold)")
    members = int(cfg.model.get("ensemble", 1))
    ae_models = ("one model per series" if cfg.protocol.model_per_series else
                 "one model on the pooled training windows, residuals standardised per series" if members == 1 else
                 f"mean per-step score of {members} models (different initialisations) on the pooled training windows")
    notes = run_notes(cfg, cfg.protocol.name, "fitted per series on the scores of its training steps; AUROC/AUPRC "
                      "use scores divided by their series' threshold") + [
        f"{len(series)} series; float32 windows of {cfg.windows.size} steps (training stride "
        f"{cfg.windows.train_stride}, scoring stride 1, streamed); AE: {ae_models}; PCA and IForest: "
        f"{'per series' if cfg.baselines.per_series else 'fitted on the pooled training windows'}; "
        f"{sum(n_trains.values())} training steps and {len(all_labels)} test steps in all.",
        "far = false alarm rate, mar = missed alarm rate; f1 is not point-adjusted. f1_point_adjusted is an "
        "extra, inflated metric (a hit anywhere in a labelled segment counts the whole segment); "
        "f1_point_adjusted_random is the point-adjusted F1 of random scores flagging as many steps (mean of 10 "
        "draws): what the adjustment alone gives at this flag rate."]
    if by_fold:
        notes.append("Folds (for selection over file groups, never on the files scored): "
                     + "; ".join(f"{f}: {len(r)} series" for f, r in by_fold.items())
                     + "; their metrics carry the fold's name as suffix.")
    extra = ("far", "mar", "f1_point_adjusted", "f1_point_adjusted_random")
    tables = {"AE vs PCA vs IForest (test steps)": method_table(evaluation, extra=extra)}
    for fold in by_fold:
        tables[f"Fold {fold}"] = method_table(evaluation, fold, extra=extra)
    return {"metrics": evaluation.metrics(), "figures": figures, "notes": notes, "tables": tables}
