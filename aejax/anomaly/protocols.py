"""Protocols (both are named in every report):

- one-class: train on normal data only (DAGMM: random 50 % train / 50 % test, training
  anomalies dropped);
- unsupervised: train on contaminated data (ADBench: 70 % / 30 % stratified split).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from sklearn import model_selection

from aejax.anomaly.labels import binary_labels

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
    labels = binary_labels(labels)
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction={train_fraction} must lie strictly between 0 and 1")
    order = np.random.default_rng(seed).permutation(len(labels))
    n_train = int(round(train_fraction * len(labels)))
    train, test = order[:n_train], order[n_train:]
    return ProtocolSplit(np.sort(train[labels[train] == 0]), np.sort(test), "one-class")


def unsupervised_split(labels, *, test_fraction: float = 0.3, seed: int = 0) -> ProtocolSplit:
    """ADBench protocol: stratified split; the training rows keep their anomalies."""
    labels = binary_labels(labels)
    train, test = model_selection.train_test_split(
        np.arange(len(labels)), test_size=test_fraction, stratify=labels, random_state=seed)
    return ProtocolSplit(np.sort(train), np.sort(test), "unsupervised")


def drop_training_anomalies(split: ProtocolSplit, labels) -> ProtocolSplit:
    """One-class variant of a split: the same test rows, training restricted to normal rows."""
    labels = binary_labels(labels)
    return ProtocolSplit(split.train[labels[split.train] == 0], split.test, "one-class")


def subsample(rows: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """At most `limit` of `rows` (0 = all), drawn without replacement with `seed`, sorted."""
    if limit and len(rows) > limit:
        return np.sort(np.random.default_rng(seed).choice(rows, limit, replace=False))
    return rows
