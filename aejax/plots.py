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
    """Save line plots: label -> (x values, y values); ``levels`` (label -> y) are dashed
    horizontal lines, such as a paper's number."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, (x, y) in series.items():
        ax.plot(x, y, label=label)
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
