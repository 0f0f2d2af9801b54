"""Mean-centred PCA as Hinton & Salakhutdinov (2006) use it as a baseline.

Fitted on the training split; test images are projected onto the first k principal directions
and reconstructed without clipping (clipping to [0, 1] would lower MNIST PCA-30 from 13.87 to
12.59, spec section 2.8). Fitting uses the float64 covariance eigendecomposition.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class PCA(NamedTuple):
    """mean [D]; components [k, D] with orthonormal rows, largest variance first;
    variances [k] (training variance along each component)."""

    mean: np.ndarray
    components: np.ndarray
    variances: np.ndarray


def fit(x: np.ndarray, n_components: int, chunk_size: int = 10_000) -> PCA:
    """Fit mean-centred PCA with ``n_components`` components to rows of ``x`` [N, D]."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"PCA expects a 2-D array [N, D]; got shape {x.shape}.")
    n, d = x.shape
    if not 1 <= n_components <= d:
        raise ValueError(f"n_components={n_components} must be between 1 and the dimension {d}.")
    mean = x.mean(axis=0, dtype=np.float64)
    scatter = np.zeros((d, d))
    for start in range(0, n, chunk_size):
        centred = x[start:start + chunk_size].astype(np.float64) - mean
        scatter += centred.T @ centred
    eigenvalues, eigenvectors = np.linalg.eigh(scatter / n)
    order = np.argsort(eigenvalues)[::-1][:n_components]
    return PCA(mean=mean, components=eigenvectors[:, order].T, variances=eigenvalues[order])


def encode(pca: PCA, x: np.ndarray) -> np.ndarray:
    """Codes [N, k]: coordinates of the centred rows of ``x`` along the components."""
    return (np.asarray(x, np.float64) - pca.mean) @ pca.components.T


def decode(pca: PCA, codes: np.ndarray) -> np.ndarray:
    """Reconstructions [N, D] from codes [N, k] (not clipped)."""
    return np.asarray(codes, np.float64) @ pca.components + pca.mean


def reconstruct(pca: PCA, x: np.ndarray) -> np.ndarray:
    """Project ``x`` [N, D] onto the principal subspace and map back, [N, D]."""
    return decode(pca, encode(pca, x))


def sse_per_example(pca: PCA, x: np.ndarray) -> float:
    """Mean over rows of the summed squared reconstruction error (the paper's metric)."""
    x = np.asarray(x, np.float64)
    return float(np.mean(np.sum((x - reconstruct(pca, x)) ** 2, axis=1)))
