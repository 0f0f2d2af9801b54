"""Anomaly runs on series (NAB streams, SKAB experiments): detectors over sliding windows."""

from __future__ import annotations

import dataclasses

import numpy as np

from aejax.anomaly import build
from aejax.anomaly.autoencoder import AutoencoderDetector, detector_config, reconstruct, train_autoencoder
from aejax.anomaly.metrics import RunEvaluation, evaluate, over_seeds
from aejax.anomaly.report import method_table, run_notes, save_curves
from aejax.anomaly.scores import fit_error_standardiser, step_scores
from aejax.anomaly.thresholds import THRESHOLD_POLICIES, Threshold, threshold_from_config
from aejax.anomaly.windows import AGGREGATES, aggregate_steps, sliding_windows
from aejax.data import anomaly as anomaly_data
from aejax.tasks.anomaly_tables import save_evaluation


def standardise_series(values: np.ndarray, n_train: int) -> np.ndarray:
    """Standard scaling per channel with statistics of the first n_train steps only."""
    mean, std = values[:n_train].mean(axis=0), values[:n_train].std(axis=0)
    return (values - mean) / np.where(std > 0, std, 1.0)


def _pad_stack(arrays: list[np.ndarray]) -> np.ndarray:
    """[N_i, ...] arrays -> [max N_i, M, ...], zero-padded along the first axis."""
    n = max(len(a) for a in arrays)
    out = np.zeros((n, len(arrays)) + arrays[0].shape[1:], np.float32)
    for i, a in enumerate(arrays):
        out[: len(a), i] = a
    return out


def series_member_step_scores(cfg, run, windows, train_windows, n_train_windows, *, seed: int) -> list:
    """Per-step AE scores of every series: a list of [K, N_i, T] arrays, one row per ensemble member.

    windows: per series (windows [N_i, T, C], starts); train_windows / n_train_windows: each series'
    training windows and their count. With `protocol.model_per_series` one model per series (vmap);
    else `model.ensemble` = K models (seeds seed + 1000 m) on the pooled training windows, each
    member's residuals standardised with its own training statistics of each series when
    `score.standardise`.
    """
    members = int(cfg.model.get("ensemble", 1))
    if cfg.protocol.model_per_series:
        if members > 1:
            raise ValueError(f"model.ensemble={members} needs protocol.model_per_series=False (one pooled model)")
        n_min = min(len(w) for w in train_windows)
        x_train = np.stack([w[:n_min] for w in train_windows], axis=1)
        model, params = train_autoencoder(cfg, run, x_train, seed=seed, tag="models", num_models=len(windows))
        recon = reconstruct(model, params, _pad_stack([w for w, _ in windows]), batch_size=cfg.eval.batch_size,
                            num_models=len(windows))
        recons_by_member = [[recon[: len(w), i] for i, (w, _) in enumerate(windows)]]
    else:
        single = detector_config(cfg)
        single.model.ensemble = 1
        recons_by_member = []
        for m in range(members):
            member = AutoencoderDetector(single, seed=seed + 1000 * m).fit(
                np.concatenate(train_windows), run=run, tag="model" if m == 0 else f"model_{m}")
            recon = member.reconstruct(np.concatenate([w for w, _ in windows]))
            recons_by_member.append(np.split(recon, np.cumsum([len(w) for w, _ in windows])[:-1]))
    out = []
    for i, (w, _) in enumerate(windows):
        n_tw = n_train_windows[i]
        per_member = []
        for recons in recons_by_member:
            st = fit_error_standardiser(w[:n_tw], recons[i][:n_tw]) if cfg.score.standardise else None
            per_member.append(step_scores(w, recons[i], st))
        out.append(np.stack(per_member))
    return out


def run_series(cfg, run) -> dict:
    """Sliding-window runs on NAB streams and SKAB experiments.

    Each series is standard-scaled with statistics of its training part (the first
    `protocol.train_points` steps, or `protocol.train_fraction` of it). With
    `protocol.model_per_series` one model per series is trained (SKAB's protocol; all models in
    one vmapped program), else one model on the pooled training windows. Per-step scores are
    aggregated over the windows covering each step (`score.aggregate`); each series gets its own
    threshold from the scores of its training part, and the test steps of all series are
    evaluated together on scores divided by their series' threshold (so the decision is
    normalised score > 1).
    """
    if cfg.score.aggregate not in AGGREGATES:
        raise ValueError(f"score.aggregate={cfg.score.aggregate!r} must be one of {AGGREGATES}")
    series = anomaly_data.load(cfg.data.name, data_dir=cfg.data.data_dir)
    if cfg.protocol.max_series:
        series = series[: cfg.protocol.max_series]
    size, seed = cfg.windows.size, cfg.protocol.seeds[0]
    n_trains = [cfg.protocol.train_points or int(cfg.protocol.train_fraction * len(s)) for s in series]
    scaled = [standardise_series(s.values, n) for s, n in zip(series, n_trains)]
    windows = [sliding_windows(z, size, 1) for z in scaled]  # (windows [N_i, size, C], starts)
    n_train_windows = [n - size + 1 for n in n_trains]
    train_windows = [w[: n : cfg.windows.train_stride] for (w, _), n in zip(windows, n_train_windows)]
    per_series = bool(cfg.protocol.model_per_series)
    members = int(cfg.model.get("ensemble", 1))
    member_steps = series_member_step_scores(cfg, run, windows, train_windows, n_train_windows, seed=seed)

    baselines_per_series = bool(cfg.baselines.per_series)
    pooled = None if baselines_per_series else np.concatenate(train_windows)
    steps_by_method = {m: [] for m in build.METHODS}  # method -> per series [N_i, T]
    for i, (w, starts) in enumerate(windows):
        steps_by_method["ae"].append(member_steps[i].mean(axis=0))
        if cfg.score.root:
            steps_by_method["ae"][-1] = np.sqrt(steps_by_method["ae"][-1])
        if baselines_per_series or i == 0:
            fit_windows = train_windows[i] if baselines_per_series else pooled
            fitted = {m: d.fit(fit_windows) for m, d in build.baselines(cfg, size * w.shape[2], seed=seed).items()}
        pca_steps = fitted["pca"].score_steps(w)
        steps_by_method["pca"].append(np.sqrt(pca_steps) if cfg.score.root else pca_steps)
        steps_by_method["iforest"].append(fitted["iforest"].score_steps(w))

    normalised = {m: [] for m in build.METHODS}
    labels = []
    for i, s in enumerate(series):
        starts, n_train, n_tw = windows[i][1], n_trains[i], n_train_windows[i]
        labels.append(s.labels[n_train:])
        for m in build.METHODS:
            per_step = steps_by_method[m][i]
            train_scores = aggregate_steps(per_step[:n_tw], starts[:n_tw], n_train, cfg.score.aggregate)
            t = threshold_from_config(cfg.threshold, train_scores)
            full = aggregate_steps(per_step, starts, len(s), cfg.score.aggregate)
            normalised[m].append(full[n_train:] / max(t.value, np.finfo(float).tiny))
    labels = np.concatenate(labels)
    unit = Threshold(1.0, cfg.threshold.policy, THRESHOLD_POLICIES[cfg.threshold.policy].uses_labels)
    test_scores = {m: np.concatenate(v) for m, v in normalised.items()}
    evaluation = RunEvaluation({"test": {
        m: over_seeds([dataclasses.replace(evaluate(labels, s, unit, point_adjusted=True, alarm_rates=True),
                                           threshold=None)])
        for m, s in test_scores.items()}}, "test")
    save_evaluation(run, evaluation)
    figures = save_curves(run.workdir, labels, test_scores,
                          f"{cfg.data.name} (test steps, scores / series threshold)")
    notes = run_notes(cfg, cfg.protocol.name, "fitted per series on the scores of its training steps; AUROC/AUPRC "
                      "use scores divided by their series' threshold") + [
        f"{len(series)} series; windows of {size} steps (training stride {cfg.windows.train_stride}, scoring "
        f"stride 1); AE: {'one model per series' if per_series else 'one model on the pooled training windows' if members == 1 else f'mean per-step score of {members} models (different initialisations) on the pooled training windows'}; "
        f"PCA and IForest: {'per series' if baselines_per_series else 'fitted on the pooled training windows'}; "
        f"{int(sum(n_trains))} training steps and {len(labels)} test steps in all.",
        "far = false alarm rate, mar = missed alarm rate; f1 is not point-adjusted. f1_point_adjusted is an "
        "extra, inflated metric (a hit anywhere in a labelled segment counts the whole segment); "
        "f1_point_adjusted_random is the point-adjusted F1 of random scores flagging as many steps (mean of 10 "
        "draws): what the adjustment alone gives at this flag rate."]
    return {"metrics": evaluation.metrics(), "figures": figures, "notes": notes,
            "tables": {"AE vs PCA vs IForest (test steps)": method_table(
                evaluation, extra=("far", "mar", "f1_point_adjusted", "f1_point_adjusted_random"))}}
