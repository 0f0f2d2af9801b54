"""Figures a run writes: image grids and training curves (matplotlib, Agg backend)."""
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def image_rows(path: Path, rows: Mapping[str, np.ndarray], image_shape: Sequence[int] = (28, 28)) -> Path:
    """Save a grid: one row per entry of `rows` (label -> [n, prod(image_shape)] values in [0, 1])."""
    labels = list(rows)
    n = len(next(iter(rows.values())))
    fig, axes = plt.subplots(len(labels), n, figsize=(n * 0.9, len(labels) * 1.0), squeeze=False)
    for r, label in enumerate(labels):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(np.clip(np.asarray(rows[label][c]).reshape(image_shape), 0, 1), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def curves(path: Path, series: Mapping[str, tuple[Sequence[float], Sequence[float]]], *, xlabel: str = "step", ylabel: str = "loss", log_y: bool = True, log_x: bool = False, levels: Mapping[str, float] | None = None) -> Path:
    """Save line plots: label -> (x values, y values), with markers on the points (at most about
    40 per line, so a one-epoch run shows its point); ``levels`` (label -> y) are dashed
    horizontal lines, such as a paper's number."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, (x, y) in series.items():
        ax.plot(x, y, label=label, marker="o", markersize=3, markevery=max(1, len(x) // 40))
    for label, y in (levels or {}).items():
        ax.axhline(y, color="black", linestyle="--", linewidth=1, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log_y and all(min(y, default=1) > 0 for _, y in series.values()):
        ax.set_yscale("log")
    if log_x:
        ax.set_xscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def unit_range_rows(rows: Mapping[str, np.ndarray]) -> dict:
    """Rows of images scaled to [0, 1] for display (e.g. zero-mean, unit-variance FACES): each
    column by the range of the first row's image, so a reconstruction shows on its original's scale."""
    shown = np.asarray(next(iter(rows.values())))
    lo, hi = shown.min(axis=1, keepdims=True), shown.max(axis=1, keepdims=True)
    return {k: (np.asarray(v) - lo) / np.maximum(hi - lo, 1e-8) for k, v in rows.items()}


def scatter(path: Path, panels: Mapping[str, np.ndarray], labels: np.ndarray, per_class: int, seed: int = 0,
            class_names=None) -> Path:
    """Side-by-side 2-D scatter plots (title -> points [N, 2]), ``per_class`` points of each
    class, coloured by class (up to 20 classes; ``class_names`` label them)."""
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    chosen = rng.permutation(np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:per_class]
                                             for c in classes]))  # no class drawn over all others
    n_colours = 10 if classes.max() < 10 else 20
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 5.5), squeeze=False)
    for ax, (title, points) in zip(axes[0], panels.items()):
        sc = ax.scatter(points[chosen, 0], points[chosen, 1], c=labels[chosen], cmap=f"tab{n_colours}",
                        s=3, vmin=-0.5, vmax=n_colours - 0.5)
        ax.set_title(title)
    bar = fig.colorbar(sc, ax=axes[0].tolist(), ticks=classes, label="class")
    if class_names is not None:
        bar.set_ticklabels([class_names[c] for c in classes], fontsize=7)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def retrieval(path: Path, by_method: Mapping[str, Mapping[int, float]]) -> Path:
    """Retrieval accuracy against the number of documents retrieved (log scale), one line per
    method (label -> {n: accuracy}), as Hinton & Salakhutdinov's SOM Fig. S5."""
    return curves(path, {label: (list(by_n), list(by_n.values())) for label, by_n in by_method.items()},
                  xlabel="number of retrieved documents", ylabel="accuracy (same newsgroup)", log_x=True, log_y=False)


def pretraining_curves(path: Path, history: Sequence[dict], sizes: Sequence[int]) -> bool:
    """Each RBM's reconstruction SSE per example against its epoch (records of phase
    "pretrain/enc_i"); False (no figure) when there are none."""
    series = {}
    for i in range(len(sizes) - 1):
        pts = [(r["epoch"], r["rbm_recon_sse_per_example"]) for r in history
               if r.get("phase") == f"pretrain/enc_{i}" and "rbm_recon_sse_per_example" in r]
        if pts:
            series[f"RBM {sizes[i]}-{sizes[i + 1]}"] = tuple(zip(*pts))
    if series:
        curves(path, series, xlabel="epoch", ylabel="reconstruction SSE per example")
    return bool(series)


def finetuning_curves(path: Path, history: Sequence[dict], paper_test_sse: float | None = None) -> bool:
    """Test and training SSE per image against the fine-tuning epoch (records of phase
    "finetune"), with the paper's test value as a level; False (no figure) when there are none."""
    series = {}
    for key, label in (("test_sse_per_image", "test"), ("train_sse_per_image", "train")):
        pts = [(r["epoch"], r[key]) for r in history if r.get("phase") == "finetune" and key in r]
        if pts:
            series[f"{label} SSE per image"] = tuple(zip(*pts))
    if series:
        levels = {f"paper (test) {paper_test_sse:g}": paper_test_sse} if paper_test_sse else None
        curves(path, series, xlabel="fine-tuning epoch", ylabel="SSE per image", levels=levels)
    return bool(series)
