"""Task "anomaly_defaults": the cross-dataset selection of `aejax anomaly fit`'s table detector.

Every candidate setting of `aejax.anomaly.settings.TABLE_GRID` is fitted exactly as `aejax anomaly
fit` fits it (`user_config("table")` with the setting, sized to the training rows by
`aejax.anomaly.fit_file.sized_detector`, threshold at the 99th percentile of the training scores) on
every selection set under ADBench's unsupervised protocol (70/30 stratified split, training on the
contaminated 70 %, labels used only to score the test split). Leave one dataset out: the setting
reported on set S is the one with the highest mean test AUROC over the *other* sets, so no choice
is made on S's labels. The default that ships is the setting with the highest mean over all sets.
Isolation Forest, PCA as PyOD scores it and PCA reconstruction (the default's scaling and code
width: the linear AE with the same bottleneck) run on the same rows. Check sets (one-class
protocols) are scored with the shipped default only and never take part in the selection.

Each (candidate, set, seed) result is appended to cells.jsonl as it is computed; a resumed run in
the same work directory reuses them.
"""

from __future__ import annotations

import itertools
import json

import numpy as np

from aejax import tasks
from aejax.anomaly import sizing
from aejax.anomaly.detector import Detector
from aejax.anomaly.iforest import IForestDetector
from aejax.anomaly.metrics import Evaluation, evaluate
from aejax.anomaly.pca import PCADetector, PCAReconstructionDetector
from aejax.anomaly.protocols import one_class_split, subsample, unsupervised_split
from aejax.anomaly.thresholds import threshold_from_config
from aejax.anomaly import datasets as anomaly_data
from aejax.anomaly.tables import TabularPreprocessor

CELLS_FILE = "cells.jsonl"
BASELINES = ("iforest", "pca_pyod", "pca")
REPORTED = ("auroc", "auprc", "f1")


def grid_settings(grid) -> list[dict]:
    """Every combination of the grid's values, in grid order: [{key: value}]."""
    keys = list(grid)
    return [dict(zip(keys, values)) for values in itertools.product(*(tuple(grid[k]) for k in keys))]


def lodo_choices(auroc: dict[str, dict[str, float]], datasets) -> dict[str, str]:
    """For each dataset S, the candidate with the highest mean AUROC over the other datasets.

    auroc: candidate -> dataset -> AUROC (mean over seeds). Ties go to the candidate listed first."""
    datasets = list(datasets)
    if len(datasets) < 2:
        raise ValueError(f"leave-one-dataset-out needs at least 2 datasets, got {datasets}")
    return {held_out: best_candidate(auroc, [d for d in datasets if d != held_out]) for held_out in datasets}


def best_candidate(auroc: dict[str, dict[str, float]], datasets) -> str:
    """The candidate with the highest mean AUROC over `datasets` (the first listed on a tie)."""
    means = {c: float(np.mean([by_set[d] for d in datasets])) for c, by_set in auroc.items()}
    return max(means, key=lambda c: (means[c], -list(means).index(c)))


def _user_table_config(setting: dict, seed: int):
    from aejax.anomaly.settings import table_candidate, user_config

    cfg = table_candidate(user_config("table"), setting)
    cfg.protocol.seeds = (seed,)
    return cfg


def fit_user_detector(setting: dict, x_train, seed: int):
    """The detector `aejax anomaly fit` fits for `setting` on rows x_train [N, D], with its
    threshold (the config's label-free policy on the training scores)."""
    from aejax.anomaly.fit_file import sized_detector

    cfg = _user_table_config(setting, seed)
    detector, cfg, _ = sized_detector(cfg, window=None, per_series=False, series_windows=len(x_train),
                                      features=x_train.shape[1])
    detector.fit(x_train)
    detector.threshold_ = threshold_from_config(cfg.threshold, detector.train_scores_)
    return detector, cfg


def _evaluate(detector: Detector, cfg, x_test, y_test) -> Evaluation:
    threshold = detector.threshold_
    if threshold is None:
        threshold = threshold_from_config(cfg.threshold, detector.train_scores_)
    return evaluate(y_test, detector.score(x_test), threshold)


def baseline_detectors(cfg, features: int, seed: int) -> dict[str, Detector]:
    """Isolation Forest, PyOD's PCA and PCA reconstruction with the AE's code width."""
    return {"iforest": IForestDetector(seed=seed), "pca_pyod": PCADetector(),
            "pca": PCAReconstructionDetector(int(min(cfg.model.hidden[-1], features - 1)))}


def _splits(cfg, name: str, seed: int):
    """(train table, test table) of dataset `name` under its protocol for `seed`."""
    if name == "nsl_kdd":
        splits = anomaly_data.load("nsl_kdd", data_dir=cfg.data.data_dir)
        train = splits["train"]
        return train.take(np.flatnonzero(train.labels == 0)), splits["test+"]
    table = anomaly_data.load(name, data_dir=cfg.data.data_dir)
    protocol = cfg.defaults.protocols.get(name, "unsupervised")
    if protocol == "unsupervised":
        split = unsupervised_split(table.labels, test_fraction=cfg.protocol.test_fraction, seed=seed)
    else:
        split = one_class_split(table.labels, train_fraction=cfg.protocol.train_fraction, seed=seed)
    return table.take(subsample(split.train, cfg.protocol.max_train_rows, seed)), \
        table.take(subsample(split.test, cfg.protocol.max_test_rows, seed))


class _Cells:
    """cells.jsonl: one line per (method, dataset, seed) result, reused when a run resumes."""

    def __init__(self, path):
        self.path = path
        self.done = {}
        if path.exists():
            for line in path.read_text().splitlines():
                record = json.loads(line)
                self.done[(record["method"], record["dataset"], record["seed"])] = record

    def get(self, method: str, dataset: str, seed: int):
        return self.done.get((method, dataset, seed))

    def add(self, record: dict) -> None:
        self.done[(record["method"], record["dataset"], record["seed"])] = record
        with open(self.path, "a") as f:
            f.write(json.dumps(record) + "\n")


def _record(method: str, dataset: str, seed: int, e: Evaluation, **extra) -> dict:
    return {"method": method, "dataset": dataset, "seed": seed, "auroc": e.auroc, "auprc": e.auprc, "f1": e.f1,
            **extra}


def _prepared(cfg, name: str, seed: int, scaling: str):
    train, test = _splits(cfg, name, seed)
    pre = TabularPreprocessor.fit(train, scaling=scaling)
    return pre.transform(train), pre.transform(test), test.labels


SCORE_KEYS = ("residuals", "norm")  # the settings of TABLE_GRID that training does not depend on


def rescored(detector, cfg, setting: dict, x_train):
    """A fitted AE detector re-calibrated to score as `setting` says (its SCORE_KEYS: residuals
    raw / standardised / whitened, norm squared / absolute), with a new threshold: what a fit with
    that setting gives, since training does not depend on it (AutoencoderDetector.calibrate)."""
    from aejax.anomaly.settings import RESIDUALS

    detector.config.score.standardise, detector.config.score.whiten = RESIDUALS[setting["residuals"]]
    detector.config.score.norm = setting["norm"]
    detector.calibrate(x_train)
    detector.threshold_ = threshold_from_config(cfg.threshold, detector.train_scores_)
    return detector


def _score_candidates(cfg, run, cells: _Cells, settings: list[dict], names: list[str]) -> None:
    """Fits every missing (candidate, selection set, seed) cell; candidates that differ only in
    how residuals are scored (SCORE_KEYS) share one trained detector."""
    for dataset, seed in itertools.product(cfg.defaults.selection_sets, cfg.protocol.seeds):
        for scaling in dict.fromkeys(s["scaling"] for s in settings):
            todo = [(s, n) for s, n in zip(settings, names)
                    if s["scaling"] == scaling and cells.get(n, dataset, seed) is None]
            if not todo:
                continue
            x_train, x_test, y_test = _prepared(cfg, dataset, seed, scaling)
            trainings: dict[tuple, list] = {}
            for setting, name in todo:
                trainings.setdefault(tuple((k, v) for k, v in setting.items() if k not in SCORE_KEYS), []).append(
                    (setting, name))
            for group in trainings.values():
                detector, dcfg = fit_user_detector(group[0][0], x_train, seed)
                for setting, name in group:
                    rescored(detector, dcfg, setting, x_train)
                    cells.add(_record(name, dataset, seed, _evaluate(detector, dcfg, x_test, y_test),
                                      hidden=list(dcfg.model.hidden), epochs=dcfg.train.epochs,
                                      batch=dcfg.train.batch_size, rows=len(x_train)))
                    run.print(f"{name} {dataset} seed {seed}: AUROC {cells.get(name, dataset, seed)['auroc']:.4f}")


def _score_default_and_baselines(cfg, run, cells: _Cells, default: dict, default_name: str, datasets, seeds) -> None:
    """The shipped default (as "default") and the baselines on `datasets`, fitted on the same rows."""
    for dataset, seed in itertools.product(datasets, seeds):
        methods = ("default", *BASELINES)
        if all(cells.get(m, dataset, seed) is not None for m in methods):
            continue
        x_train, x_test, y_test = _prepared(cfg, dataset, seed, default["scaling"])
        if cells.get("default", dataset, seed) is None:
            known = cells.get(default_name, dataset, seed)
            if known is None:
                detector, dcfg = fit_user_detector(default, x_train, seed)
                cells.add(_record("default", dataset, seed, _evaluate(detector, dcfg, x_test, y_test)))
            else:
                cells.add({**known, "method": "default"})
        dcfg, _ = sizing.size_to_data(_user_table_config(default, seed), len(x_train),
                                     x_train.shape[1])
        for method, detector in baseline_detectors(dcfg, x_train.shape[1], seed).items():
            if cells.get(method, dataset, seed) is None:
                detector.fit(x_train)
                cells.add(_record(method, dataset, seed, _evaluate(detector, dcfg, x_test, y_test)))
        run.print(f"default and baselines {dataset} seed {seed}: AUROC "
                  + ", ".join(f"{m} {cells.get(m, dataset, seed)['auroc']:.4f}" for m in methods))


def _mean(cells: _Cells, method: str, dataset: str, seeds, metric: str) -> float:
    return float(np.mean([cells.get(method, dataset, s)[metric] for s in seeds]))


def _fmt(value: float) -> str:
    return f"{value:.4f}"


@tasks.register("anomaly_defaults")
def run_defaults(cfg, run) -> dict:
    """Leave-one-dataset-out selection of the table detector's defaults; see the module docstring."""
    from aejax.anomaly.settings import candidate_name

    settings = grid_settings(cfg.defaults.grid)
    names = [candidate_name(s) for s in settings]
    cells = _Cells(run.path(CELLS_FILE))
    sets, seeds = tuple(cfg.defaults.selection_sets), tuple(cfg.protocol.seeds)
    _score_candidates(cfg, run, cells, settings, names)
    auroc = {n: {d: _mean(cells, n, d, seeds, "auroc") for d in sets} for n in names}
    choices = lodo_choices(auroc, sets)
    default_name = best_candidate(auroc, sets)
    default = settings[names.index(default_name)]
    _score_default_and_baselines(cfg, run, cells, default, default_name, sets, seeds)
    checks = tuple(cfg.defaults.check_sets)
    _score_default_and_baselines(cfg, run, cells, default, default_name, checks, tuple(cfg.defaults.check_seeds))

    metrics, rows = {}, []
    for d in sets:
        chosen = choices[d]
        values = {"ae": {k: _mean(cells, chosen, d, seeds, k) for k in REPORTED},
                  "default": {k: _mean(cells, "default", d, seeds, k) for k in REPORTED},
                  **{m: {k: _mean(cells, m, d, seeds, k) for k in REPORTED} for m in BASELINES}}
        for method, by_metric in values.items():
            for k, v in by_metric.items():
                metrics[f"{d}/{method}_{k}"] = v
        rows.append((d, chosen, values))
    for method in ("ae", "default", *BASELINES):
        for k in ("auroc", "auprc"):
            metrics[f"mean/{method}_{k}"] = float(np.mean([metrics[f"{d}/{method}_{k}"] for d in sets]))
    check_seeds = tuple(cfg.defaults.check_seeds)
    for d in checks:
        for method in ("default", *BASELINES):
            for k in REPORTED:
                metrics[f"{d}/{method}_{k}"] = _mean(cells, method, d, check_seeds, k)
    metrics["lodo_agreement"] = float(np.mean([choices[d] == default_name for d in sets]))

    published = cfg.defaults.published_pca
    head = ("| set | setting chosen on the other sets | AE AUROC | AE AUPRC | AE F1 | IForest AUROC | IForest AUPRC "
            "| PCA (PyOD) AUROC | PCA (PyOD) AUPRC | PCA recon. AUROC | ADBench PCA AUROC |")
    lines = [head, "|---|---|" + "---:|" * 9]
    for d, chosen, v in rows:
        lines.append(f"| {d} | {chosen} | {_fmt(v['ae']['auroc'])} | {_fmt(v['ae']['auprc'])} | {_fmt(v['ae']['f1'])} "
                     f"| {_fmt(v['iforest']['auroc'])} | {_fmt(v['iforest']['auprc'])} | {_fmt(v['pca_pyod']['auroc'])} "
                     f"| {_fmt(v['pca_pyod']['auprc'])} | {_fmt(v['pca']['auroc'])} "
                     f"| {published[d] if d in published else '—'} |")
    lines.append("| **mean** | | " + " | ".join(_fmt(metrics[f"mean/{m}_{k}"]) if k != "f1" else "" for m, k in
                 [("ae", "auroc"), ("ae", "auprc"), ("ae", "f1"), ("iforest", "auroc"), ("iforest", "auprc"),
                  ("pca_pyod", "auroc"), ("pca_pyod", "auprc"), ("pca", "auroc")])
                 + f" | {_fmt(np.mean([published[d] for d in sets if d in published]))} |")
    matrix = ["| setting | " + " | ".join(sets) + " | mean |", "|---|" + "---:|" * (len(sets) + 1)]
    for n in names:
        mark = " (default)" if n == default_name else ""
        matrix.append(f"| {n}{mark} | " + " | ".join(_fmt(auroc[n][d]) for d in sets)
                      + f" | {_fmt(np.mean(list(auroc[n].values())))} |")
    tables = {"Leave-one-dataset-out: each set scored with the setting best on the others": "\n".join(lines),
              "Every candidate's test AUROC (mean over seeds)": "\n".join(matrix)}
    if checks:
        check = ["| set | protocol | default AUROC | default AUPRC | default F1 | IForest AUROC | PCA (PyOD) AUROC "
                 "| PCA recon. AUROC |", "|---|---|" + "---:|" * 6]
        for d in checks:
            check.append(f"| {d} | {cfg.defaults.protocols.get(d, 'one-class')} | "
                         + " | ".join(_fmt(metrics[f"{d}/{m}_{k}"]) for m, k in
                                      [("default", "auroc"), ("default", "auprc"), ("default", "f1"),
                                       ("iforest", "auroc"), ("pca_pyod", "auroc"), ("pca", "auroc")]) + " |")
        tables["Check sets (never used for selection): the shipped default"] = "\n".join(check)
    notes = [
        f"Selection sets: {', '.join(sets)} under ADBench's unsupervised protocol (70/30 stratified split, "
        f"training on the contaminated 70 %), seeds {seeds}"
        + (f"; at most {cfg.protocol.max_train_rows} training rows per seed (a random subset where a set has more)"
           if cfg.protocol.max_train_rows else "") + ".",
        f"{len(names)} candidates: every combination of {dict(cfg.defaults.grid)}; each is `aejax anomaly fit`'s "
        "detector (user_config('table')) with that setting, sized to the training rows, threshold at the 99th "
        "percentile of the training scores (F1 at that threshold).",
        "AE = leave-one-dataset-out: on each set, the setting with the highest mean AUROC over the other sets "
        f"(its labels are never used to choose). Shipped default (best mean over all sets): {default_name}; it is "
        f"the leave-one-out choice on {int(round(metrics['lodo_agreement'] * len(sets)))} of {len(sets)} sets.",
        "IForest: scikit-learn defaults; PCA (PyOD): every component, PyOD's score; PCA recon.: reconstruction "
        "error with the default's code width (the linear AE with the same bottleneck); all on the same rows.",
    ]
    return {"metrics": metrics, "notes": notes, "tables": tables, "figures": []}
