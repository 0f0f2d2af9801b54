"""Defaults of the anomaly task (`aejax.tasks.anomaly`) and of `aejax anomaly fit`; imports no jax.

`default_config(dataset)` is the base of every registered anomaly run (experiments/anomaly/);
`user_config(kind)` is the detector `aejax anomaly fit` trains on the user's own data.
"""
from ml_collections import ConfigDict

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
    """The detector of the SKAB run (experiments/anomaly/skab.py) in config `c`: a 1-D conv AE
    (32-16 channels, kernel 7, ReLU; 20 epochs of batch 64, Adam 1e-3), residuals standardised per
    channel, a step scored by the mean over the windows covering it of each window's mean error."""
    c.model.kind = "conv"
    c.model.channels = (32, 16)
    c.model.kernel_size = 7
    c.model.hidden_activation = "relu"
    c.train.epochs = 20
    c.train.batch_size = 64
    c.train.optimizer.learning_rate = 1e-3
    c.score.aggregate = "window_mean"
    c.score.standardise = True
    return c


def user_config(kind: str) -> ConfigDict:
    """The detector `aejax anomaly fit` trains on the user's data: kind "table" or "series".

    A placeholder until a cross-dataset selection chooses it: the registered runs' settings (tables:
    the ADBench runs' standard scaling, 5-member tanh MLP ensemble with an (8, 2) bottleneck, 10
    epochs; series: SKAB's 1-D conv AE on standardised residuals, window_mean scores). A label-free
    threshold: the 99th percentile of the training scores. `sizing` scales these to the data
    (aejax.anomaly.sizing): widths from the number of features, batch and epochs from the rows.
    """
    if kind not in ("table", "series"):
        raise ValueError(f"kind={kind!r} must be 'table' or 'series'")
    c = default_config("user")
    c.data_source = "user-supplied"
    c.protocol.seeds = (0,)
    c.preprocess.scaling = "standard"
    c.threshold.policy = "percentile"
    c.threshold.q = 99.0
    if kind == "table":
        c.model.hidden = (8, 2)
        c.model.ensemble = 5
        c.train.epochs = 10
    else:
        skab_conv_detector(c)
    # widths: "data" sizes the MLP from the number of features (sizing.mlp_widths), "config" keeps
    # model.hidden; at least min_steps optimizer steps (epochs scaled up to max_epochs), at least
    # min_batches batches per epoch; a series trains on at most max_train_windows windows
    c.sizing = ConfigDict(dict(widths="data", min_steps=1000, max_epochs=300, min_batches=8, min_rows=32,
                               max_train_windows=20000))
    return c
