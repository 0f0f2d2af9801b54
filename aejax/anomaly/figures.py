"""Figures and markdown tables of anomaly runs (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn import metrics as skm

from aejax import run as run_lib
from aejax.anomaly.metrics import MethodResult, RunEvaluation, auprc, auroc

CURVES_FILE = "curves.npz"  # labels [N], methods [M], scores_MxN: read back by anomaly/all
TABLE_METRICS = ("auroc", "auprc", "precision", "recall", "f1")


def _plt():
    from aejax import plots  # noqa: F401  (selects the Agg backend)
    import matplotlib.pyplot as plt

    return plt


def curves_figure(path: Path, labels, scores_by_method: dict, title: str) -> None:
    """ROC and precision-recall curves of every method, side by side."""
    plt = _plt()
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for method, scores in scores_by_method.items():
        fpr, tpr, _ = skm.roc_curve(labels, scores)
        precision, recall, _ = skm.precision_recall_curve(labels, scores)
        roc_ax.plot(fpr, tpr, label=f"{method} (AUROC {auroc(labels, scores):.3f})")
        pr_ax.plot(recall, precision, label=f"{method} (AUPRC {auprc(labels, scores):.3f})")
    roc_ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate", title=f"ROC: {title}")
    pr_ax.axhline(np.mean(labels), color="k", ls=":", lw=0.8)
    pr_ax.set(xlabel="recall", ylabel="precision", title=f"PR: {title}")
    for ax in (roc_ax, pr_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def save_curves(workdir: Path, labels, scores_by_method: dict, title: str) -> list[str]:
    """curves.npz (labels and every method's scores, for anomaly/all) and roc_pr.png."""
    np.savez(run_lib.path(workdir, CURVES_FILE), labels=np.asarray(labels), title=title,
             methods=np.asarray(list(scores_by_method)),
             scores_MxN=np.stack([np.asarray(s, np.float64) for s in scores_by_method.values()]))
    curves_figure(run_lib.path(workdir, "roc_pr.png"), labels, scores_by_method, title)
    return ["roc_pr.png"]


def load_curves(workdir: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(labels [N], {method: scores [N]}) saved by `save_curves`."""
    with np.load(Path(workdir) / CURVES_FILE) as z:
        return z["labels"], dict(zip(z["methods"].tolist(), z["scores_MxN"]))


def curves_grid(path: Path, curves: dict, kind: str) -> None:
    """One panel per run: ROC (kind="roc") or precision-recall (kind="pr") curves of every method."""
    plt = _plt()
    names = list(curves)
    cols = min(4, len(names))
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.2 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names):
        labels, by_method = curves[name]
        for method, scores in by_method.items():
            if kind == "roc":
                fpr, tpr, _ = skm.roc_curve(labels, scores)
                ax.plot(fpr, tpr, label=f"{method} {auroc(labels, scores):.3f}")
            else:
                precision, recall, _ = skm.precision_recall_curve(labels, scores)
                ax.plot(recall, precision, label=f"{method} {auprc(labels, scores):.3f}")
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7, title="AUROC" if kind == "roc" else "AUPRC", title_fontsize=7)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(names):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _cell(result: MethodResult, metric: str) -> str:
    value = getattr(result.mean, metric)
    std = None if result.std is None else getattr(result.std, metric)
    if value is None:
        return "—"
    return f"{value:.4f} ± {std:.4f}" if std is not None else f"{value:.4f}"


def method_table(evaluation: RunEvaluation, split: str | None = None, *, extra: tuple[str, ...] = ()) -> str:
    """Markdown: one row per method of `split` (default the primary one), its metrics as columns."""
    cols = TABLE_METRICS + extra
    lines = ["| method | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for method, result in evaluation.splits[split or evaluation.primary].items():
        lines.append(f"| {method} | " + " | ".join(_cell(result, c) for c in cols) + " |")
    return "\n".join(lines)


def score_histogram(path: Path, scores, threshold: float, title: str) -> None:
    """Histogram of finite scores (log-scaled counts) with the threshold as a vertical line."""
    plt = _plt()
    scores = np.asarray(scores, np.float64)
    finite = scores[np.isfinite(scores)]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.hist(finite, bins=min(100, max(10, len(finite) // 20)), color="C0", alpha=0.8)
    ax.axvline(threshold, color="C3", lw=1.2, label=f"threshold {threshold:.4g}")
    ax.set_yscale("log")
    ax.set(xlabel="anomaly score", ylabel="rows", title=title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def score_trace(path: Path, traces: dict[str, np.ndarray], threshold: float, title: str) -> None:
    """Per-step scores of a few series, one panel each, with the threshold."""
    plt = _plt()
    fig, axes = plt.subplots(len(traces), 1, figsize=(9, 2.2 * len(traces)), squeeze=False)
    for ax, (name, scores) in zip(axes[:, 0], traces.items()):
        ax.plot(np.asarray(scores, np.float64), lw=0.7)
        ax.axhline(threshold, color="C3", lw=1.0)
        ax.set_title(name, fontsize=9)
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("step")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def run_notes(cfg, protocol: str, threshold_note: str) -> list[str]:
    """The protocol, threshold policy and scoring of a registered anomaly run, in words."""
    from aejax.anomaly.build import pca_note
    from aejax.anomaly.protocols import PROTOCOLS
    from aejax.anomaly.thresholds import THRESHOLD_POLICIES

    return [f"Protocol: {PROTOCOLS[protocol]}.",
            f"Threshold: policy {cfg.threshold.policy!r}"
            f"{' (uses labels)' if THRESHOLD_POLICIES[cfg.threshold.policy].uses_labels else ''}, {threshold_note}.",
            f"Scores: sum of {cfg.score.get('norm', 'squared')} reconstruction errors"
            f"{', per-feature standardised with training residual statistics' if cfg.score.standardise else ''}; "
            f"PCA = reconstruction error of PCA ({pca_note(cfg)}) fitted on the same training rows; "
            "IForest = scikit-learn defaults."]
