"""Threshold policies: scores [N] -> a `Threshold` that says how it was chosen and whether it
used labels; `decide` turns scores into 0/1 decisions (anomalous when score > threshold)."""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

from aejax.anomaly.labels import binary_labels


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
    params: tuple[str, ...]  # the keyword parameters it takes (config keys of `threshold`)
    doc: str


THRESHOLD_POLICIES: dict[str, _Policy] = {}


def register_threshold_policy(name: str, *, uses_labels: bool, params: tuple[str, ...] = (), doc: str):
    """Decorator adding a policy `fn(scores, [labels,] **params) -> float` under `name`."""

    def wrap(fn):
        THRESHOLD_POLICIES[name] = _Policy(fn, uses_labels, params, doc)
        return fn

    return wrap


@register_threshold_policy(
    "percentile", uses_labels=False, params=("q", "scale"),
    doc="scale x q-th percentile of validation-normal (or training) scores")
def _percentile(scores, *, q: float = 99.0, scale: float = 1.0) -> float:
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile q={q} must lie in [0, 100]")
    return float(scale * np.percentile(scores, q))


@register_threshold_policy(
    "mean_std", uses_labels=False, params=("k",), doc="mean + k std of validation-normal (or training) scores")
def _mean_std(scores, *, k: float = 3.0) -> float:
    return float(np.mean(scores) + k * np.std(scores))


@register_threshold_policy("max_train", uses_labels=False, doc="maximum of the training scores")
def _max_train(scores) -> float:
    return float(np.max(scores))


@register_threshold_policy(
    "contamination", uses_labels=False, params=("rate",),
    doc="flags the top `rate` fraction of the scores it is fitted on (known anomaly ratio)")
def _contamination(scores, *, rate: float) -> float:
    if not 0.0 < rate < 1.0:
        raise ValueError(f"contamination rate={rate} must lie strictly between 0 and 1")
    return float(np.quantile(scores, 1.0 - rate))


@register_threshold_policy(
    "best_f1", uses_labels=True,
    doc="threshold maximising F1 on a labelled validation split (uses labels)")
def _best_f1(scores, labels) -> float:
    from sklearn import metrics as skm  # here only: `aejax score` loads this module without scikit-learn

    labels = binary_labels(labels, len(scores))
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


def threshold_from_config(tcfg, scores, labels=None) -> Threshold:
    """Fits `tcfg.policy` with its parameters from the config (`q`, `scale`, `k`, `rate`);
    `labels` are passed on only to a policy that uses them."""
    if tcfg.policy not in THRESHOLD_POLICIES:
        raise ValueError(f"unknown threshold.policy {tcfg.policy!r}; known: {sorted(THRESHOLD_POLICIES)}")
    entry = THRESHOLD_POLICIES[tcfg.policy]
    return fit_threshold(tcfg.policy, scores, labels if entry.uses_labels else None,
                         **{k: tcfg[k] for k in entry.params})


def decide(scores, threshold: Threshold | float) -> np.ndarray:
    """0/1 decisions, int32 [N]: 1 where score > threshold, and where the score is NaN (a score
    that is not a number is never taken for normal)."""
    value = threshold.value if isinstance(threshold, Threshold) else float(threshold)
    scores = np.asarray(scores, np.float64)
    return ((scores > value) | np.isnan(scores)).astype(np.int32)
