"""A detector whose score combines other detectors' scores: each member's score standardised by
the median and interquartile range of its own training scores, then a weighted sum.

    detector = CombinedDetector({"autoencoder": ae, "knn": KNNDetector()}, {"autoencoder": 0.5, "knn": 0.5})
    detector.fit(x_train_NxD)        # fits every member on the same rows

Standardising by training statistics puts scores of different units on one scale without labels;
the median and IQR are those of mostly normal rows even when the training rows hold anomalies.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aejax.anomaly.detector import Detector, load_detector
from aejax.anomaly.scores import Standardiser

MEMBERS_DIR = "members"


def robust_reference(train_scores) -> Standardiser:
    """Median and spread [1] of training scores [N]: the interquartile range, else the standard
    deviation of the finite scores where the IQR is 0, else 1."""
    finite = np.asarray(train_scores, np.float64)
    finite = finite[np.isfinite(finite)]
    if not len(finite):
        return Standardiser(np.zeros(1), np.ones(1))
    q25, median, q75 = np.percentile(finite, [25, 50, 75])
    spread = q75 - q25
    if not spread > 0:
        spread = finite.std() if finite.std() > 0 else 1.0
    return Standardiser(np.array([median]), np.array([spread]))


def combine(scores_by_member: dict, references: dict, weights: dict) -> np.ndarray:
    """sum over members m of weights[m] * (scores_by_member[m] - median_m) / spread_m, [N]."""
    total = 0.0
    for name, scores in scores_by_member.items():
        ref = references[name]
        total = total + weights[name] * (np.asarray(scores, np.float64) - ref.mean[0]) / ref.std[0]
    return np.asarray(total, np.float64)


class CombinedDetector(Detector):
    """Weighted sum of the members' training-standardised scores (`combine`)."""

    kind = "combined"

    def __init__(self, members: dict[str, Detector], weights: dict[str, float]):
        if set(members) != set(weights):
            raise ValueError(f"members {sorted(members)} and weights {sorted(weights)} must name the same detectors")
        self.members, self.weights = dict(members), {k: float(v) for k, v in weights.items()}

    def fit(self, X, *, run=None, tag: str = "model") -> "CombinedDetector":
        """Fits every member on X (the autoencoder logs to `run` under `tag`), then the references."""
        for name, member in self.members.items():
            if member.kind == "autoencoder":
                member.fit(X, run=run, tag=tag)
            else:
                member.fit(X)
        self.references_ = {name: robust_reference(m.train_scores_) for name, m in self.members.items()}
        self.train_scores_ = self._combined({name: m.train_scores_ for name, m in self.members.items()})
        return self

    def _combined(self, scores_by_member: dict) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return combine(scores_by_member, self.references_, self.weights)

    def _score(self, X) -> np.ndarray:
        return self._combined({name: m.score(X) for name, m in self.members.items()})

    def _state(self) -> dict:
        return {"weights": self.weights, "references": {k: r.to_dict() for k, r in self.references_.items()}}

    def _save_files(self, directory: Path) -> None:
        for name, member in self.members.items():
            member.save(directory / MEMBERS_DIR / name)

    @classmethod
    def _from_state(cls, state: dict, directory: Path) -> "CombinedDetector":
        members = {name: load_detector(directory / MEMBERS_DIR / name) for name in state["weights"]}
        detector = cls(members, state["weights"])
        detector.references_ = {k: Standardiser.from_dict(r) for k, r in state["references"].items()}
        return detector
