"""Anomaly scores from inputs and reconstructions (higher = more anomalous).

Residuals and scores are float64. A row's score depends on that row only, so scoring in chunks
gives the same values as scoring at once.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True, eq=False)
class Standardiser:
    """Per-column mean and std [D]: of training residuals x - recon (per feature, or per channel of
    windows), or of each ensemble member's training scores (`member_reference`).

    whitening [D, D] (residuals only): W with (r - mean) @ W of identity covariance on the training
    residuals, used instead of dividing by std, so the score sum(((r - mean) @ W)^2) is the
    Mahalanobis distance of the residual (errors modelled as a Gaussian, Malhotra et al. 2016)."""

    mean: np.ndarray
    std: np.ndarray
    whitening: np.ndarray | None = None

    def apply(self, residual) -> np.ndarray:
        """Standardised (or whitened) residuals, same shape as `residual` [..., D]."""
        if self.whitening is not None:
            return (residual - self.mean) @ self.whitening
        return (residual - self.mean) / self.std

    def to_dict(self) -> dict:
        out = {"mean": self.mean.tolist(), "std": self.std.tolist()}
        return out if self.whitening is None else {**out, "whitening": self.whitening.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "Standardiser":
        whitening = d.get("whitening")
        return cls(np.asarray(d["mean"], np.float64), np.asarray(d["std"], np.float64),
                   None if whitening is None else np.asarray(whitening, np.float64))


def fit_error_standardiser(x, recon, *, whiten: bool = False, eps: float = 1e-8) -> Standardiser:
    """Fits per-feature residual statistics on (normal) training data.

    x, recon: [N, D] or [N, T, C]; statistics are taken over all axes but the last.
    A feature whose residual never varies gets std `eps`-floored to avoid division by zero. A feature
    constant in training (x) gets at least the median residual std of the other features, so a
    change in it counts like a large change elsewhere instead of swamping every other score.
    whiten: also the whitening matrix of the residuals' covariance [D, D], regularised by adding
    1e-6 of its mean variance (at least eps) to the diagonal, and the median variance of the other
    features to that of a feature constant in training.
    """
    residual = _residual(x, recon)
    axes = tuple(range(residual.ndim - 1))
    x = np.asarray(x)
    constant = x.max(axis=axes) == x.min(axis=axes)
    std = residual.std(axis=axes)
    floor = float(np.median(std[~constant])) if (~constant).any() else 1.0
    mean, std = residual.mean(axis=axes), np.maximum(np.where(constant, np.maximum(std, floor), std), eps)
    if not whiten:
        return Standardiser(mean, std)
    rows = (residual - mean).reshape(-1, residual.shape[-1])
    cov = rows.T @ rows / len(rows)
    variance = np.diag(cov).copy()
    cov[np.diag_indices_from(cov)] += max(1e-6 * float(np.trace(cov)) / len(cov), eps)
    cov[np.diag_indices_from(cov)] += np.where(constant, np.median(variance[~constant]) if (~constant).any() else 1.0, 0.0)
    return Standardiser(mean, std, np.linalg.inv(np.linalg.cholesky(cov)).T)


def _residual(x, recon, standardiser: Standardiser | None = None) -> np.ndarray:
    x = np.asarray(x, np.float64)
    recon = np.asarray(recon, np.float64)
    if x.shape != recon.shape:
        raise ValueError(f"inputs {x.shape} and reconstructions {recon.shape} differ in shape")
    residual = x - recon
    return residual if standardiser is None else standardiser.apply(residual)


NORMS = ("squared", "absolute")


def check_norm(norm: str) -> str:
    """`norm` if it is one of NORMS, else a ValueError naming it."""
    if norm not in NORMS:
        raise ValueError(f"score.norm={norm!r} must be one of {NORMS}")
    return norm


def residual_sizes(residual, norm: str = "squared"):
    """Each element's contribution to a score (NumPy or JAX arrays, same shape): its square
    ("squared": sums of these are squared errors) or its absolute value ("absolute": L1 errors,
    which weigh one large residual less against many small ones)."""
    return residual * residual if check_norm(norm) == "squared" else abs(residual)


def reconstruction_scores(x, recon, standardiser: Standardiser | None = None, norm: str = "squared") -> np.ndarray:
    """Per-example sum of squared (norm="absolute": absolute) errors over all non-batch axes:
    [N, ...] -> [N].

    With a standardiser, each feature's residual is first standardised with training
    statistics, so features with naturally large errors do not dominate the score.
    For windows [N, T, C] this is the per-window score.
    """
    residual = _residual(x, recon, standardiser)
    return residual_sizes(residual, norm).reshape(residual.shape[0], -1).sum(axis=1)


def step_scores(x, recon, standardiser: Standardiser | None = None, norm: str = "squared") -> np.ndarray:
    """Per-time-step sum of squared (norm="absolute": absolute) errors over channels: windows
    [N, T, C] -> [N, T]."""
    residual = _residual(x, recon, standardiser)
    if residual.ndim != 3:
        raise ValueError(f"step_scores expects windows [N, T, C], got shape {residual.shape}")
    return residual_sizes(residual, norm).sum(axis=2)


def member_reference(train_scores_NxK) -> Standardiser:
    """Per-member mean and std [K] of training scores [N_train, K], for `ensemble_scores`."""
    train = np.asarray(train_scores_NxK, np.float64)
    if train.ndim != 2:
        raise ValueError(f"train member scores must be [N_train, K], got shape {train.shape}")
    return Standardiser(train.mean(axis=0), np.maximum(train.std(axis=0), np.finfo(np.float64).tiny))


def ensemble_scores(scores_NxK, reference: Standardiser | None = None) -> np.ndarray:
    """Score of an ensemble of K autoencoders: member scores [N, K] -> [N], the mean over members.

    With `reference` (`member_reference` of the training scores), each member's scores are first
    standardised with the mean and std of its own training scores, so no member dominates by the
    scale of its errors.
    """
    scores = np.asarray(scores_NxK, np.float64)
    if scores.ndim != 2:
        raise ValueError(f"member scores must be [N, K] (one column per ensemble member), got shape {scores.shape}")
    if reference is not None:
        if reference.mean.shape != (scores.shape[1],):
            raise ValueError(f"the reference has {reference.mean.size} members, the scores {scores.shape[1]}")
        scores = (scores - reference.mean) / reference.std
    return scores.mean(axis=1)


def rank_non_finite_highest(scores) -> np.ndarray:
    """Scores [N] with every NaN or infinite score replaced by +inf: a record whose features or
    errors overflow is the most anomalous, never NaN (which no threshold flags)."""
    scores = np.asarray(scores, np.float64)
    return np.where(np.isfinite(scores), scores, np.inf)
