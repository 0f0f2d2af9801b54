"""A CURVES-like generator (Hinton & Salakhutdinov 2006), vectorised numpy.

The original file's recipe is not published; this follows ../shared/docs/hinton2006.md §3.2,
with every choice not taken from a source marked [assumption] there:

1. three points uniform in the unit square, sorted so x1 < x2 < x3; a draw is rejected
   while two x's are closer than `min_dx` (avoids near-vertical blow-ups) [assumption];
2. the curve is the parabola y(x) through them on [x1, x3] (what MATLAB's not-a-knot
   `spline` gives for three knots);
3. the unit square maps to pixel centres `margin` .. 27 - margin, x -> column, y -> row
   counted upward from the bottom row [assumption]; parts of a parabola that overshoot the
   square run on towards the image border and are cut off there;
4. ink at a pixel is the line integral along the curve of a Gaussian of width `width`
   pixels, normalised so a straight stroke has the profile peak * exp(-d^2 / (2 width^2)) at
   distance d, clipped to [0, 1] [assumption]. The integral is a sum over points spaced
   evenly in arc length (spacing <= width, ripple below 1e-6), computed per image as one
   small matrix product of separable row and column Gaussians;
5. `margin`, `width` and `peak` are calibrated on all four statistics of the real file that
   the paper and later work give (mean-image SSE ~16, PCA-18 5.90, logistic PCA-6 7.64,
   logistic PCA-18 2.45); `aejax.data.builders.curves` has the search and the numbers, and
   `aejax data curves-calibration` recomputes them.

Train and test images come from independent streams of one seed
(`numpy.random.SeedSequence([seed, split_index])`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["CurvesParams", "DEFAULT_PARAMS", "SPLIT_SIZES", "sample_points", "render", "generate", "pca_sse", "mean_image_sse"]

SPLIT_SIZES = {"train": 20_000, "test": 10_000}
_SPLIT_INDEX = {"train": 0, "test": 1}


@dataclasses.dataclass(frozen=True)
class CurvesParams:
    """Generator parameters; lengths in pixels, `min_dx` in unit-square coordinates."""

    size: int = 28
    margin: float = 6.0
    width: float = 0.72
    peak: float = 1.0  # centre intensity of a straight stroke before clipping
    min_dx: float = 0.1
    dense_points: int = 512  # x-samples used to measure arc length before resampling
    chunk: int = 2048  # images rendered per batched matrix product


DEFAULT_PARAMS = CurvesParams()


def sample_points(rng: np.random.Generator, n: int, min_dx: float) -> np.ndarray:
    """[n, 3, 2] control points (x, y) in the unit square, x increasing, x-gaps >= `min_dx`."""
    kept = np.empty((0, 3, 2))
    while len(kept) < n:
        draw = rng.random((2 * (n - len(kept)) + 16, 3, 2))
        draw = np.take_along_axis(draw, np.argsort(draw[:, :, 0], axis=1)[:, :, None], axis=1)
        ok = np.all(np.diff(draw[:, :, 0], axis=1) >= min_dx, axis=1)
        kept = np.concatenate([kept, draw[ok]])
    return kept[:n]


def _parabola(points: np.ndarray, x: np.ndarray) -> np.ndarray:
    """y at x [n, m] of the parabola through each row's three points [n, 3, 2] (Lagrange form)."""
    (x0, x1, x2), (y0, y1, y2) = (points[:, i, 0, None] for i in range(3)), (points[:, i, 1, None] for i in range(3))
    return (
        y0 * (x - x1) * (x - x2) / ((x0 - x1) * (x0 - x2))
        + y1 * (x - x0) * (x - x2) / ((x1 - x0) * (x1 - x2))
        + y2 * (x - x0) * (x - x1) / ((x2 - x0) * (x2 - x1))
    )


def _resample_by_arc_length(cols: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """k points per row evenly spaced in arc length along the polylines (cols, rows) [n, m].

    Returns cols [n, k], rows [n, k] and the spacing [n] (pixels).
    """
    n, m = cols.shape
    seg = np.hypot(np.diff(cols, axis=1), np.diff(rows, axis=1))
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(seg, axis=1)], axis=1)
    length = cum[:, -1]
    targets = length[:, None] * np.linspace(0.0, 1.0, k)[None, :]
    # One searchsorted over all rows: offset each row's (increasing) arc lengths past the previous row's.
    offsets = np.arange(n)[:, None] * (length.max() + 1.0)
    j = np.searchsorted((cum + offsets).ravel(), (targets + offsets).ravel(), side="right").reshape(n, k)
    j = np.clip(j - np.arange(n)[:, None] * m, 1, m - 1)
    lo, hi = np.take_along_axis(cum, j - 1, 1), np.take_along_axis(cum, j, 1)
    t = np.where(hi > lo, (targets - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0)
    pick = lambda a: np.take_along_axis(a, j - 1, 1) * (1 - t) + np.take_along_axis(a, j, 1) * t  # noqa: E731
    return pick(cols), pick(rows), length / (k - 1)


def render(points: np.ndarray, params: CurvesParams = DEFAULT_PARAMS) -> np.ndarray:
    """float32 images [n, size, size] in [0, 1] of the parabolas through `points` [n, 3, 2]."""
    images = np.empty((len(points), params.size, params.size), dtype=np.float32)
    for start in range(0, len(points), params.chunk):
        images[start : start + params.chunk] = _render_chunk(points[start : start + params.chunk], params)
    return images


def _render_chunk(points: np.ndarray, p: CurvesParams) -> np.ndarray:
    span = p.size - 1 - 2 * p.margin
    x = points[:, 0, 0, None] + (points[:, 2, 0, None] - points[:, 0, 0, None]) * np.linspace(0, 1, p.dense_points)
    cols = p.margin + span * x
    rows = p.margin + span * (1.0 - _parabola(points, x))
    k = int(np.ceil(np.hypot(np.diff(cols), np.diff(rows)).sum(1).max() / p.width)) + 2
    cols, rows, spacing = _resample_by_arc_length(cols, rows, k)
    # Trapezoid weights along the curve, divided by the integral of a unit-height Gaussian across it.
    weights = np.ones(k)
    weights[[0, -1]] = 0.5
    weights = weights[None, :] * (p.peak * spacing / (np.sqrt(2 * np.pi) * p.width))[:, None]
    grid = np.arange(p.size, dtype=np.float64)
    g_rows = np.exp(-((grid[None, None, :] - rows[:, :, None]) ** 2) / (2 * p.width**2))  # [n, k, size]
    g_cols = np.exp(-((grid[None, None, :] - cols[:, :, None]) ** 2) / (2 * p.width**2))
    ink = np.einsum("nkr,nkc->nrc", g_rows * weights[:, :, None], g_cols, optimize=True)
    return np.clip(ink, 0.0, 1.0)


def generate(seed: int, split: str, params: CurvesParams = DEFAULT_PARAMS, n: int | None = None) -> np.ndarray:
    """The first `n` (default: the paper's count) images of `split` for `seed`: float32 [n, 28, 28]."""
    if split not in SPLIT_SIZES:
        raise ValueError(f"curves has splits {sorted(SPLIT_SIZES)}, not {split!r}.")
    n = SPLIT_SIZES[split] if n is None else n
    rng = np.random.default_rng(np.random.SeedSequence([seed, _SPLIT_INDEX[split]]))
    return render(sample_points(rng, n, params.min_dx), params)


def pca_sse(train: np.ndarray, test: np.ndarray, k: int) -> float:
    """Mean over test rows of the squared error of mean-centred rank-k PCA fitted on train rows.

    Inputs [n, d]; reconstructions are not clipped (as in hinton2006.md §1.9).
    """
    train = train.reshape(len(train), -1).astype(np.float64)
    test = test.reshape(len(test), -1).astype(np.float64)
    mean = train.mean(0)
    centred_train = train - mean
    _, vectors = np.linalg.eigh(centred_train.T @ centred_train)  # ascending eigenvalues
    basis = vectors[:, ::-1][:, :k].T
    centred = test - mean
    residual = centred - (centred @ basis.T) @ basis
    return float(np.mean(np.sum(residual**2, axis=1)))


def mean_image_sse(train: np.ndarray, images: np.ndarray) -> float:
    """Mean over `images` of the squared error of predicting every image by the train mean image."""
    train = train.reshape(len(train), -1).astype(np.float64)
    images = images.reshape(len(images), -1).astype(np.float64)
    return float(np.mean(np.sum((images - train.mean(0)) ** 2, axis=1)))
