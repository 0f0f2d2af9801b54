"""Anomaly detection by reconstruction error: scores, threshold policies, metrics, protocols.

Scores (higher = more anomalous) come from inputs and their reconstructions and are kept
separate from decisions: a named threshold policy turns scores into a `Threshold`, and
`decide(scores, threshold)` turns scores into 0/1 decisions (anomalous when score > threshold).

Protocols (both are named in every report):
- one-class: train on normal data only (DAGMM: random 50 % train / 50 % test, training
  anomalies dropped);
- unsupervised: train on contaminated data (ADBench: 70 % / 30 % stratified split).
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
from sklearn import metrics as skm
from sklearn import model_selection

# ---------------------------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class ErrorStandardiser:
    """Per-feature mean and std of training residuals (x - recon), shape [D] (or [C] for series)."""

    mean: np.ndarray
    std: np.ndarray

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "ErrorStandardiser":
        return cls(np.asarray(d["mean"], np.float64), np.asarray(d["std"], np.float64))


def fit_error_standardiser(x, recon, *, eps: float = 1e-8) -> ErrorStandardiser:
    """Fits per-feature residual statistics on (normal) training data.

    x, recon: [N, D] or [N, T, C]; statistics are taken over all axes but the last.
    A feature whose residual never varies gets std `eps`-floored to avoid division by zero.
    """
    residual = _residual(x, recon)
    axes = tuple(range(residual.ndim - 1))
    return ErrorStandardiser(residual.mean(axis=axes), np.maximum(residual.std(axis=axes), eps))


def _residual(x, recon, standardiser: ErrorStandardiser | None = None) -> np.ndarray:
    x = np.asarray(x, np.float64)
    recon = np.asarray(recon, np.float64)
    if x.shape != recon.shape:
        raise ValueError(f"inputs {x.shape} and reconstructions {recon.shape} differ in shape")
    residual = x - recon
    if standardiser is not None:
        residual = (residual - standardiser.mean) / standardiser.std
    return residual


def reconstruction_scores(x, recon, standardiser: ErrorStandardiser | None = None) -> np.ndarray:
    """Per-example sum of squared errors over all non-batch axes: [N, ...] -> [N].

    With a standardiser, each feature's residual is first standardised with training
    statistics, so features with naturally large errors do not dominate the score.
    For windows [N, T, C] this is the per-window score.
    """
    residual = _residual(x, recon, standardiser)
    return np.square(residual).reshape(residual.shape[0], -1).sum(axis=1)


def step_scores(x, recon, standardiser: ErrorStandardiser | None = None) -> np.ndarray:
    """Per-time-step sum of squared errors over channels: windows [N, T, C] -> [N, T]."""
    residual = _residual(x, recon, standardiser)
    if residual.ndim != 3:
        raise ValueError(f"step_scores expects windows [N, T, C], got shape {residual.shape}")
    return np.square(residual).sum(axis=2)


def steps_to_series(per_step, starts, length: int) -> np.ndarray:
    """Averages overlapping per-window step scores back onto the series time axis.

    per_step: [N, T] scores of windows starting at `starts` [N]; returns [length] with the
    mean over every window covering each time step (NaN where no window covers it), so the
    result aligns index-for-index with the series' point labels.
    """
    per_step = np.asarray(per_step, np.float64)
    starts = np.asarray(starts, np.int64)
    n, size = per_step.shape
    if starts.shape != (n,):
        raise ValueError(f"starts has shape {starts.shape}, expected ({n},) for {n} windows")
    if n and (starts.min() < 0 or starts.max() + size > length):
        raise ValueError(f"windows of size {size} starting at {starts.min()}..{starts.max()} "
                         f"do not fit in a series of length {length}")
    index = (starts[:, None] + np.arange(size)[None, :]).ravel()
    total = np.bincount(index, weights=per_step.ravel(), minlength=length)
    count = np.bincount(index, minlength=length)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


# ---------------------------------------------------------------------------------------------
# Threshold policies
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Threshold:
    """A decision threshold (anomalous when score > value) and how it was chosen."""

    value: float
    policy: str
    uses_labels: bool
    params: dict = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Threshold":
        return cls(float(d["value"]), str(d["policy"]), bool(d["uses_labels"]), dict(d["params"]))


@dataclasses.dataclass(frozen=True)
class _Policy:
    fn: Callable
    uses_labels: bool
    doc: str


THRESHOLD_POLICIES: dict[str, _Policy] = {}


def register_threshold_policy(name: str, *, uses_labels: bool, doc: str):
    """Decorator adding a policy `fn(scores, [labels,] **params) -> float` under `name`."""

    def wrap(fn):
        THRESHOLD_POLICIES[name] = _Policy(fn, uses_labels, doc)
        return fn

    return wrap


@register_threshold_policy(
    "percentile", uses_labels=False,
    doc="scale x q-th percentile of validation-normal (or training) scores")
def _percentile(scores, *, q: float = 99.0, scale: float = 1.0) -> float:
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile q={q} must lie in [0, 100]")
    return float(scale * np.percentile(scores, q))


@register_threshold_policy(
    "mean_std", uses_labels=False, doc="mean + k std of validation-normal (or training) scores")
def _mean_std(scores, *, k: float = 3.0) -> float:
    return float(np.mean(scores) + k * np.std(scores))


@register_threshold_policy("max_train", uses_labels=False, doc="maximum of the training scores")
def _max_train(scores) -> float:
    return float(np.max(scores))


@register_threshold_policy(
    "contamination", uses_labels=False,
    doc="flags the top `rate` fraction of the scores it is fitted on (known anomaly ratio)")
def _contamination(scores, *, rate: float) -> float:
    if not 0.0 < rate < 1.0:
        raise ValueError(f"contamination rate={rate} must lie strictly between 0 and 1")
    return float(np.quantile(scores, 1.0 - rate))


@register_threshold_policy(
    "best_f1", uses_labels=True,
    doc="threshold maximising F1 on a labelled validation split (uses labels)")
def _best_f1(scores, labels) -> float:
    labels = _binary_labels(labels, len(scores))
    if labels.sum() == 0:
        raise ValueError("best_f1 needs at least one anomaly (label 1) in the validation labels")
    precision, recall, cut = skm.precision_recall_curve(labels, scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    best = int(np.argmax(f1[:-1]))  # the last P/R point has no threshold
    # precision_recall_curve flags score >= cut; `decide` flags score > value.
    return float(np.nextafter(cut[best], -np.inf))


def fit_threshold(policy: str, scores, labels=None, **params) -> Threshold:
    """Fits the named threshold policy on `scores` [N] (and `labels` [N] where it uses them).

    Label-free policies take only the scores they are fitted on (usually the scores of
    normal validation or training data); `best_f1` needs labels and is flagged as using them.
    """
    if policy not in THRESHOLD_POLICIES:
        raise ValueError(f"unknown threshold policy {policy!r}; known: {sorted(THRESHOLD_POLICIES)}")
    entry = THRESHOLD_POLICIES[policy]
    scores = np.asarray(scores, np.float64)
    if scores.ndim != 1 or scores.size == 0:
        raise ValueError(f"threshold policy {policy!r} needs a non-empty 1-D score array, "
                         f"got shape {scores.shape}")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"threshold policy {policy!r} got {np.sum(~np.isfinite(scores))} "
                         "non-finite scores; drop NaN/inf scores first")
    if entry.uses_labels:
        if labels is None:
            raise ValueError(f"threshold policy {policy!r} uses labels; pass labels=...")
        value = entry.fn(scores, labels, **params)
    else:
        if labels is not None:
            raise ValueError(f"threshold policy {policy!r} does not use labels; pass only the "
                             "scores it should be fitted on (e.g. those of normal data)")
        value = entry.fn(scores, **params)
    return Threshold(value, policy, entry.uses_labels, dict(params))


def decide(scores, threshold: Threshold | float) -> np.ndarray:
    """0/1 decisions, int32 [N]: 1 where score > threshold."""
    value = threshold.value if isinstance(threshold, Threshold) else float(threshold)
    return (np.asarray(scores, np.float64) > value).astype(np.int32)


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------


def _binary_labels(labels, n: int | None = None) -> np.ndarray:
    labels = np.asarray(labels)
    if n is not None and labels.shape != (n,):
        raise ValueError(f"labels have shape {labels.shape}, expected ({n},)")
    bad = ~np.isin(labels, (0, 1))
    if bad.any():
        raise ValueError(f"labels must be 0 (normal) or 1 (anomaly); found {np.unique(labels[bad])[:5]}")
    return labels.astype(np.int32)


def _both_classes(labels: np.ndarray, what: str):
    if labels.min() == labels.max():
        raise ValueError(f"{what} is undefined when all labels are {labels[0]}; "
                         "the evaluation split needs both normal (0) and anomalous (1) examples")


def auroc(labels, scores) -> float:
    """Area under the ROC curve of scores against 0/1 labels (scikit-learn)."""
    labels = _binary_labels(labels, len(scores))
    _both_classes(labels, "AUROC")
    return float(skm.roc_auc_score(labels, scores))


def auprc(labels, scores) -> float:
    """Area under the precision-recall curve as average precision (scikit-learn; ADBench's AUCPR)."""
    labels = _binary_labels(labels, len(scores))
    _both_classes(labels, "AUPRC")
    return float(skm.average_precision_score(labels, scores))


def precision_recall_f1(labels, decisions) -> dict:
    """Precision, recall and F1 of the anomaly class (label 1); 0 where undefined."""
    labels = _binary_labels(labels)
    decisions = _binary_labels(decisions, len(labels))
    p, r, f, _ = skm.precision_recall_fscore_support(
        labels, decisions, average="binary", pos_label=1, zero_division=0)
    return {"precision": float(p), "recall": float(r), "f1": float(f)}


def point_adjust(labels, decisions) -> np.ndarray:
    """Point adjustment: a hit anywhere in a contiguous anomaly segment flags the whole segment.

    Used only for the extra, labelled `f1_point_adjusted` column (it inflates F1).
    """
    labels = _binary_labels(labels)
    adjusted = _binary_labels(decisions, len(labels)).copy()
    edges = np.diff(np.concatenate([[0], labels, [0]]))
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if adjusted[start:stop].any():
            adjusted[start:stop] = 1
    return adjusted


def evaluate(labels, scores, threshold: Threshold, *, point_adjusted: bool = False) -> dict:
    """AUROC, AUPRC and P/R/F1 at `threshold` (plus `f1_point_adjusted` if asked)."""
    labels = _binary_labels(labels, len(scores))
    decisions = decide(scores, threshold)
    out = {"auroc": auroc(labels, scores), "auprc": auprc(labels, scores),
           **precision_recall_f1(labels, decisions), "threshold": threshold.value}
    if point_adjusted:
        out["f1_point_adjusted"] = precision_recall_f1(labels, point_adjust(labels, decisions))["f1"]
    return out


# ---------------------------------------------------------------------------------------------
# Protocols
# ---------------------------------------------------------------------------------------------

PROTOCOLS = {
    "one-class": "one-class: model fitted on normal training data only",
    "unsupervised": "unsupervised: model fitted on contaminated training data (labels unused)",
}


@dataclasses.dataclass(frozen=True, eq=False)
class ProtocolSplit:
    """Row indices of one protocol split: `train` rows fit the model, `test` rows are scored."""

    train: np.ndarray
    test: np.ndarray
    protocol: str


def one_class_split(labels, *, train_fraction: float = 0.5, seed: int = 0) -> ProtocolSplit:
    """DAGMM protocol: random `train_fraction` of rows for training, anomalies among them dropped;
    all remaining rows form the test set."""
    labels = _binary_labels(labels)
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction={train_fraction} must lie strictly between 0 and 1")
    order = np.random.default_rng(seed).permutation(len(labels))
    n_train = int(round(train_fraction * len(labels)))
    train, test = order[:n_train], order[n_train:]
    return ProtocolSplit(np.sort(train[labels[train] == 0]), np.sort(test), "one-class")


def unsupervised_split(labels, *, test_fraction: float = 0.3, seed: int = 0) -> ProtocolSplit:
    """ADBench protocol: stratified split; the training rows keep their anomalies."""
    labels = _binary_labels(labels)
    train, test = model_selection.train_test_split(
        np.arange(len(labels)), test_size=test_fraction, stratify=labels, random_state=seed)
    return ProtocolSplit(np.sort(train), np.sort(test), "unsupervised")


def drop_training_anomalies(split: ProtocolSplit, labels) -> ProtocolSplit:
    """One-class variant of a split: the same test rows, training restricted to normal rows."""
    labels = _binary_labels(labels)
    return ProtocolSplit(split.train[labels[split.train] == 0], split.test, "one-class")
