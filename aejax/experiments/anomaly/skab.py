"""SKAB: three 1-D convolutional autoencoders per experiment on 60-step windows of 8 sensors.

Run:      aejax run anomaly/skab        (quick: aejax run anomaly/skab --quick)
Paper:    Katser & Kozitsin (2020), SKAB (waico/SKAB proposed leaderboard, outlier task over all
          34 files): Conv-AE F1 0.78 (FAR 13.55 %, MAR 28.02 %), T2+Q (PCA) 0.76, LSTM-AE 0.74,
          feed-forward AE 0.39, Isolation Forest 0.29.
Protocol: per file, the first 400 steps train (assumed fault-free: one-class) and fit the
          StandardScaler, the rest is test; predictions of all files concatenated. Conv-AEs per
          file, as in SKAB's notebooks (protocol.model_per_series), 3 of them from different
          initialisations trained 40 epochs, their step scores averaged (model.ensemble = 3); PCA
          (T2+Q-like) and IForest are fitted per file too. Threshold: SKAB's fixed rule, 2.5 x the
          99th percentile of each file's training scores (no labels). The score aggregation
          (window_mean), residual standardisation, per-file models, members and epochs were chosen
          by two-fold selection over file groups, valve1+valve2 (20 files) and other (14 files),
          never on the files scored with the choice (results/LOG.md); the folds are reported too.
Expected: target AE F1 >= 0.80 (the issue), SKAB's Conv-AE 0.78: about 0.81, each fold about 0.80
          or above; PCA about 0.69, IForest 0. About 5 minutes on a 2-core CPU.
"""
from aejax.config import reference
from aejax.anomaly.settings import skab_conv_detector
from aejax.registry import sibling

_common = sibling(__file__, "_common")

LEADERBOARD = "SKAB README leaderboard (outlier detection, all files)"


def get_config(arg=None):
    c = _common.anomaly_config("skab")
    c.paper = "Katser & Kozitsin (2020), Skoltech Anomaly Benchmark (SKAB), Kaggle DOI 10.34740/KAGGLE/DSV/1693952"
    c.reference.ae_f1 = reference(0.78, 0.0, f"{LEADERBOARD}: Conv-AE", "F1", higher_is_better=True)
    c.reference.ae_far = reference(0.1355, 0.05, f"{LEADERBOARD}: Conv-AE", "false alarm rate")
    c.reference.ae_mar = reference(0.2802, 0.05, f"{LEADERBOARD}: Conv-AE", "missed alarm rate")
    c.reference.pca_f1 = reference(0.76, 0.05, f"{LEADERBOARD}: T2+Q (PCA)", "F1", higher_is_better=True)
    c.reference.iforest_f1 = reference(0.29, 0.05, f"{LEADERBOARD}: Isolation Forest", "F1", higher_is_better=True)
    c.protocol.name = "one-class"
    c.protocol.seeds = (0,)
    c.protocol.train_points = 400
    # Conv-AEs per file (SKAB's own baseline): chosen over one pooled model by the two folds (see the
    # docstring)
    c.protocol.model_per_series = True
    # the two folds of the selection over file groups (reported on their own as well)
    c.protocol.folds = (("valve1", "valve2"), ("other",))
    c.baselines.per_series = True
    c.windows.size = 60
    # the series default (aejax.anomaly.settings.skab_conv_detector), whose members, epochs and scoring
    # rule these two folds chose (see the docstring)
    skab_conv_detector(c)
    c.threshold.policy = "percentile"
    c.threshold.q = 99.0
    c.threshold.scale = 2.5
    c.baselines.pca_components = 0.9
    if arg == "quick":
        c.protocol.max_series = 2
        c.train.epochs = 3
    return c
