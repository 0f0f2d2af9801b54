"""Task "anomaly_all": every anomaly run of `cfg.runs` into a subfolder, one summary table
(summary.md, summary.csv) and ROC / PR figures of all runs."""

from __future__ import annotations

import csv
import dataclasses
import json

from aejax import experiment, tasks
from aejax.anomaly.build import CODE_WIDTH_PCA, METHODS, PYOD_PCA
from aejax.anomaly.metrics import Evaluation, RunEvaluation
from aejax.anomaly.figures import curves_grid, load_curves
from aejax.anomaly.run_tables import EVALUATION_FILE

SUMMARY_METRICS = ("auroc", "auprc", "f1")
EXTRA_AUROC = (CODE_WIDTH_PCA, PYOD_PCA)  # extra methods some runs report, shown by AUROC only


@dataclasses.dataclass(frozen=True)
class SummaryRow:
    """One anomaly run: its protocol, threshold policy, each method's metrics (mean over seeds on
    the run's primary split) and the published numbers it is compared with."""

    run: str
    protocol: str
    threshold: str
    methods: dict[str, Evaluation]
    published: str

    def get(self, method: str, metric: str) -> float | None:
        evaluation = self.methods.get(method)
        return None if evaluation is None else getattr(evaluation, metric)


def summary_rows(results: list[dict], evaluations: list[RunEvaluation]) -> list[SummaryRow]:
    """One row per anomaly run, from its results dict and its RunEvaluation."""
    rows = []
    for res, evaluation in zip(results, evaluations):
        anchors = "; ".join(f"{k} {v['value']:g}" for k, v in res.get("reference", {}).items())
        rows.append(SummaryRow(res["experiment"], res["config"]["protocol"]["name"], res["config"]["threshold"]["policy"],
                               {m: r.mean for m, r in evaluation.methods.items()}, anchors or "none known"))
    return rows


def _columns(rows: list[SummaryRow]) -> list[tuple[str, str]]:
    """(method, metric) columns: each summary metric of every method, the extra methods' AUROC
    after the AUROC group where any run has them."""
    extra = [(m, "auroc") for m in EXTRA_AUROC if any(m in r.methods for r in rows)]
    main = [(method, metric) for metric in SUMMARY_METRICS for method in METHODS]
    return main[:len(METHODS)] + extra + main[len(METHODS):]


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.4f}"


def summary_markdown(rows: list[SummaryRow]) -> str:
    cols = _columns(rows)
    head = "| run | protocol | threshold | " + " | ".join(f"{m.replace('_', ' ')} {k}" for m, k in cols) + " | published anchors |"
    lines = [head, "|---|---|---|" + "---:|" * len(cols) + "---|"]
    for r in rows:
        lines.append(f"| {r.run} | {r.protocol} | {r.threshold} | "
                     + " | ".join(_fmt(r.get(m, k)) for m, k in cols) + f" | {r.published} |")
    return "\n".join(lines)


def write_summary_csv(path, rows: list[SummaryRow]) -> None:
    cols = _columns(rows)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["run", "protocol", "threshold", *(f"{m}_{k}" for m, k in cols), "published"])
        for r in rows:
            writer.writerow([r.run, r.protocol, r.threshold, *(r.get(m, k) for m, k in cols), r.published])


def anchor_sources(results: list[dict]) -> str:
    """Markdown list: the source of every published number in the summary, per run."""
    lines = []
    for res in results:
        for k, v in res.get("reference", {}).items():
            lines.append(f"- {res['experiment']} {k} {v['value']:g}: {v['source']}")
    return "\n".join(lines)


def adbench_counts(rows: list[SummaryRow], results: list[dict], adbench_runs) -> dict[str, int]:
    """On the ADBench sets: how often the AE's AUROC reaches each PCA's (in-run and published)
    and beats Isolation Forest's."""
    adbench = [r for r in rows if r.run.split("/")[1] in adbench_runs]
    if not adbench:
        return {}
    out = {"adbench_sets": len(adbench),
           "adbench_ae_at_least_pca_auroc": sum(r.get("ae", "auroc") >= r.get("pca", "auroc") for r in adbench)}
    for method in EXTRA_AUROC:
        having = [r for r in adbench if method in r.methods]
        if having:
            out[f"adbench_ae_at_least_{method}_auroc"] = sum(r.get("ae", "auroc") >= r.get(method, "auroc")
                                                            for r in having)
    published = {res["experiment"]: res["reference"]["ae_auroc"]["value"] for res in results
                 if "ae_auroc" in res.get("reference", {})}
    out["adbench_ae_at_least_published_pca_auroc"] = sum(
        r.get("ae", "auroc") >= published[r.run] for r in adbench if r.run in published)
    out["adbench_ae_beats_iforest_auroc"] = sum(r.get("ae", "auroc") > r.get("iforest", "auroc") for r in adbench)
    return out


@tasks.register("anomaly_all")
def run_all(cfg, run) -> dict:
    """Runs every anomaly experiment of `cfg.runs` into a subfolder and writes one summary table
    (summary.md, summary.csv) and ROC / PR figures of all runs."""
    results, evaluations, curves = [], [], {}
    for name in cfg.runs:
        sub = run.path(name.replace("/", "__"))
        run.print(f"--- {name} -> {sub}")
        res = experiment.run_experiment(name, sub, quick=cfg.quick_runs, quiet=run.quiet)
        results.append(res)
        evaluations.append(RunEvaluation.from_dict(json.loads((sub / EVALUATION_FILE).read_text())))
        curves[name] = load_curves(sub)
        run.log({"run": name, "seconds": res["timing"]["seconds"], **res["metrics"]})
    rows = summary_rows(results, evaluations)
    table = summary_markdown(rows) + "\n\nPublished numbers:\n\n" + anchor_sources(results)
    run.path("summary.md").write_text(table + "\n")
    write_summary_csv(run.path("summary.csv"), rows)
    curves_grid(run.path("roc_all.png"), curves, "roc")
    curves_grid(run.path("pr_all.png"), curves, "pr")
    metrics = {}
    for res, evaluation in zip(results, evaluations):
        short = res["experiment"].split("/", 1)[1]
        metrics.update({f"{short}/{key}": value for key, value in evaluation.metrics(with_std=False).items()})
    metrics.update(adbench_counts(rows, results, cfg.adbench_runs))
    seconds = {res["experiment"]: round(res["timing"]["seconds"], 1) for res in results}
    notes = ["Each run's own report.md (in its subfolder) names its protocol, threshold policy and seeds.",
             f"Wall time per run (s): {seconds}."]
    return {"metrics": metrics, "figures": ["roc_all.png", "pr_all.png"], "notes": notes,
            "tables": {"Summary (AE / PCA / IForest; f1 at each run's threshold policy)": table}}
