"""Anomaly runs on trajectories (VMT): every track resampled to a fixed number of points."""

from __future__ import annotations

import numpy as np

from aejax.anomaly import build
from aejax.anomaly.metrics import RunEvaluation, evaluate, over_seeds
from aejax.anomaly.figures import method_table, run_notes, save_curves
from aejax.anomaly.thresholds import threshold_from_config
from aejax.anomaly import datasets as anomaly_data
from aejax.anomaly.datasets.trajectories import resampled_array
from aejax.anomaly.run_tables import save_evaluation


def run_trajectories(cfg, run) -> dict:
    """VMT: every track resampled to `windows.size` points, coordinates min-max scaled over the
    whole set, models fitted on all 1,500 tracks (unsupervised, as in Ma et al. 2018) and
    scored on the same tracks."""
    data = anomaly_data.load("vmt", data_dir=cfg.data.data_dir)
    tracks = resampled_array(data, cfg.windows.size)
    low, high = tracks.reshape(-1, 2).min(axis=0), tracks.reshape(-1, 2).max(axis=0)
    x = ((tracks - low) / (high - low)).reshape(len(tracks), -1).astype(np.float32)
    per_seed, first = [], None
    for seed in cfg.protocol.seeds:
        scores = {"ae": build.autoencoder(cfg, seed=seed).fit(x, run=run, tag=f"seed_{seed}").train_scores_}
        for method, detector in build.baselines(cfg, x.shape[1], seed=seed).items():
            scores[method] = detector.fit(x).train_scores_
        per_seed.append({m: evaluate(data.labels, s, threshold_from_config(cfg.threshold, s)) for m, s in scores.items()})
        first = first or scores
    evaluation = RunEvaluation({"test": {m: over_seeds([s[m] for s in per_seed]) for m in per_seed[0]}}, "test")
    save_evaluation(run, evaluation)
    figures = save_curves(run.workdir, data.labels, first, f"VMT ({cfg.windows.size} points per track)")
    notes = run_notes(cfg, "unsupervised", "fitted on the scores of all tracks") + [
        f"{len(data)} tracks, {int(data.labels.sum())} anomalies; {len(cfg.protocol.seeds)} seed(s); "
        "no published AE AUROC on VMT is known (Ma et al. 2018 print theirs at run time only)."]
    return {"metrics": evaluation.metrics(), "figures": figures, "notes": notes,
            "tables": {"AE vs PCA vs IForest (all tracks)": method_table(evaluation)}}
