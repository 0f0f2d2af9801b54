"""SKAB: a 1-D convolutional autoencoder per experiment on 60-step windows of 8 sensors.

Run:      aejax run anomaly/skab        (quick: aejax run anomaly/skab --quick)
Paper:    Katser & Kozitsin (2020), SKAB (waico/SKAB proposed leaderboard, outlier task over all
          34 files): Conv-AE F1 0.78 (FAR 13.55 %, MAR 28.02 %), T2+Q (PCA) 0.76, LSTM-AE 0.74,
          feed-forward AE 0.39, Isolation Forest 0.29.
Protocol: per file, the first 400 steps train (assumed fault-free: one-class) and fit the
          StandardScaler, the rest is test; threshold = 2.5 x the 99th percentile of the training
          scores; predictions of all files concatenated. Unlike SKAB's notebooks (one model per
          file) one Conv-AE is trained on the pooled training windows of all files (per-file models
          side by side under vmap are available with protocol.model_per_series=True, but vmapped
          convolutions are slow on CPU: 91 s per epoch for the 34 models at load average 13-16 on
          2 cores, about 30 min for 20 epochs, not yet measured to the end); PCA (T2+Q-like) and
          IForest are fitted per file.
          Threshold: SKAB's fixed rule, 2.5 x the 99th percentile of each file's training scores
          (no labels). Score aggregation and residual standardisation were chosen by two-fold
          selection over file groups, never on the files scored with the choice: the 12 rules
          {step_mean, window_mean, window_min} x {standardised or not} x {SSE or its root} were
          ranked by F1 on valve1+valve2 (20 files) and, separately, on other (14 files). Both folds
          pick window_mean + standardised residuals + SSE (valves 0.797, other 0.750), so the
          cross-fitted F1 over all files is this run's F1. SKAB's own rule (window_min, raw, root)
          gives 0.526 with this pooled model (FAR 0.021, MAR 0.637).
          An ensemble of pooled Conv-AEs (model.ensemble = K, mean per-step score) was checked with
          the same two folds and lost on both: valves 0.724 / 0.748 and other 0.740 / 0.745 for
          K = 2 / 3 against 0.797 / 0.750 for one model, so one model is kept.
Expected: target AE F1 >= 0.78; measured 0.777 (FAR 0.217, MAR 0.245, AUROC 0.837; one seed,
          ~120 s): just missed (one pooled model instead of SKAB's 34 per-file models). Reproduced
          after the move to aejax.anomaly (491 s at load 17-19): F1 0.7774, point-adjusted 0.904,
          random scores' point-adjusted F1 at the same flag rate 0.821; folds: valve1+valve2 F1
          0.797, other 0.750.
"""
from aejax.config import reference
from aejax.configs.anomaly import skab_conv_detector
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
    c.protocol.model_per_series = False
    # the two folds of the selection over file groups (reported on their own as well)
    c.protocol.folds = (("valve1", "valve2"), ("other",))
    c.baselines.per_series = True
    c.windows.size = 60
    # a 32-16 Conv-AE, 20 epochs; score of a step: mean over the windows covering it of each window's
    # mean error, every sensor's residual standardised with training statistics (SKAB's AEs score whole windows)
    skab_conv_detector(c)
    c.threshold.policy = "percentile"
    c.threshold.q = 99.0
    c.threshold.scale = 2.5
    c.baselines.pca_components = 0.9
    if arg == "quick":
        c.protocol.max_series = 4
        c.train.epochs = 3
    return c
