"""Defaults of the anomaly task (`aejax.anomaly.tasks`) and of `aejax anomaly fit`; imports no jax.

`default_config(dataset)` is the base of every registered anomaly run (aejax/experiments/anomaly/);
`user_config(kind)` is the detector `aejax anomaly fit` trains on the user's own data.
"""
from ml_collections import ConfigDict

from aejax.anomaly.scores import check_norm
from aejax.config import base_config


def default_config(dataset: str) -> ConfigDict:
    """Defaults for `task = "anomaly"` on `dataset`; experiment files override what their protocol needs."""
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
        folds=(),  # series: groups of series evaluated also on their own, e.g. (("valve1", "valve2"), ("other",))
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
    # ensemble (model.ensemble > 1): "mean" of the members' raw scores or of their "standardised"
    # scores (each member's scores centred and scaled by its own training scores)
    # whiten (with standardise): residuals whitened by their training covariance instead of divided
    # by each feature's spread: the score is their Mahalanobis distance
    # norm: a score sums the (standardised) residuals' "squared" or "absolute" values
    c.score = ConfigDict(dict(standardise=False, whiten=False, norm="squared", aggregate="step_mean", ensemble="mean"))
    c.threshold = ConfigDict(dict(policy="percentile", fit_on="train", q=99.0, scale=1.0, k=3.0, rate=0.05))
    # PCA components: an int, a variance fraction, or 0 = the AE's code width (same bottleneck);
    # pca_code_width (tabular runs): also report PCA with the AE's code width as the extra method
    # "pca_code" when the main PCA uses another number of components;
    # pca_pyod (tabular runs): also report PCA scored as PyOD (and so ADBench) scores it, "pca_pyod";
    # per_series (series runs): one PCA / IForest per series instead of one on the pooled windows
    c.baselines = ConfigDict(dict(pca_components=0.0, pca_code_width=False, pca_pyod=False, per_series=False))
    c.train.epochs = 30
    c.train.batch_size = 256
    c.train.optimizer.learning_rate = 3e-3
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.05
    c.train.log_every = 200
    c.train.checkpoint_every = 0
    c.eval.batch_size = 4096
    return c


def skab_conv_detector(c: ConfigDict) -> ConfigDict:
    """The detector of the SKAB run (aejax/experiments/anomaly/skab.py) in config `c`: 3 1-D conv AEs
    (32-16 channels, kernel 7, ReLU; 40 epochs of batch 64, Adam 1e-3) from different
    initialisations, residuals standardised per channel, a step scored by the mean over the windows
    covering it of each window's mean error, averaged over the 3 members. The 3 members and the 40
    epochs are the choice of SKAB's two file-group folds and NAB's development streams
    (aejax/experiments/anomaly/skab.py, nab-other.py)."""
    c.model.kind = "conv"
    c.model.ensemble = 3
    c.model.channels = (32, 16)
    c.model.kernel_size = 7
    c.model.hidden_activation = "relu"
    c.train.epochs = 40
    c.train.batch_size = 64
    c.train.optimizer.learning_rate = 1e-3
    c.score.aggregate = "window_mean"
    c.score.standardise = True
    return c


# The candidate detectors of the cross-dataset selection (aejax.anomaly.run_adbench, `aejax run
# anomaly/adbench:select`, which trains the benchmark.trainings named there): every combination of these settings of the table detector, each a rule
# that reads the data's shape. TRAINING_KEYS decide the training; the others only how its errors
# are scored, so candidates differing only in those share one trained detector.
TABLE_GRID = dict(
    scaling=("minmax", "standard"),  # preprocess.scaling of the numeric columns
    code=("tenth", "sqrt"),  # sizing.code: code width round(D / 10) or round(sqrt(D)) (aejax.anomaly.sizing)
    # sizing.budget: at least sizing.min_steps (`steps`) optimizer steps, by raising the epochs at batch
    # 256 ("epochs") or by keeping 10 epochs and shrinking the batch ("batch")
    budget=("batch", "epochs"),
    steps=(250, 1000),
    # corruption: Gaussian noise of this standard deviation (in scaled units) on the training inputs,
    # clean targets (a denoising AE); 0 trains a plain AE
    noise=(0.0, 0.2),
    # score.standardise / score.whiten: residuals raw, divided by each feature's training spread, or
    # whitened by their training covariance (Mahalanobis distance)
    residuals=("raw", "standardised", "whitened"),
    # score.norm: a row's score sums its residuals' squares or absolute values
    norm=("squared", "absolute"),
    # combine.partner: the autoencoder alone ("none"), or its score combined with that of Isolation
    # Forest, k-nearest-neighbour distance or PCA as PyOD scores it (aejax.anomaly.combined), each
    # standardised by its training median and IQR, weighted combine.weight : 1 - combine.weight
    partner=("none", "iforest", "knn", "pca"),
    weight=(0.25, 0.5, 0.75),
)
TRAINING_KEYS = ("scaling", "code", "budget", "steps", "noise")
# the setting chosen by that selection (aejax run anomaly/adbench:select, seed 0: the best average rank
# against PyOD's six baselines over the 31 ADBench sets and ADBench's four synthetic types, among the
# candidates that reach AUROC 0.9 on the correlated-sensor case; the outcome is in results/anomaly/,
# results/LOG.md and CHANGELOG.md, "Anomaly defaults")
TABLE_DEFAULT = dict(scaling="minmax", code="tenth", budget="batch", steps=250, noise=0.2, residuals="whitened",
                     norm="absolute", partner="knn", weight=0.5)
# the autoencoder alone: the same selection among the candidates without a partner
TABLE_AUTOENCODER = dict(TABLE_DEFAULT, partner="none")
RESIDUALS = {"raw": (False, False), "standardised": (True, False), "whitened": (True, True)}
PARTNERS = ("none", "iforest", "knn", "pca")
# `aejax anomaly fit --detector NAME`: the table detectors by name
DETECTORS = {
    "default": "the shipped default, chosen by 5-fold cross-validation over ADBench's 31 sets and four anomaly "
               "types on seed 0 (CHANGELOG.md, Anomaly defaults)",
    "autoencoder": "the autoencoder alone: the best candidate of the same selection without a partner detector",
    "iforest": "Isolation Forest (scikit-learn's defaults)",
    "knn": "distance to the 5th nearest training row (PyOD KNN's defaults)",
    "pca": "PCA as PyOD scores it (every component, weighted by its inverse explained variance)",
}


def training_name(setting: dict) -> str:
    """The training keys of a setting as one short name, e.g. "minmax-tenth-batch-250steps-noise0.2"."""
    noise = f"noise{setting['noise']:g}" if setting["noise"] else "plain"
    return "-".join([setting["scaling"], setting["code"], setting["budget"], f"{setting['steps']}steps", noise])


def candidate_name(setting: dict) -> str:
    """A setting of TABLE_GRID's keys as one short name, e.g.
    "minmax-tenth-batch-250steps-noise0.2-standardised-absolute" (+ "+knn0.5" with a partner)."""
    name = "-".join([training_name(setting), setting["residuals"], setting["norm"]])
    partner = setting.get("partner", "none")
    return name if partner == "none" else f"{name}+{partner}{setting.get('weight', 0.5):g}"


def table_candidate(c: ConfigDict, setting: dict) -> ConfigDict:
    """Config `c` (a user_config("table")) with one setting of TABLE_GRID's keys applied."""
    unknown = sorted(set(setting) - set(TABLE_GRID))
    if unknown:
        raise ValueError(f"unknown table detector settings {unknown}; known: {sorted(TABLE_GRID)}")
    c.preprocess.scaling = setting["scaling"]
    c.sizing.code = setting["code"]
    if setting["residuals"] not in RESIDUALS:
        raise ValueError(f"residuals={setting['residuals']!r} must be one of {sorted(RESIDUALS)}")
    c.score.standardise, c.score.whiten = RESIDUALS[setting["residuals"]]
    c.sizing.budget = setting["budget"]
    if int(setting["steps"]) < 1:
        raise ValueError(f"steps={setting['steps']!r}: the fewest optimizer steps must be positive")
    if float(setting["noise"]) < 0:
        raise ValueError(f"noise={setting['noise']!r}: the training noise's standard deviation must be non-negative")
    c.sizing.min_steps = int(setting["steps"])
    c.corruption.name, c.corruption.level = ("gaussian", float(setting["noise"])) if setting["noise"] else ("none", 0.0)
    c.score.norm = check_norm(setting["norm"])
    partner, weight = setting.get("partner", "none"), float(setting.get("weight", 0.5))
    if partner not in PARTNERS:
        raise ValueError(f"partner={partner!r} must be one of {PARTNERS}")
    if not 0.0 < weight <= 1.0:
        raise ValueError(f"weight={weight!r}: the autoencoder's weight must lie in (0, 1]")
    c.combine = ConfigDict(dict(partner=partner, weight=weight))
    return c


def user_config(kind: str, detector: str = "default") -> ConfigDict:
    """The detector `aejax anomaly fit` trains on the user's data: kind "table" or "series".

    Tables: `detector` names one of DETECTORS. "default" and "autoencoder" are a 5-member ensemble
    of tanh MLP autoencoders (mean of their errors), sized to the data by `aejax.anomaly.sizing`:
    widths from the number of features, batch and epochs from the rows (at least
    `sizing.min_steps` optimizer steps); their scaling, code width rule, step budget, training
    noise, residual scoring and partner detector are TABLE_DEFAULT / TABLE_AUTOENCODER (see there
    and CHANGELOG.md, "Anomaly defaults", for how each was chosen); a min-max range is that of the
    values within 3 ranges of the 1st and 99th percentiles ("robust" scaling: the same as min-max
    without such extremes). "iforest", "knn" and "pca" are those detectors alone. Series: SKAB's
    three 1-D conv AEs on standardised residuals, window_mean scores. A label-free threshold: the
    99th percentile of the training scores.
    """
    if kind not in ("table", "series"):
        raise ValueError(f"kind={kind!r} must be 'table' or 'series'")
    if detector not in DETECTORS:
        raise ValueError(f"unknown detector {detector!r}; choose one of {', '.join(DETECTORS)}")
    if kind == "series" and detector != "default":
        raise ValueError(f"--detector {detector}: series use the series detector (only 'default')")
    c = default_config("user")
    c.data_source = "user-supplied"
    c.detector = detector
    c.protocol.seeds = (0,)
    c.preprocess.scaling = "standard"
    c.threshold.policy = "percentile"
    c.threshold.q = 99.0
    # widths: "data" sizes the MLP from the number of features (sizing.mlp_widths, code width rule
    # `code`), "config" keeps model.hidden; at least min_steps optimizer steps by `budget` (epochs
    # scaled up to max_epochs, or the batch shrunk), at least min_batches batches per epoch; a
    # series trains on at most max_train_windows windows
    # a table trains on at most max_train_rows rows, drawn uniformly (aejax.anomaly.fit_file)
    c.sizing = ConfigDict(dict(widths="data", code="tenth", budget="epochs", min_steps=1000, max_epochs=300,
                               min_batches=8, min_rows=32, max_train_windows=20000, max_train_rows=100_000))
    c.combine = ConfigDict(dict(partner="none", weight=1.0))
    if kind == "table":
        c.model.hidden = (8, 2)
        c.model.ensemble = 5
        c.train.epochs = 10
        table_candidate(c, TABLE_AUTOENCODER if detector == "autoencoder" else TABLE_DEFAULT)
        if c.preprocess.scaling == "minmax":
            # min-max over the values within 3 ranges of the 1st and 99th percentiles, so that one
            # extreme training value does not flatten a column (aejax.anomaly.tables)
            c.preprocess.scaling = "robust"
    else:
        skab_conv_detector(c)
    return c
