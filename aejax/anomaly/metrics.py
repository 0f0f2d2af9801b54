"""Metrics of anomaly scores against 0/1 labels, and the structured results of a run.

AUROC and AUPRC (average precision, ADBench's AUCPR) come from scikit-learn. F1 is reported at
a threshold without point adjustment; series runs add the point-adjusted F1 (a hit anywhere in a
labelled segment counts the whole segment) *and* the point-adjusted F1 of random scores flagging
as many points, so a reader sees how much of the adjusted number the adjustment alone gives.

A run's metrics are `Evaluation`s per method (and per split); they become the flat
`<method>_<metric>[_<split>]` keys of results.json only in `RunEvaluation.metrics()`.

scikit-learn is imported where a metric is computed: `aejax score` loads this module on every
call, and scikit-learn's import costs it about a second.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from aejax.anomaly.labels import binary_labels
from aejax.anomaly.thresholds import Threshold, decide


def _both_classes(labels: np.ndarray, what: str):
    if labels.min() == labels.max():
        raise ValueError(f"{what} is undefined when all labels are {labels[0]}; "
                         "the evaluation split needs both normal (0) and anomalous (1) examples")


def auroc(labels, scores) -> float:
    """Area under the ROC curve of scores against 0/1 labels (scikit-learn)."""
    from sklearn import metrics as skm

    labels = binary_labels(labels, len(scores))
    _both_classes(labels, "AUROC")
    return float(skm.roc_auc_score(labels, scores))


def auprc(labels, scores) -> float:
    """Area under the precision-recall curve as average precision (scikit-learn; ADBench's AUCPR)."""
    from sklearn import metrics as skm

    labels = binary_labels(labels, len(scores))
    _both_classes(labels, "AUPRC")
    return float(skm.average_precision_score(labels, scores))


@dataclasses.dataclass(frozen=True)
class PrecisionRecallF1:
    """Of the anomaly class (label 1); 0 where undefined."""

    precision: float
    recall: float
    f1: float


def precision_recall_f1(labels, decisions) -> PrecisionRecallF1:
    """Precision, recall and F1 of the anomaly class (label 1) for 0/1 decisions; 0 where undefined.

    From counts: precision TP / flagged, recall TP / positives, F1 2TP / (positives + flagged).
    """
    labels = binary_labels(labels)
    decisions = binary_labels(decisions, len(labels))
    true_positives, positives, flagged = int(decisions @ labels), int(labels.sum()), int(decisions.sum())
    if not true_positives:
        return PrecisionRecallF1(0.0, 0.0, 0.0)
    return PrecisionRecallF1(true_positives / flagged, true_positives / positives,
                             2 * true_positives / (positives + flagged))


def point_adjust(labels, decisions) -> np.ndarray:
    """Point adjustment: a hit anywhere in a contiguous anomaly segment flags the whole segment.

    Used only for the extra, labelled `f1_point_adjusted` column (it inflates F1).
    """
    labels = binary_labels(labels)
    adjusted = binary_labels(decisions, len(labels)).copy()
    edges = np.diff(np.concatenate([[0], labels, [0]]))
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if adjusted[start:stop].any():
            adjusted[start:stop] = 1
    return adjusted


def random_point_adjusted_f1(labels, flagged: int, *, draws: int = 10, seed: int = 0) -> float:
    """Mean point-adjusted F1 of `draws` random scorings that each flag `flagged` of the points
    (uniformly at random): the point-adjusted F1 that the adjustment gives at a detector's flag rate."""
    labels = binary_labels(labels)
    if not 0 <= flagged <= len(labels):
        raise ValueError(f"flagged={flagged} must lie between 0 and the number of points {len(labels)}")
    rng = np.random.default_rng(seed)
    f1 = []
    for _ in range(draws):
        decisions = np.zeros(len(labels), np.int32)
        decisions[rng.choice(len(labels), flagged, replace=False)] = 1
        f1.append(precision_recall_f1(labels, point_adjust(labels, decisions)).f1)
    return float(np.mean(f1))


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """Metrics of one method's scores on one labelled split; None = not reported.

    threshold: the threshold's value; f1_point_adjusted: F1 after point adjustment (inflated);
    f1_point_adjusted_random: the same for random scores at the same flag rate; far / mar: false /
    missed alarm rates (1 - recall); accuracy: of the decisions on normal and anomalous rows alike.
    """

    auroc: float
    auprc: float
    precision: float
    recall: float
    f1: float
    threshold: float | None = None
    f1_point_adjusted: float | None = None
    f1_point_adjusted_random: float | None = None
    far: float | None = None
    mar: float | None = None
    accuracy: float | None = None

    def reported(self) -> dict[str, float]:
        """The metrics that are reported (not None), in declaration order."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


def evaluate(labels, scores, threshold: Threshold, *, point_adjusted: bool = False, alarm_rates: bool = False,
             accuracy: bool = False) -> Evaluation:
    """AUROC, AUPRC and P/R/F1 at `threshold`; with `point_adjusted` also the point-adjusted F1
    and that of random scores flagging as many points; `alarm_rates`: false / missed alarm rates;
    `accuracy`: the fraction of correct decisions."""
    labels = binary_labels(labels, len(scores))
    decisions = decide(scores, threshold)
    prf = precision_recall_f1(labels, decisions)
    extra = {}
    if point_adjusted:
        extra["f1_point_adjusted"] = precision_recall_f1(labels, point_adjust(labels, decisions)).f1
        extra["f1_point_adjusted_random"] = random_point_adjusted_f1(labels, int(decisions.sum()))
    if alarm_rates:
        extra["far"] = float(np.mean(decisions[labels == 0]))
        extra["mar"] = float(np.mean(1 - decisions[labels == 1]))
    if accuracy:
        extra["accuracy"] = float(np.mean(decisions == labels))
    return Evaluation(auroc(labels, scores), auprc(labels, scores), prf.precision, prf.recall, prf.f1,
                      threshold.value, **extra)


@dataclasses.dataclass(frozen=True)
class MethodResult:
    """One method's metrics on one split: the mean over seeds and, with several seeds, their std."""

    mean: Evaluation
    std: Evaluation | None = None

    def to_dict(self) -> dict:
        return {"mean": dataclasses.asdict(self.mean), "std": None if self.std is None else dataclasses.asdict(self.std)}

    @classmethod
    def from_dict(cls, d: dict) -> "MethodResult":
        return cls(Evaluation(**d["mean"]), None if d["std"] is None else Evaluation(**d["std"]))


def over_seeds(per_seed: list[Evaluation]) -> MethodResult:
    """Mean (and, with several seeds, std) over seeds of every reported metric."""
    reported = [e.reported() for e in per_seed]
    fields = reported[0].keys()
    mean = {k: float(np.asarray([r[k] for r in reported], np.float64).mean()) for k in fields}
    if len(per_seed) == 1:
        return MethodResult(Evaluation(**mean))
    std = {k: float(np.asarray([r[k] for r in reported], np.float64).std()) for k in fields}
    return MethodResult(Evaluation(**mean), Evaluation(**std))


@dataclasses.dataclass(frozen=True)
class RunEvaluation:
    """Every method's metrics on every evaluated split of a run.

    splits: split -> method -> MethodResult; `primary` is the split reported under unsuffixed
    names; `suffixed` splits are also reported under `_<split>` names (NSL-KDD's two test sets).
    """

    splits: dict[str, dict[str, MethodResult]]
    primary: str
    suffixed: tuple[str, ...] = ()

    @property
    def methods(self) -> dict[str, MethodResult]:
        """method -> result on the primary split."""
        return self.splits[self.primary]

    def metrics(self, *, with_std: bool = True) -> dict[str, float]:
        """The flat results.json metrics: `<method>_<metric>[_<split>]` (and `..._std`)."""
        out = {}
        for split, suffix in [(s, f"_{s}") for s in self.suffixed] + [(self.primary, "")]:
            for method, result in self.splits[split].items():
                std = result.std.reported() if with_std and result.std is not None else {}
                for metric, value in result.mean.reported().items():
                    out[f"{method}_{metric}{suffix}"] = value
                    if metric in std:
                        out[f"{method}_{metric}{suffix}_std"] = std[metric]
        return out

    def to_dict(self) -> dict:
        return {"primary": self.primary, "suffixed": list(self.suffixed),
                "splits": {s: {m: r.to_dict() for m, r in by.items()} for s, by in self.splits.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> "RunEvaluation":
        return cls({s: {m: MethodResult.from_dict(r) for m, r in by.items()} for s, by in d["splits"].items()},
                   d["primary"], tuple(d["suffixed"]))
