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

from aejax import tasks

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


def member_reference(train_member_scores) -> dict:
    """Per-member mean and std [K] of training scores [N_train, K], for `ensemble_scores`."""
    train = np.asarray(train_member_scores, np.float64)
    if train.ndim != 2:
        raise ValueError(f"train_member_scores must be [N_train, K], got shape {train.shape}")
    return {"mean": train.mean(axis=0).tolist(),
            "std": np.maximum(train.std(axis=0), np.finfo(np.float64).tiny).tolist()}


def ensemble_scores(member_scores, reference: dict | None = None) -> np.ndarray:
    """Score of an ensemble of K autoencoders: member_scores [N, K] -> [N], the mean over members.

    With `reference` (`member_reference` of the training scores), each member's scores are first
    standardised with the mean and std of its own training scores, so no member dominates by the
    scale of its errors.
    """
    scores = np.asarray(member_scores, np.float64)
    if scores.ndim != 2:
        raise ValueError(f"member_scores must be [N, K] (one column per ensemble member), got shape {scores.shape}")
    if reference is not None:
        mean, std = np.asarray(reference["mean"]), np.asarray(reference["std"])
        if mean.shape != (scores.shape[1],):
            raise ValueError(f"the reference has {mean.size} members, the scores {scores.shape[1]}")
        scores = (scores - mean) / std
    return scores.mean(axis=1)


def member_reconstructions(model, params, x, members: int, *, batch_size: int = 1024) -> np.ndarray:
    """Reconstructions [N, K, ...] of x [N, ...] by each of the K side-by-side models (params with
    a leading model axis)."""
    return reconstruct(model, params, np.repeat(x[:, None], members, axis=1), batch_size=batch_size,
                       num_models=members)


def member_scores(model, params, x, standardisers, *, batch_size: int = 1024, recon=None) -> np.ndarray:
    """Scores [N, K] of each of the K side-by-side models on x [N, ...], member m's residuals
    standardised by standardisers[m] (None: raw); `recon` = their reconstructions if already made."""
    if recon is None:
        recon = member_reconstructions(model, params, x, len(standardisers), batch_size=batch_size)
    return np.stack([reconstruction_scores(x, recon[:, m], st) for m, st in enumerate(standardisers)], axis=1)


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


def windows_to_series(window_scores, starts, size: int, length: int, *, reduce: str = "mean") -> np.ndarray:
    """Spreads one score per window [N] over the steps each window covers: [length].

    reduce="mean": mean of the covering windows' scores; reduce="min": their minimum, so a step
    exceeds a threshold only when every window covering it does (SKAB's Conv-AE rule). NaN where
    no window covers a step.
    """
    window_scores = np.asarray(window_scores, np.float64)
    starts = np.asarray(starts, np.int64)
    if reduce == "mean":
        return steps_to_series(np.repeat(window_scores[:, None], size, axis=1), starts, length)
    if reduce != "min":
        raise ValueError(f"reduce={reduce!r} must be 'mean' or 'min'")
    if len(starts) and (starts.min() < 0 or starts.max() + size > length):
        raise ValueError(f"windows of size {size} starting at {starts.min()}..{starts.max()} "
                         f"do not fit in a series of length {length}")
    out = np.full(length, np.inf)
    index = (starts[:, None] + np.arange(size)[None, :]).ravel()
    np.minimum.at(out, index, np.repeat(window_scores, size))
    return np.where(np.isinf(out), np.nan, out)


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


# ---------------------------------------------------------------------------------------------
# Runner: `task = "anomaly"` (experiments/anomaly/*.py)
# ---------------------------------------------------------------------------------------------
#
# Every run trains the autoencoder and the PCA / Isolation Forest baselines on the same rows,
# fits the same threshold policy to each method's scores, and reports per method
# `<method>_<metric>` (method: ae, pca, iforest; metric: auroc, auprc, precision, recall, f1).

import json  # noqa: E402
from pathlib import Path  # noqa: E402

METHODS = ("ae", "pca", "iforest")
# extra tabular method (baselines.pca_code_width): PCA with the AE's code width beside the main PCA
CODE_WIDTH_PCA = "pca_code"
# How per-step window errors become one score per series step (series runs, score.aggregate):
# step_mean: the error at that step, averaged over the windows covering it; window_mean / window_min:
# the mean / minimum over the covering windows of each window's mean error (window_min = SKAB's
# rule that a step is anomalous when all windows covering it are).
SERIES_AGGREGATES = ("step_mean", "window_mean", "window_min")
POLICY_PARAMS = {"percentile": ("q", "scale"), "mean_std": ("k",), "max_train": (),
                 "contamination": ("rate",), "best_f1": ()}
SCORER_FILE = "scorer.json"
MODEL_CHECKPOINTS = "model"
CURVES_FILE = "curves.npz"


def default_config(dataset: str):
    """Defaults for `task = "anomaly"` on `dataset`; experiment files override what their protocol needs."""
    from ml_collections import ConfigDict

    from aejax.config import base_config

    c = base_config()
    c.task = "anomaly"
    c.data.name = dataset
    c.data_source = "bundled"
    c.protocol = ConfigDict(dict(
        name="unsupervised",  # unsupervised | one-class (named in every report)
        seeds=(0, 1, 2),
        test_fraction=0.3,  # unsupervised split (ADBench: 30 % test, stratified)
        train_fraction=0.5,  # one-class split (DAGMM: 50 % train); series: leading fraction for training
        normal_only_training=False,  # the one-class variant of the unsupervised split
        validation_fraction=0.1,  # NSL-KDD: held-out training normals for the threshold
        max_train_rows=0,  # 0 = all; a cap keeps quick variants quick
        max_test_rows=0,
        train_points=0,  # series: leading training steps per series (SKAB: 400; 0 = use train_fraction)
        model_per_series=False,
        max_series=0,
    ))
    c.preprocess = ConfigDict(dict(scaling="minmax", log1p=()))
    c.windows = ConfigDict(dict(size=32, train_stride=1))
    # MLP kernels: LeCun-normal x 1 (Flax's Dense default; the engine's Glorot x 4 default suits
    # deep logistic stacks and saturates these small tanh networks)
    c.model = ConfigDict(dict(kind="mlp", hidden=(16, 4), hidden_activation="tanh", code_activation="linear",
                              output_activation="linear", tied=False, kernel_init="lecun_normal", init_scale=1.0,
                              channels=(32, 16), kernel_size=7,
                              ensemble=1))  # tabular runs: K > 1 autoencoders from different initialisations
    c.loss = "squared_error"
    # denoising: train on corrupted inputs (aejax.corruption: gaussian, masking, salt_and_pepper)
    c.corruption = ConfigDict(dict(name="none", level=0.0))
    # root (series runs): per-step score = the L2 norm of the residual (sqrt of the SSE), which
    # grows linearly with the error, so multiplicative thresholds (SKAB: 2.5 x 99th percentile of
    # mean absolute errors) keep their meaning
    # ensemble (model.ensemble > 1): "mean" of the members' raw scores or of their "standardised"
    # scores (each member's scores centred and scaled by its own training scores)
    c.score = ConfigDict(dict(standardise=False, root=False, aggregate="step_mean", ensemble="mean"))
    c.threshold = ConfigDict(dict(policy="percentile", fit_on="train", q=99.0, scale=1.0, k=3.0, rate=0.05))
    # PCA components: an int, a variance fraction, or 0 = the AE's code width (same bottleneck);
    # pca_code_width (tabular runs): also report PCA with the AE's code width as the extra method
    # "pca_code" when the main PCA uses another number of components;
    # per_series (series runs): one PCA / IForest per series instead of one on the pooled windows
    c.baselines = ConfigDict(dict(pca_components=0.0, pca_code_width=False, per_series=False))
    c.train.epochs = 30
    c.train.batch_size = 256
    c.train.optimizer.learning_rate = 3e-3
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.05
    c.train.log_every = 200
    c.train.checkpoint_every = 0
    c.eval.batch_size = 4096
    return c


def threshold_from_config(tcfg, scores, labels=None) -> Threshold:
    """Fits `tcfg.policy` with its parameters from the config (`q`, `scale`, `k`, `rate`)."""
    if tcfg.policy not in POLICY_PARAMS:
        raise ValueError(f"unknown threshold.policy {tcfg.policy!r}; known: {sorted(POLICY_PARAMS)}")
    params = {k: tcfg[k] for k in POLICY_PARAMS[tcfg.policy]}
    return fit_threshold(tcfg.policy, scores, labels if THRESHOLD_POLICIES[tcfg.policy].uses_labels else None,
                         **params)


# ----------------------------------------------------------------------------- models


def make_model(mcfg, example_shape: tuple[int, ...]):
    """The autoencoder of `mcfg` for examples of `example_shape` ([D] vectors or [T, C] windows)."""
    from aejax.models import autoencoder, conv

    if mcfg.kind == "mlp":
        sizes = (int(np.prod(example_shape)),) + tuple(mcfg.hidden)
        acts = autoencoder.default_activations(len(sizes) - 1, mcfg.hidden_activation, mcfg.code_activation)
        init = autoencoder.kernel_init(mcfg.get("kernel_init", "lecun_normal"), mcfg.get("init_scale", 1.0))
        return autoencoder.Autoencoder(sizes, acts, output=mcfg.output_activation, tied=bool(mcfg.tied),
                                       kernel_init=init)
    if mcfg.kind == "conv":
        if len(example_shape) != 2:
            raise ValueError(f"model.kind='conv' needs windows [T, C]; this data has examples of shape {example_shape}")
        return conv.ConvAutoencoder(features=example_shape[1], channels=tuple(mcfg.channels),
                                    kernel_size=mcfg.kernel_size, activation=mcfg.hidden_activation,
                                    output=mcfg.output_activation)
    raise ValueError(f"unknown model.kind {mcfg.kind!r}; choose 'mlp' or 'conv'")


def _per_model_loss(model, corrupt=None):
    """Mean over examples of 1/2 the sum of squared errors between the reconstruction of the
    (optionally corrupted: a denoising autoencoder) input and the clean input."""
    import jax.numpy as jnp

    def loss(params, x, rng):
        inputs = x if corrupt is None else corrupt(rng, x.reshape(x.shape[0], -1)).reshape(x.shape)
        recon = model.apply({"params": params}, inputs, method="reconstruct")
        return jnp.mean(0.5 * jnp.sum(jnp.square(recon - x).reshape(x.shape[0], -1), axis=1))

    return loss


def train_autoencoder(cfg, run, x_train, *, seed: int, tag: str, num_models: int = 0):
    """Fits the configured autoencoder (plain, tied with model.tied, denoising with
    corruption.name / corruption.level) to x_train [N, ...] and returns (model, params).

    With `num_models` = M > 0, x_train is [N, M, ...] and M independent models (one per
    recording, e.g. one per SKAB experiment) train side by side under `jax.vmap`; params get a
    leading model axis. Resumes from run.workdir/checkpoints/<tag> when present.
    """
    import jax
    import jax.numpy as jnp

    from aejax import corruption
    from aejax.train import loop, optim
    from aejax.train.state import TrainState
    from aejax.train.steps import make_train_step

    example_shape = tuple(x_train.shape[2:] if num_models else x_train.shape[1:])
    model = make_model(cfg.model, example_shape)
    dummy = jnp.zeros((1,) + example_shape, jnp.float32)
    if cfg.model.kind == "mlp":
        dummy = dummy.reshape(1, -1)
    init_rng, train_rng = jax.random.split(jax.random.PRNGKey(seed))
    init = lambda key: model.init(key, dummy)["params"]  # noqa: E731
    params = jax.jit(jax.vmap(init) if num_models else init)(
        jax.random.split(init_rng, num_models) if num_models else init_rng)
    per_model = _per_model_loss(model, corruption.make(cfg.corruption.name, cfg.corruption.level))
    if num_models:
        def loss_fn(p, xb, rng):
            rngs = jax.random.split(rng, num_models)
            return jnp.mean(jax.vmap(per_model, in_axes=(0, 1, 0))(p, xb, rngs)), {}
    else:
        def loss_fn(p, xb, rng):
            return per_model(p, xb, rng), {}
    x = jnp.asarray(x_train, jnp.float32)
    if cfg.model.kind == "mlp":
        x = x.reshape(x.shape[: 2 if num_models else 1] + (-1,))
    batch_size = min(cfg.train.batch_size, x.shape[0])
    total_steps = cfg.train.epochs * (x.shape[0] // batch_size)
    tx = optim.make_optimizer(cfg.train.optimizer, total_steps)
    # one compiled program instead of one small compile per optimizer-state leaf
    state = jax.jit(lambda p, key: TrainState.create(params=p, tx=tx, rng=key))(params, train_rng)
    state = loop.fit(state, make_train_step(loss_fn, grad_norm=cfg.train.log_grad_norm), x, epochs=cfg.train.epochs, batch_size=batch_size, run=run,
                     checkpoints=run.checkpoints(f"checkpoints/{tag}"), checkpoint_every=cfg.train.checkpoint_every,
                     log_every=cfg.train.log_every, desc=tag, phase=tag)
    return model, state.params


_APPLY_CACHE: dict = {}


def _jitted_reconstruct(model, num_models: int):
    """One jitted `(params, batch) -> reconstruction` per (model, num_models), reused across calls."""
    import jax

    key = (model, num_models)
    if key not in _APPLY_CACHE:
        def one(p, xb):
            return model.apply({"params": p}, xb, method="reconstruct")

        fn = jax.vmap(one, in_axes=(0, 1), out_axes=1) if num_models else one
        _APPLY_CACHE[key] = jax.jit(fn)
    return _APPLY_CACHE[key]


def reconstruct(model, params, x, *, batch_size: int = 1024, num_models: int = 0) -> np.ndarray:
    """Reconstructions of x [N, ...] (or [N, M, ...] for side-by-side models), same shape.

    Runs fixed-size batches (the last one zero-padded), so any N reuses one compiled program."""
    x = np.asarray(x, np.float32)
    shape = x.shape
    if hasattr(model, "sizes"):  # the MLP takes flat vectors
        x = x.reshape(shape[: 2 if num_models else 1] + (-1,))
    n = len(x)
    batch_size = min(batch_size, n)
    fn = _jitted_reconstruct(model, num_models)
    out = []
    for start in range(0, n, batch_size):
        chunk = x[start:start + batch_size]
        if len(chunk) < batch_size:
            chunk = np.concatenate([chunk, np.zeros((batch_size - len(chunk),) + chunk.shape[1:], chunk.dtype)])
        out.append(np.asarray(fn(params, chunk), np.float64)[: min(batch_size, n - start)])
    return np.concatenate(out).reshape(shape)


def take_model(params, m: int):
    """Parameters of model m from side-by-side (vmapped) parameters."""
    import jax

    return jax.tree_util.tree_map(lambda a: a[m], params)


# ----------------------------------------------------------------------------- reporting


def _curves_figure(path: Path, labels, scores_by_method: dict, title: str) -> None:
    from aejax import plots  # noqa: F401  (selects the Agg backend)
    import matplotlib.pyplot as plt

    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for method, scores in scores_by_method.items():
        fpr, tpr, _ = skm.roc_curve(labels, scores)
        precision, recall, _ = skm.precision_recall_curve(labels, scores)
        roc_ax.plot(fpr, tpr, label=f"{method} (AUROC {auroc(labels, scores):.3f})")
        pr_ax.plot(recall, precision, label=f"{method} (AUPRC {auprc(labels, scores):.3f})")
    roc_ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate", title=f"ROC: {title}")
    pr_ax.axhline(np.mean(labels), color="k", ls=":", lw=0.8)
    pr_ax.set(xlabel="recall", ylabel="precision", title=f"PR: {title}")
    for ax in (roc_ax, pr_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _save_curves(run, labels, scores_by_method: dict, title: str) -> list[str]:
    """curves.npz (labels + scores of every method, for anomaly/all) and roc_pr.png."""
    np.savez(run.workdir / CURVES_FILE, labels=np.asarray(labels), title=title,
             **{f"scores_{m}": np.asarray(s) for m, s in scores_by_method.items()})
    _curves_figure(run.workdir / "roc_pr.png", labels, scores_by_method, title)
    return ["roc_pr.png"]


def _aggregate(per_seed: list[dict]) -> dict:
    """Mean over seeds of every metric, plus `<name>_std` when there are several seeds."""
    out = {}
    for key in per_seed[0]:
        values = np.asarray([m[key] for m in per_seed], np.float64)
        out[key] = float(values.mean())
        if len(per_seed) > 1:
            out[f"{key}_std"] = float(values.std())
    return out


def _method_table(metrics: dict, *, suffix: str = "", extra: tuple[str, ...] = ()) -> str:
    cols = ("auroc", "auprc", "precision", "recall", "f1") + extra
    lines = ["| method | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    extra_methods = (CODE_WIDTH_PCA,) if f"{CODE_WIDTH_PCA}_auroc{suffix}" in metrics else ()
    for method in METHODS + extra_methods:
        cells = []
        for c in cols:
            v = metrics.get(f"{method}_{c}{suffix}")
            sd = metrics.get(f"{method}_{c}{suffix}_std")
            cells.append("—" if v is None else (f"{v:.4f} ± {sd:.4f}" if sd is not None else f"{v:.4f}"))
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _evaluate_methods(labels, test_scores: dict, thresholds: dict, *, suffix: str = "",
                      point_adjusted: bool = False) -> dict:
    out = {}
    for method, scores in test_scores.items():
        for k, v in evaluate(labels, scores, thresholds[method], point_adjusted=point_adjusted).items():
            out[f"{method}_{k}{suffix}"] = v
    return out


def _subsample(rows: np.ndarray, limit: int, seed: int) -> np.ndarray:
    if limit and len(rows) > limit:
        return np.sort(np.random.default_rng(seed).choice(rows, limit, replace=False))
    return rows


def _notes(cfg, protocol: str, threshold_note: str) -> list[str]:
    return [f"Protocol: {PROTOCOLS[protocol]}.",
            f"Threshold: policy {cfg.threshold.policy!r}"
            f"{' (uses labels)' if THRESHOLD_POLICIES[cfg.threshold.policy].uses_labels else ''}, {threshold_note}.",
            "Scores: sum of squared reconstruction errors"
            f"{', per-feature standardised with training residual statistics' if cfg.score.standardise else ''}; "
            f"PCA = reconstruction error of PCA ({_pca_note(cfg)}) fitted on the same training rows; "
            "IForest = scikit-learn defaults."]


def _pca_note(cfg) -> str:
    value = float(cfg.baselines.pca_components)
    if value == 0:
        main = "as many components as the AE's code width"
    elif value < 1:
        main = f"the fewest components explaining {value:.0%} of the training variance"
    else:
        main = f"{int(value)} components"
    if cfg.baselines.get("pca_code_width", False) and value != 0:
        main += f"; {CODE_WIDTH_PCA}: as many components as the AE's code width"
    return main


def save_scorer(run, model_cfg, params, preprocessor, threshold: Threshold,
                standardiser: ErrorStandardiser | None, ensemble: dict | None = None) -> None:
    """Saves the model (orbax, run.workdir/model) with the scaler and threshold beside it, so
    `aejax score` rebuilds exactly the decisions of this run. `ensemble` (from
    `ensemble_member_scores`) marks params with a leading member axis and keeps the members'
    standardisers and score reference."""
    from aejax import config as config_lib

    meta = {"model": config_lib.to_dict(model_cfg), "preprocessor": preprocessor.to_dict(),
            "threshold": threshold.to_dict(),
            "standardiser": standardiser.to_dict() if standardiser is not None else None}
    if ensemble is not None:
        meta["ensemble"] = {"members": ensemble["members"], "reference": ensemble["reference"],
                            "standardisers": [st.to_dict() if st is not None else None for st in ensemble["standardisers"]]}
    import shutil

    from aejax.ckpt import Checkpoints

    directory = run.workdir / MODEL_CHECKPOINTS
    shutil.rmtree(directory, ignore_errors=True)  # a resumed run re-saves its (identical) model
    checkpoints = Checkpoints(directory, max_to_keep=1)
    try:
        checkpoints.save(0, {"params": params}, meta)
    finally:
        checkpoints.close()
    (run.workdir / SCORER_FILE).write_text(json.dumps(meta, indent=1) + "\n")


# ----------------------------------------------------------------------------- tabular runs


def _fit_and_score_tabular(cfg, run, x_train, x_eval: dict, *, seed: int, tag: str):
    """Trains the AE and the baselines on x_train; returns (scores {method: {split: [N]}}, extras)."""
    from aejax.baselines import anomaly as baselines

    members = int(cfg.model.get("ensemble", 1))
    if members > 1:
        how = cfg.score.get("ensemble", "mean")
        if how not in ("mean", "standardised"):
            raise ValueError(f"score.ensemble={how!r} must be 'mean' or 'standardised'")
        model, params, ensemble, per_member = ensemble_member_scores(
            cfg, run, x_train, x_eval, seed=seed, tag=tag, members=members)
        if how == "standardised":
            ensemble["reference"] = member_reference(per_member["train"])
        scores = {"ae": {split: ensemble_scores(s, ensemble["reference"]) for split, s in per_member.items()}}
        standardiser = None
    else:
        ensemble = None
        model, params = train_autoencoder(cfg, run, x_train, seed=seed, tag=tag)
        recon_train = reconstruct(model, params, x_train, batch_size=cfg.eval.batch_size)
        standardiser = fit_error_standardiser(x_train, recon_train) if cfg.score.standardise else None
        scores = {"ae": {"train": reconstruction_scores(x_train, recon_train, standardiser)}}
        for split, x in x_eval.items():
            scores["ae"][split] = reconstruction_scores(
                x, reconstruct(model, params, x, batch_size=cfg.eval.batch_size), standardiser)
    fitted = {"pca": baselines.fit_pca(x_train, pca_components(cfg, x_train.shape[1])),
              "iforest": baselines.fit_iforest(x_train, seed=seed)}
    if cfg.baselines.get("pca_code_width", False) and float(cfg.baselines.pca_components) != 0:
        fitted[CODE_WIDTH_PCA] = baselines.fit_pca(x_train, code_width_components(cfg, x_train.shape[1]))
    for method, scorer in fitted.items():
        scores[method] = {split: scorer(x) for split, x in {"train": x_train, **x_eval}.items()}
    return scores, (model, params, standardiser, ensemble)


def ensemble_member_scores(cfg, run, x_train, x_eval: dict, *, seed: int, tag: str, members: int):
    """`members` autoencoders (different initialisations, side by side under vmap, same batches)
    fitted to x_train [N, D]. Returns (model, params, ensemble, scores): `ensemble` = {"members",
    "standardisers" (per member, with score.standardise), "reference": None} as `save_scorer` keeps
    it, scores = {split: [N_split, members]} of each member on "train" and each split of x_eval."""
    model, params = train_autoencoder(cfg, run, np.repeat(x_train[:, None], members, axis=1), seed=seed, tag=tag,
                                      num_models=members)
    recon_train = member_reconstructions(model, params, x_train, members, batch_size=cfg.eval.batch_size)
    standardisers = [fit_error_standardiser(x_train, recon_train[:, m]) if cfg.score.standardise else None
                     for m in range(members)]
    ensemble = {"members": members, "standardisers": standardisers, "reference": None}
    scores = {"train": member_scores(model, params, x_train, standardisers, recon=recon_train),
              **{split: member_scores(model, params, x, standardisers, batch_size=cfg.eval.batch_size)
                 for split, x in x_eval.items()}}
    return model, params, ensemble, scores


def code_width_components(cfg, num_features: int) -> int:
    """The MLP AE's code width (at most num_features - 1): PCA as the linear AE with the same bottleneck."""
    return int(min(cfg.model.hidden[-1], num_features - 1))


def pca_components(cfg, num_features: int) -> int | float:
    """`baselines.pca_components`: a count (>= 1), a variance fraction (< 1), or 0 for the MLP
    AE's code width, making PCA the linear autoencoder with the same bottleneck."""
    value = float(cfg.baselines.pca_components)
    if value == 0:
        return code_width_components(cfg, num_features)
    return int(value) if value >= 1 else value


def _thresholds(cfg, scores: dict, labels_by_split: dict) -> dict:
    fit_on = cfg.threshold.fit_on
    available = sorted(next(iter(scores.values())))
    if fit_on not in available:
        raise ValueError(f"threshold.fit_on={fit_on!r} is not a split of this run; choose one of {available}")
    return {m: threshold_from_config(cfg.threshold, s[fit_on], labels_by_split.get(fit_on)) for m, s in scores.items()}


def run_tabular(cfg, run) -> dict:
    """ADBench sets (unsupervised 70/30 or its one-class variant) and KDD Cup 99 (one-class 50 %)."""
    from aejax.data import anomaly as anomaly_data
    from aejax.data.anomaly.tables import TabularPreprocessor

    table = anomaly_data.load(cfg.data.name, data_dir=cfg.data.data_dir)
    per_seed, first = [], None
    for seed in cfg.protocol.seeds:
        if cfg.protocol.name == "unsupervised":
            split = unsupervised_split(table.labels, test_fraction=cfg.protocol.test_fraction, seed=seed)
        elif cfg.protocol.name == "one-class":
            split = one_class_split(table.labels, train_fraction=cfg.protocol.train_fraction, seed=seed)
        else:
            raise ValueError(f"protocol.name {cfg.protocol.name!r} must be 'unsupervised' or 'one-class' for "
                             f"dataset {cfg.data.name!r}")
        if cfg.protocol.normal_only_training:
            split = drop_training_anomalies(split, table.labels)
        train_rows = _subsample(split.train, cfg.protocol.max_train_rows, seed)
        test_rows = _subsample(split.test, cfg.protocol.max_test_rows, seed)
        if split.protocol == "one-class":
            assert table.labels[train_rows].sum() == 0
        train_table, test_table = table.take(train_rows), table.take(test_rows)
        pre = TabularPreprocessor.fit(train_table, scaling=cfg.preprocess.scaling, log1p=tuple(cfg.preprocess.log1p))
        x_train, x_test = pre.transform(train_table), pre.transform(test_table)
        scores, (model, params, standardiser, ensemble) = _fit_and_score_tabular(
            cfg, run, x_train, {"test": x_test}, seed=seed, tag=f"seed_{seed}")
        labels = {"train": train_table.labels, "test": test_table.labels}
        thresholds = _thresholds(cfg, scores, labels)
        per_seed.append(_evaluate_methods(test_table.labels, {m: s["test"] for m, s in scores.items()}, thresholds))
        run.log({"seed": seed, **per_seed[-1]})
        if first is None:
            first = (test_table.labels, {m: s["test"] for m, s in scores.items()})
            save_scorer(run, cfg.model, params, pre, thresholds["ae"], standardiser, ensemble)
            protocol, d = split.protocol, pre.num_features
    metrics = _aggregate(per_seed)
    figures = _save_curves(run, first[0], first[1], f"{cfg.data.name} (seed {cfg.protocol.seeds[0]})")
    n_train = len(train_rows)
    note = (f"fitted on the {cfg.threshold.fit_on} scores of each method"
            + (f", rate {cfg.threshold.rate}" if cfg.threshold.policy == "contamination" else ""))
    notes = _notes(cfg, protocol, note) + [
        f"{len(cfg.protocol.seeds)} seed(s) {tuple(cfg.protocol.seeds)}; mean ± std over seeds. "
        f"{d} input features; {n_train} training rows and {len(test_rows)} test rows per seed."]
    members = int(cfg.model.get("ensemble", 1))
    if members > 1:
        notes.append(f"AE score: mean of the {'raw' if cfg.score.ensemble == 'mean' else 'per-member standardised'} "
                     f"scores of an ensemble of {members} autoencoders (different initialisations, same batches); "
                     "`aejax score` restores and scores the whole ensemble.")
    return {"metrics": metrics, "figures": figures, "notes": notes,
            "tables": {"AE vs PCA vs IForest (test split)": _method_table(metrics)}}


def run_nsl_kdd(cfg, run) -> dict:
    """NSL-KDD: one-class on the normal rows of KDDTrain+_20Percent; test on KDDTest+ and KDDTest-21.

    A held-out `protocol.validation_fraction` of the training normals sets the threshold."""
    from aejax.data import anomaly as anomaly_data
    from aejax.data.anomaly.tables import TabularPreprocessor

    splits = anomaly_data.load("nsl_kdd", data_dir=cfg.data.data_dir)
    seed = cfg.protocol.seeds[0]
    normal_rows = np.flatnonzero(splits["train"].labels == 0)
    order = np.random.default_rng(seed).permutation(normal_rows)
    n_val = int(round(cfg.protocol.validation_fraction * len(order)))
    val_table, fit_table = splits["train"].take(np.sort(order[:n_val])), splits["train"].take(np.sort(order[n_val:]))
    fit_table = fit_table.take(_subsample(np.arange(len(fit_table)), cfg.protocol.max_train_rows, seed))
    pre = TabularPreprocessor.fit(fit_table, scaling=cfg.preprocess.scaling, log1p=tuple(cfg.preprocess.log1p))
    x_eval = {"validation": pre.transform(val_table), "test+": pre.transform(splits["test+"]),
              "test-21": pre.transform(splits["test-21"])}
    scores, (model, params, standardiser, ensemble) = _fit_and_score_tabular(
        cfg, run, pre.transform(fit_table), x_eval, seed=seed, tag=f"seed_{seed}")
    thresholds = _thresholds(cfg, scores, {})
    metrics = {}
    for split in ("test+", "test-21"):
        labels = splits[split].labels
        test_scores = {m: s[split] for m, s in scores.items()}
        metrics.update(_evaluate_methods(labels, test_scores, thresholds, suffix=f"_{split}"))
        for m, s in test_scores.items():
            metrics[f"{m}_accuracy_{split}"] = float(np.mean(decide(s, thresholds[m]) == labels))
    # the primary (unsuffixed) columns are those of KDDTest+
    metrics.update({k[: -len("_test+")]: v for k, v in list(metrics.items()) if k.endswith("_test+")})
    save_scorer(run, cfg.model, params, pre, thresholds["ae"], standardiser, ensemble)
    figures = _save_curves(run, splits["test+"].labels, {m: s["test+"] for m, s in scores.items()}, "NSL-KDD KDDTest+")
    notes = _notes(cfg, "one-class", f"fitted on the scores of {n_val} held-out training normals") + [
        f"Trained on {len(fit_table)} normal rows of KDDTrain+_20Percent; {pre.num_features} features "
        "(one-hot vocabularies from the training rows; unseen test categories encode as all-zero blocks).",
        "Unsuffixed metrics are KDDTest+; accuracy counts normal and attack decisions alike."]
    tables = {f"KDD{s.capitalize()}": _method_table(metrics, suffix=f"_{s}", extra=("accuracy",))
              for s in ("test+", "test-21")}
    return {"metrics": metrics, "figures": figures, "notes": notes, "tables": tables}


# ----------------------------------------------------------------------------- time series runs


def _standardise_series(values: np.ndarray, n_train: int) -> np.ndarray:
    """Standard scaling per channel with statistics of the first n_train steps only."""
    mean, std = values[:n_train].mean(axis=0), values[:n_train].std(axis=0)
    return (values - mean) / np.where(std > 0, std, 1.0)


def _pad_stack(arrays: list[np.ndarray]) -> np.ndarray:
    """[N_i, ...] arrays -> [max N_i, M, ...], zero-padded along the first axis."""
    n = max(len(a) for a in arrays)
    out = np.zeros((n, len(arrays)) + arrays[0].shape[1:], np.float32)
    for i, a in enumerate(arrays):
        out[: len(a), i] = a
    return out


def series_member_step_scores(cfg, run, windows, train_windows, n_train_windows, *, seed: int) -> list:
    """Per-step AE scores of every series: a list of [K, N_i, T] arrays, one row per ensemble member.

    windows: per series (windows [N_i, T, C], starts); train_windows / n_train_windows: each series'
    training windows and their count. With `protocol.model_per_series` one model per series (vmap);
    else `model.ensemble` = K models (seeds seed + 1000 m) on the pooled training windows, each
    member's residuals standardised with its own training statistics when `score.standardise`.
    """
    members = int(cfg.model.get("ensemble", 1))
    if cfg.protocol.model_per_series:
        if members > 1:
            raise ValueError(f"model.ensemble={members} needs protocol.model_per_series=False (one pooled model)")
        n_min = min(len(w) for w in train_windows)
        x_train = np.stack([w[:n_min] for w in train_windows], axis=1)
        model, params = train_autoencoder(cfg, run, x_train, seed=seed, tag="models", num_models=len(windows))
        recon = reconstruct(model, params, _pad_stack([w for w, _ in windows]), batch_size=cfg.eval.batch_size,
                            num_models=len(windows))
        recons_by_member = [[recon[: len(w), i] for i, (w, _) in enumerate(windows)]]
    else:
        recons_by_member = []
        for m in range(members):
            model, params = train_autoencoder(cfg, run, np.concatenate(train_windows), seed=seed + 1000 * m,
                                              tag="model" if m == 0 else f"model_{m}")
            recon = reconstruct(model, params, np.concatenate([w for w, _ in windows]),
                                batch_size=cfg.eval.batch_size)
            recons_by_member.append(np.split(recon, np.cumsum([len(w) for w, _ in windows])[:-1]))
    out = []
    for i, (w, _) in enumerate(windows):
        n_tw = n_train_windows[i]
        per_member = []
        for recons in recons_by_member:
            st = fit_error_standardiser(w[:n_tw], recons[i][:n_tw]) if cfg.score.standardise else None
            per_member.append(step_scores(w, recons[i], st))
        out.append(np.stack(per_member))
    return out


def run_series(cfg, run) -> dict:
    """Sliding-window runs on NAB streams and SKAB experiments.

    Each series is standard-scaled with statistics of its training part (the first
    `protocol.train_points` steps, or `protocol.train_fraction` of it). With
    `protocol.model_per_series` one model per series is trained (SKAB's protocol; all models in
    one vmapped program), else one model on the pooled training windows. Per-step scores are
    averaged over the windows covering each step; each series gets its own threshold from the
    scores of its training part, and the test steps of all series are evaluated together on
    scores divided by their series' threshold (so the decision is normalised score > 1).
    """
    from aejax.baselines.anomaly import fit_iforest, fit_pca_reconstruction
    from aejax.data import anomaly as anomaly_data
    from aejax.data.anomaly.series import sliding_windows

    series = anomaly_data.load(cfg.data.name, data_dir=cfg.data.data_dir)
    if cfg.protocol.max_series:
        series = series[: cfg.protocol.max_series]
    size, seed = cfg.windows.size, cfg.protocol.seeds[0]
    n_trains = [cfg.protocol.train_points or int(cfg.protocol.train_fraction * len(s)) for s in series]
    scaled = [_standardise_series(s.values, n) for s, n in zip(series, n_trains)]
    windows = [sliding_windows(z, size, 1) for z in scaled]  # (windows [N_i, size, C], starts)
    n_train_windows = [n - size + 1 for n in n_trains]
    train_windows = [w[: n : cfg.windows.train_stride] for (w, _), n in zip(windows, n_train_windows)]
    per_series = bool(cfg.protocol.model_per_series)
    members = int(cfg.model.get("ensemble", 1))
    member_steps = series_member_step_scores(cfg, run, windows, train_windows, n_train_windows, seed=seed)

    # per-window training rows of each baseline: the series' own (per_series) or all series pooled
    def flat(ws):
        return ws.reshape(len(ws), -1)

    baselines_per_series = bool(cfg.baselines.per_series)
    pooled = None if baselines_per_series else np.concatenate([flat(w) for w in train_windows])
    step_scores_by_method = {m: [] for m in METHODS}
    for i, (w, starts) in enumerate(windows):
        step_scores_by_method["ae"].append(member_steps[i].mean(axis=0))
        if cfg.score.root:
            step_scores_by_method["ae"][-1] = np.sqrt(step_scores_by_method["ae"][-1])
        fit_rows = flat(train_windows[i]) if baselines_per_series else pooled
        if baselines_per_series or i == 0:
            pca_recon = fit_pca_reconstruction(fit_rows, pca_components(cfg, fit_rows.shape[1]))
            forest = fit_iforest(fit_rows, seed=seed)
        pca_steps = step_scores(w, pca_recon(flat(w)).reshape(w.shape))
        step_scores_by_method["pca"].append(np.sqrt(pca_steps) if cfg.score.root else pca_steps)
        step_scores_by_method["iforest"].append(np.repeat(forest(flat(w))[:, None] / size, size, axis=1))

    aggregate = cfg.score.aggregate
    if aggregate not in SERIES_AGGREGATES:
        raise ValueError(f"score.aggregate={aggregate!r} must be one of {SERIES_AGGREGATES}")

    def to_series(per_step, starts, length):
        if aggregate == "step_mean":
            return steps_to_series(per_step, starts, length)
        return windows_to_series(per_step.mean(axis=1), starts, size, length, reduce=aggregate.split("_")[1])

    normalised = {m: [] for m in METHODS}
    thresholds = {m: [] for m in METHODS}
    labels = []
    for i, s in enumerate(series):
        starts, n_train, n_tw = windows[i][1], n_trains[i], n_train_windows[i]
        labels.append(s.labels[n_train:])
        for m in METHODS:
            per_step = step_scores_by_method[m][i]
            train_scores = to_series(per_step[:n_tw], starts[:n_tw], n_train)
            t = threshold_from_config(cfg.threshold, train_scores)
            full = to_series(per_step, starts, len(s))
            thresholds[m].append(t.value)
            normalised[m].append(full[n_train:] / max(t.value, np.finfo(float).tiny))
    labels = np.concatenate(labels)
    unit = Threshold(1.0, cfg.threshold.policy, THRESHOLD_POLICIES[cfg.threshold.policy].uses_labels)
    test_scores = {m: np.concatenate(v) for m, v in normalised.items()}
    metrics = _evaluate_methods(labels, test_scores, {m: unit for m in METHODS}, point_adjusted=True)
    for m in METHODS:
        decisions = decide(test_scores[m], unit)
        metrics[f"{m}_far"] = float(np.mean(decisions[labels == 0]))  # false alarm rate
        metrics[f"{m}_mar"] = float(np.mean(1 - decisions[labels == 1]))  # missed alarm rate
        metrics.pop(f"{m}_threshold")
    figures = _save_curves(run, labels, test_scores, f"{cfg.data.name} (test steps, scores / series threshold)")
    protocol = cfg.protocol.name
    notes = _notes(cfg, protocol, "fitted per series on the scores of its training steps; AUROC/AUPRC use "
                   "scores divided by their series' threshold") + [
        f"{len(series)} series; windows of {size} steps (training stride {cfg.windows.train_stride}, scoring "
        f"stride 1); AE: {'one model per series' if per_series else 'one model on the pooled training windows' if members == 1 else f'mean per-step score of {members} models (different initialisations) on the pooled training windows'}; "
        f"PCA and IForest: {'per series' if baselines_per_series else 'fitted on the pooled training windows'}; "
        f"{int(sum(n_trains))} training steps and {len(labels)} test steps in all.",
        "far = false alarm rate, mar = missed alarm rate; f1_point_adjusted is an extra, inflated metric "
        "(a hit anywhere in a labelled segment counts the whole segment)."]
    return {"metrics": metrics, "figures": figures, "notes": notes,
            "tables": {"AE vs PCA vs IForest (test steps)": _method_table(
                metrics, extra=("far", "mar", "f1_point_adjusted"))}}


# ----------------------------------------------------------------------------- trajectories


def run_trajectories(cfg, run) -> dict:
    """VMT: every track resampled to `windows.size` points, coordinates min-max scaled over the
    whole set, models fitted on all 1,500 tracks (unsupervised, as in Ma et al. 2018) and
    scored on the same tracks."""
    from aejax.baselines import anomaly as baselines
    from aejax.data import anomaly as anomaly_data
    from aejax.data.anomaly.trajectories import resampled_array

    data = anomaly_data.load("vmt", data_dir=cfg.data.data_dir)
    tracks = resampled_array(data, cfg.windows.size)
    low, high = tracks.reshape(-1, 2).min(axis=0), tracks.reshape(-1, 2).max(axis=0)
    x = ((tracks - low) / (high - low)).reshape(len(tracks), -1).astype(np.float32)
    per_seed, first = [], None
    for seed in cfg.protocol.seeds:
        model, params = train_autoencoder(cfg, run, x, seed=seed, tag=f"seed_{seed}")
        recon = reconstruct(model, params, x, batch_size=cfg.eval.batch_size)
        st = fit_error_standardiser(x, recon) if cfg.score.standardise else None
        scores = {"ae": reconstruction_scores(x, recon, st),
                  "pca": baselines.fit_pca(x, pca_components(cfg, x.shape[1]))(x),
                  "iforest": baselines.fit_iforest(x, seed=seed)(x)}
        thresholds = {m: threshold_from_config(cfg.threshold, s) for m, s in scores.items()}
        per_seed.append(_evaluate_methods(data.labels, scores, thresholds))
        first = first or scores
    metrics = _aggregate(per_seed)
    figures = _save_curves(run, data.labels, first, f"VMT ({cfg.windows.size} points per track)")
    notes = _notes(cfg, "unsupervised", "fitted on the scores of all tracks") + [
        f"{len(data)} tracks, {int(data.labels.sum())} anomalies; {len(cfg.protocol.seeds)} seed(s); "
        "no published AE AUROC on VMT is known (Ma et al. 2018 print theirs at run time only)."]
    return {"metrics": metrics, "figures": figures, "notes": notes,
            "tables": {"AE vs PCA vs IForest (all tracks)": _method_table(metrics)}}


RUNNERS_BY_KIND = {"tabular": run_tabular, "tabular-splits": run_nsl_kdd, "series": run_series,
                   "trajectories": run_trajectories}


@tasks.register("anomaly")
def run_anomaly(cfg, run) -> dict:
    """Dispatches on the kind of `cfg.data.name` (tabular, NSL-KDD splits, series, trajectories)."""
    from aejax.data.anomaly import DATASETS

    if cfg.data.name not in DATASETS:
        raise ValueError(f"data.name {cfg.data.name!r} is not an anomaly dataset; known: {sorted(DATASETS)}")
    return RUNNERS_BY_KIND[DATASETS[cfg.data.name].kind](cfg, run)


# ----------------------------------------------------------------------------- anomaly/all


def _curves_grid(path: Path, curves: dict, kind: str) -> None:
    """One panel per run: ROC (kind="roc") or precision-recall (kind="pr") curves of every method."""
    from aejax import plots  # noqa: F401  (selects the Agg backend)
    import matplotlib.pyplot as plt

    names = list(curves)
    cols = min(4, len(names))
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.2 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names):
        labels, by_method = curves[name]
        for method, scores in by_method.items():
            if kind == "roc":
                fpr, tpr, _ = skm.roc_curve(labels, scores)
                ax.plot(fpr, tpr, label=f"{method} {auroc(labels, scores):.3f}")
            else:
                precision, recall, _ = skm.precision_recall_curve(labels, scores)
                ax.plot(recall, precision, label=f"{method} {auprc(labels, scores):.3f}")
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7, title="AUROC" if kind == "roc" else "AUPRC", title_fontsize=7)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(names):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.4f}"


def summary_rows(results: list[dict]) -> list[dict]:
    """One row per anomaly run: protocol, AE / PCA / IForest AUROC, AUPRC and F1, anchors."""
    rows = []
    for res in results:
        m, cfg = res["metrics"], res["config"]
        anchors = "; ".join(f"{k} {v['value']:g}" for k, v in res.get("reference", {}).items())
        row = {"run": res["experiment"], "protocol": cfg["protocol"]["name"], "threshold": cfg["threshold"]["policy"]}
        for metric in ("auroc", "auprc", "f1"):
            for method in METHODS:
                row[f"{method}_{metric}"] = m.get(f"{method}_{metric}")
        row[f"{CODE_WIDTH_PCA}_auroc"] = m.get(f"{CODE_WIDTH_PCA}_auroc")
        row["published"] = anchors or "none known"
        rows.append(row)
    return rows


def anchor_sources(results: list[dict]) -> str:
    """Markdown list: the source of every published number in the summary, per run."""
    lines = []
    for res in results:
        for k, v in res.get("reference", {}).items():
            lines.append(f"- {res['experiment']} {k} {v['value']:g}: {v['source']}")
    return "\n".join(lines)


def summary_markdown(rows: list[dict]) -> str:
    cols = [f"{method}_{metric}" for metric in ("auroc", "auprc", "f1") for method in METHODS]
    cols.insert(len(METHODS), f"{CODE_WIDTH_PCA}_auroc")
    head = "| run | protocol | threshold | " + " | ".join(c.replace("_", " ") for c in cols) + " | published anchors |"
    lines = [head, "|---|---|---|" + "---:|" * len(cols) + "---|"]
    for r in rows:
        lines.append(f"| {r['run']} | {r['protocol']} | {r['threshold']} | "
                     + " | ".join(_fmt(r[c]) for c in cols) + f" | {r['published']} |")
    return "\n".join(lines)


@tasks.register("anomaly_all")
def run_all(cfg, run) -> dict:
    """Runs every anomaly experiment of `cfg.runs` into a subfolder and writes one summary table
    (summary.md, summary.csv) and ROC / PR figures of all runs."""
    import csv

    from aejax import cli

    results, curves = [], {}
    for name in cfg.runs:
        sub = run.workdir / name.replace("/", "__")
        run.print(f"--- {name} -> {sub}")
        res = cli.run_experiment(name, sub, quick=cfg.quick_runs, quiet=run.quiet)
        results.append(res)
        with np.load(sub / CURVES_FILE) as z:
            curves[name] = (z["labels"], {m: z[f"scores_{m}"] for m in METHODS})
        run.log({"run": name, "seconds": res["timing"]["seconds"], **res["metrics"]})
    rows = summary_rows(results)
    table = summary_markdown(rows) + "\n\nPublished numbers:\n\n" + anchor_sources(results)
    (run.workdir / "summary.md").write_text(table + "\n")
    with open(run.workdir / "summary.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    _curves_grid(run.workdir / "roc_all.png", curves, "roc")
    _curves_grid(run.workdir / "pr_all.png", curves, "pr")
    metrics = {}
    for res in results:
        short = res["experiment"].split("/", 1)[1]
        for key, value in res["metrics"].items():
            if not key.endswith("_std"):
                metrics[f"{short}/{key}"] = value
    adbench = [r for r in rows if r["run"].split("/")[1] in cfg.adbench_runs]
    if adbench:
        metrics["adbench_sets"] = len(adbench)
        metrics["adbench_ae_at_least_pca_auroc"] = sum(r["ae_auroc"] >= r["pca_auroc"] for r in adbench)
        with_code = [r for r in adbench if r[f"{CODE_WIDTH_PCA}_auroc"] is not None]
        if with_code:
            metrics["adbench_ae_at_least_pca_code_auroc"] = sum(
                r["ae_auroc"] >= r[f"{CODE_WIDTH_PCA}_auroc"] for r in with_code)
        published = {res["experiment"]: res["reference"]["ae_auroc"]["value"] for res in results
                     if "ae_auroc" in res.get("reference", {})}
        metrics["adbench_ae_at_least_published_pca_auroc"] = sum(
            r["ae_auroc"] >= published[r["run"]] for r in adbench if r["run"] in published)
        metrics["adbench_ae_beats_iforest_auroc"] = sum(r["ae_auroc"] > r["iforest_auroc"] for r in adbench)
    seconds = {res["experiment"]: round(res["timing"]["seconds"], 1) for res in results}
    notes = ["Each run's own report.md (in its subfolder) names its protocol, threshold policy and seeds.",
             f"Wall time per run (s): {seconds}."]
    return {"metrics": metrics, "figures": ["roc_all.png", "pr_all.png"], "notes": notes,
            "tables": {"Summary (AE / PCA / IForest; f1 at each run's threshold policy)": table}}
