"""Task "anomaly_adbench": the selection benchmark, ADBench's 31 classical sets and its four synthetic
anomaly types (aejax.anomaly.benchmark), aejax's named table detectors against PyOD's six baselines.

Every method is scored on every (set, scenario, seed) cell; a method's AUROC on a task (set,
scenario) is its mean over seeds, and on each task the methods are ranked (1 = best, ties share
their mean rank). The headline is the average rank over the tasks, as in ADBench, with the mean
AUROC beside it. aejax's detectors are fitted as `aejax anomaly fit` fits them.

With `benchmark.select`, it is also the cross-validated choice of the default: every candidate
(benchmark.trainings x benchmark.scoring, aejax.anomaly.candidates) on every cell; the criterion
is a candidate's average rank against the PyOD baselines over the real sets and the synthetic
types together; 5 folds of the sets, each fold's sets scored with the candidate best on the
others; the shipped choice is the best on all sets. The default must also find the correlated-sensor
case (aejax.anomaly.sensors) with an AUROC of at least benchmark.sensor_floor: candidates below it
are not chosen.

Scores are cached in a ScoreStore (benchmark.cache: "" = $AEJAX_CACHE_DIR/adbench, "workdir" =
the run's work directory), so a resumed or repeated run refits nothing.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from aejax import tasks
from aejax.anomaly import candidates, ranks
from aejax.anomaly.benchmark import ScoreStore, cache_root, load_cell
from aejax.anomaly.metrics import auprc, auroc
from aejax.anomaly.pyod_baselines import minmax_scaled, pyod_scores
from aejax.anomaly.sensors import correlated_sensors

TRAINING_FIELDS = ("scaling", "code", "budget", "steps", "noise")


def parse_training(text: str) -> dict:
    """"minmax:tenth:batch:250:0.2" -> the training keys of a TABLE_GRID setting."""
    parts = text.split(":")
    if len(parts) != len(TRAINING_FIELDS):
        raise ValueError(f"training {text!r} must give {':'.join(TRAINING_FIELDS)}")
    scaling, code, budget, steps, noise = parts
    return dict(scaling=scaling, code=code, budget=budget, steps=int(steps), noise=float(noise))


def grid(trainings, scoring) -> list[dict]:
    """Every candidate: each training with every combination of the scoring keys' values (a candidate
    without a partner once, whatever the weights)."""
    from aejax.anomaly.settings import candidate_name

    keys = list(scoring)
    settings = [{**parse_training(t), **dict(zip(keys, values))}
                for t in trainings for values in itertools.product(*(tuple(scoring[k]) for k in keys))]
    return list({candidate_name(s): s for s in reversed(settings)}.values())[::-1]


def named_setting(name: str) -> dict:
    """The TABLE_GRID setting of aejax's named table detector `name` ("default" or "autoencoder")."""
    from aejax.anomaly.settings import TABLE_AUTOENCODER, TABLE_DEFAULT

    return {"default": TABLE_DEFAULT, "autoencoder": TABLE_AUTOENCODER}[name]


def baseline_scores(store: ScoreStore, cell, protocol: str, method: str) -> dict:
    """{"train", "test"} scores of PyOD baseline `method` on min-max scaled rows (cached)."""
    key = f"pyod_{method}"
    known = store.get(cell, protocol, key)
    if known is None:
        x_train, x_test = minmax_scaled(cell.training(protocol), cell.x_test)
        train, test = pyod_scores(method, x_train, x_test, seed=cell.seed)
        store.put(cell, protocol, key, train=train, test=test)
        known = store.get(cell, protocol, key)
    return known


def _metrics(labels, scores) -> tuple[float, float]:
    finite = np.nan_to_num(np.asarray(scores, np.float64), nan=np.inf)
    ranked = np.argsort(np.argsort(finite, kind="stable"), kind="stable")  # AUROC/AUPRC depend on the order only
    return auroc(labels, ranked), auprc(labels, ranked)


def _store(cfg, run) -> ScoreStore:
    where = cfg.benchmark.cache
    return ScoreStore(run.workdir if where == "workdir" else Path(where) if where else cache_root())


def _tasks(cfg) -> list[tuple[str, str]]:
    return [(s, d) for s in cfg.benchmark.scenarios for d in cfg.benchmark.sets]


def evaluate_methods(cfg, run, store: ScoreStore, methods: dict) -> dict:
    """{method: {"auroc": [T], "auprc": [T]}} over `_tasks(cfg)`, means over the seeds; `methods`
    maps a name to a function (cell, protocol) -> {"train", "test"}."""
    protocol = cfg.benchmark.protocol
    out = {m: {"auroc": [], "auprc": []} for m in methods}
    for scenario, name in _tasks(cfg):
        per_seed = {m: [] for m in methods}
        for seed in cfg.protocol.seeds:
            cell = load_cell(name, scenario, seed, data_dir=cfg.data.data_dir)
            for method, fn in methods.items():
                per_seed[method].append(_metrics(cell.y_test, fn(cell, protocol)["test"]))
        for method, values in per_seed.items():
            out[method]["auroc"].append(float(np.mean([v[0] for v in values])))
            out[method]["auprc"].append(float(np.mean([v[1] for v in values])))
        run.print(f"{scenario} {name}: AUROC " + ", ".join(f"{m} {out[m]['auroc'][-1]:.3f}" for m in methods))
    return out


def _fmt(v: float) -> str:
    return f"{v:.3f}"


def rank_table(tasks_, results: dict, scenario: str) -> tuple[str, dict]:
    """A markdown table of one scenario (a row per set: each method's AUROC, AUPRC and rank; then the
    mean AUROC and average rank rows) and its metrics."""
    methods = list(results)
    cols = [i for i, (s, _) in enumerate(tasks_) if s == scenario]
    auroc_MxT = np.array([[results[m]["auroc"][i] for i in cols] for m in methods])
    auprc_MxT = np.array([[results[m]["auprc"][i] for i in cols] for m in methods])
    rank_MxT = ranks.task_ranks(auroc_MxT)
    metrics = {}
    lines = ["| set | " + " | ".join(f"{m} AUROC / AUPRC / rank" for m in methods) + " |",
             "|---|" + "---:|" * len(methods)]
    for j, i in enumerate(cols):
        name = tasks_[i][1]
        lines.append(f"| {name} | " + " | ".join(
            f"{_fmt(auroc_MxT[k, j])} / {_fmt(auprc_MxT[k, j])} / {rank_MxT[k, j]:g}" for k in range(len(methods))) + " |")
        for k, m in enumerate(methods):
            metrics.update({f"{scenario}/{name}/{m}_auroc": auroc_MxT[k, j], f"{scenario}/{name}/{m}_auprc": auprc_MxT[k, j],
                            f"{scenario}/{name}/{m}_rank": rank_MxT[k, j]})
    lines.append("| **mean AUROC / AUPRC** | " + " | ".join(
        f"{_fmt(auroc_MxT[k].mean())} / {_fmt(auprc_MxT[k].mean())}" for k in range(len(methods))) + " |")
    lines.append("| **average rank** | " + " | ".join(f"{rank_MxT[k].mean():.2f}" for k in range(len(methods))) + " |")
    for k, m in enumerate(methods):
        metrics.update({f"{scenario}/mean/{m}_auroc": auroc_MxT[k].mean(), f"{scenario}/mean/{m}_auprc": auprc_MxT[k].mean(),
                        f"{scenario}/mean/{m}_rank": rank_MxT[k].mean()})
    return "\n".join(lines), {k: float(v) for k, v in metrics.items()}


def summary_table(tasks_, results: dict, scenarios) -> str:
    """Average rank and mean AUROC of every method per scenario, ranked per task among all methods."""
    methods = list(results)
    head = "| method | " + " | ".join(f"{s}: avg rank / mean AUROC" for s in scenarios) + " |"
    rows = [head, "|---|" + "---:|" * len(scenarios)]
    auroc_MxT = np.array([results[m]["auroc"] for m in methods])
    rank_MxT = ranks.task_ranks(auroc_MxT)
    for k, m in enumerate(methods):
        cells = []
        for s in scenarios:
            cols = [i for i, (sc, _) in enumerate(tasks_) if sc == s]
            cells.append(f"{rank_MxT[k, cols].mean():.2f} / {_fmt(auroc_MxT[k, cols].mean())}")
        rows.append(f"| {m} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def select(cfg, run, store: ScoreStore, baselines: dict) -> tuple[dict, dict, list[str], dict]:
    """The cross-validated selection: (cross-validated results of "default" and "autoencoder" per
    task, tables, notes, metrics)."""
    from aejax.anomaly.settings import candidate_name

    settings = grid(cfg.benchmark.trainings, cfg.benchmark.scoring)
    names = [candidate_name(s) for s in settings]
    tasks_ = _tasks(cfg)
    methods = {n: (lambda cell, protocol, s=s: candidates.candidate_scores(store, cell, protocol, s))
               for n, s in zip(names, settings)}
    cand = evaluate_methods(cfg, run, store, methods)
    cand_CxT = np.array([cand[n]["auroc"] for n in names])
    base_BxT = np.array([baselines[b]["auroc"] for b in baselines])
    task_sets = [d for _, d in tasks_]
    folds = ranks.set_folds(cfg.benchmark.sets, cfg.benchmark.folds, seed=0)
    alone = np.array([s.get("partner", "none") == "none" for s in settings])
    out, notes, tables, metrics = {}, [], {}, {}
    floor = float(cfg.benchmark.sensor_floor)
    sensor = np.array(candidates.table_aurocs(correlated_sensors(), settings)) if floor else np.ones(len(settings))
    eligible = sensor >= floor
    if floor:
        notes.append(f"The default is chosen among the {int(eligible.sum())} of {len(settings)} candidates whose AUROC on "
                     f"the correlated-sensor case (aejax.anomaly.sensors) is at least {floor:g}; the autoencoder alone "
                     "among every candidate without a partner.")
    for label, mask in (("default", eligible), ("autoencoder", alone)):
        idx = np.flatnonzero(mask)
        choices = [int(idx[c]) for c in ranks.cross_validate(cand_CxT[idx], base_BxT, task_sets, folds)]
        cv = ranks.cross_validated(cand_CxT, task_sets, folds, choices)
        cv_prc = ranks.cross_validated(np.array([cand[n]["auprc"] for n in names]), task_sets, folds, choices)
        out[label] = {"auroc": list(cv), "auprc": list(cv_prc)}
        shipped = int(idx[ranks.best_by_rank(cand_CxT[idx], base_BxT, np.ones(len(tasks_), bool))])
        notes.append(f"{label}: chosen on all sets: {names[shipped]}; per fold: "
                     + "; ".join(f"fold {f + 1} ({', '.join(fold)}) -> {names[c]}" for f, (fold, c) in
                                 enumerate(zip(folds, choices))))
        metrics[f"select/{label}_folds_agreeing"] = float(np.mean([c == shipped for c in choices]))
    rank_CxT = ranks.ranks_against(cand_CxT, base_BxT)
    matrix = ["| candidate | " + " | ".join(f"{s}: rank / AUROC" for s in cfg.benchmark.scenarios)
              + " | all: rank | sensor AUROC |", "|---|" + "---:|" * (len(cfg.benchmark.scenarios) + 2)]
    order = np.argsort(rank_CxT.mean(axis=1), kind="stable")
    for c in order:
        cells = []
        for s in cfg.benchmark.scenarios:
            cols = [i for i, (sc, _) in enumerate(tasks_) if sc == s]
            cells.append(f"{rank_CxT[c, cols].mean():.2f} / {_fmt(cand_CxT[c, cols].mean())}")
        matrix.append(f"| {names[c]} | " + " | ".join(cells) + f" | {rank_CxT[c].mean():.2f} | {_fmt(sensor[c])} |")
    tables["Every candidate against the PyOD baselines (rank among the baselines and itself)"] = "\n".join(matrix)
    return out, tables, notes, metrics


@tasks.register("anomaly_adbench")
def run_adbench(cfg, run) -> dict:
    """See the module docstring."""
    store = _store(cfg, run)
    baselines = {f"pyod_{m}": (lambda cell, protocol, m=m: baseline_scores(store, cell, protocol, m))
                 for m in cfg.benchmark.baselines}
    base = evaluate_methods(cfg, run, store, baselines)
    tasks_ = _tasks(cfg)
    notes = [f"Sets ({len(cfg.benchmark.sets)}): {', '.join(cfg.benchmark.sets)}; scenarios: "
             f"{', '.join(cfg.benchmark.scenarios)}; protocol {cfg.benchmark.protocol}; seeds {tuple(cfg.protocol.seeds)}. "
             "A set above 10,000 rows is subsampled to 10,000 (stratified), then split 70/30 stratified; AUROC and "
             "AUPRC are means over the seeds, ranks are per task (1 = best).",
             "PyOD baselines: PyOD's defaults on min-max scaled rows, as ADBench runs them (PCA's explained-variance "
             "ratios floored at float64 eps). aejax's detectors are fitted as `aejax anomaly fit` fits them."]
    tables, metrics = {}, {}
    if cfg.benchmark.select:
        ours, sel_tables, sel_notes, metrics = select(cfg, run, store, base)
        ours = {f"{k}_cv": v for k, v in ours.items()}
        notes += sel_notes
        tables.update(sel_tables)
    else:
        ours = evaluate_methods(cfg, run, store, {
            name: (lambda cell, protocol, name=name: candidates.candidate_scores(store, cell, protocol, named_setting(name)))
            for name in cfg.benchmark.detectors})
    results = {**ours, **base}
    for scenario in cfg.benchmark.scenarios:
        table, m = rank_table(tasks_, results, scenario)
        tables[f"{scenario}: AUROC / AUPRC / rank per set"] = table
        metrics.update(m)
    tables = {"Average rank / mean AUROC per scenario": summary_table(tasks_, results, cfg.benchmark.scenarios),
              **tables}
    return {"metrics": metrics, "notes": notes, "tables": tables, "figures": []}
