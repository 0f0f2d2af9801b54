"""SKAB: three 1-D convolutional autoencoders per experiment on 60-step windows of 8 sensors.

Run:      aejax run anomaly/skab        (quick: aejax run anomaly/skab --quick)
Paper:    Katser & Kozitsin (2020), SKAB (waico/SKAB proposed leaderboard, outlier task over all
          34 files): Conv-AE F1 0.78 (FAR 13.55 %, MAR 28.02 %), T2+Q (PCA) 0.76, LSTM-AE 0.74,
          feed-forward AE 0.39, Isolation Forest 0.29.
Protocol: per file, the first 400 steps train (assumed fault-free: one-class) and fit the
          StandardScaler, the rest is test; threshold = 2.5 x the 99th percentile of the training
          scores; predictions of all files concatenated. Conv-AEs per file, as in SKAB's notebooks
          (protocol.model_per_series), 3 of them from different initialisations, their step scores
          averaged (model.ensemble = 3); PCA (T2+Q-like) and IForest are fitted per file too.
          Threshold: SKAB's fixed rule, 2.5 x the 99th percentile of each file's training scores
          (no labels). Score aggregation and residual standardisation were chosen by two-fold
          selection over file groups, never on the files scored with the choice: the 12 rules
          {step_mean, window_mean, window_min} x {standardised or not} x {SSE or its root} were
          ranked by F1 on valve1+valve2 (20 files) and, separately, on other (14 files), with one
          pooled model. Both folds pick window_mean + standardised residuals + SSE.
          Per-file models against one pooled model, with that rule (H200, seed 0): valve1+valve2
          F1 0.791 against 0.775, other 0.786 against 0.745. Both folds pick per-file models.
          Ensembles of per-file models (K Conv-AEs per file, CPU, seed 0): valves 0.791 / 0.798 /
          0.794 and other 0.786 / 0.796 / 0.796 for K = 1 / 3 / 5. Both folds pick K = 3.
          Epochs of the three per-file models (about 5 optimizer steps per epoch): valves 0.781 /
          0.798 / 0.821 and other 0.7971 / 0.7964 / 0.7975 for 10 / 20 / 40 epochs. Both folds pick
          40 (other by a hair), and so do NAB's development streams (anomaly/nab-other AUROC 0.6308
          against 0.6254), so the series default of `aejax anomaly fit` trains 40 epochs.
          Other checks with the same folds:
          - An ensemble of pooled Conv-AEs (model.ensemble = K, mean per-step score) lost on both
            folds: valves 0.724 / 0.748 and other 0.740 / 0.745 for K = 2 / 3, against 0.797 /
            0.750 for one pooled model.
          - Per-file models over epochs {5, 10, 20, 30, 40, 60, 80, 160} x {window_mean,
            step_mean, window_min} x {standardised or raw residuals}: valves pick 40 epochs,
            window_mean, raw (other-fold F1 0.793); other picks 10 epochs, window_mean, raw
            (valves F1 0.784). Cross-fitted, that is no better than the registered 0.789, so the
            registered rule stays.
          - Per-file models (K = 1) with tanh units: valves 0.785, other 0.797; with Gaussian training
            noise 0.2: 0.791 / 0.785 (CPU, seed 0). The folds disagree or do not move, so ReLU and
            no noise stay.
          - The threshold's scale (SKAB's 2.5 x the 99th percentile), read off the K = 1 scores:
            1.5 / 2 / 2.5 / 3 / 3.5 give F1 0.771 / 0.781 / 0.791 / 0.785 / 0.764 on valves and 0.760
            / 0.781 / 0.786 / 0.787 / 0.784 on other; SKAB's 2.5 is at the top of both.
          - Thresholds fitted on held-out steps (the last 100 of each file's 400 training steps kept
            out of training, 20 / 40 epochs): F1 0.755 / 0.775 with the registered rule, against
            0.789 / 0.806 training on all 400. The models lose more from the fewer windows than the
            threshold gains, so it was not kept (on NAB it raised the AE's AUROC from 0.574 to 0.604,
            IForest 0.735).
          - Absolute residuals summed instead of squares (score.norm=absolute, the table default's;
            CPU, seed 0, 417 s): F1 valves 0.691, other 0.688, against 0.821 / 0.798. SKAB's
            threshold (2.5 x the 99th percentile) was set for squares and flags too little on the
            flatter scores; AUROC moves -0.007 / +0.009 (0.885 / 0.817). Both folds keep squares.
Expected: target AE F1 >= 0.80 (the issue), SKAB's Conv-AE 0.78. Measured (seed 0, 435 s on the
          2-core CPU at load 1.5): F1 0.8120 (FAR 0.451, MAR 0.050, AUROC 0.839), point-adjusted 0.827,
          random scores' point-adjusted F1 at the same flag rate 0.763; folds: valve1+valve2 F1
          0.821, other 0.798. Met. PCA F1 0.694, IForest 0.000. At 20 epochs the three models gave
          0.797 (247 s at load 1.7), one model per file 0.7892 (457 s at load 3, 0.93 GB peak; the
          same F1 on an H200), one pooled model 0.777 (FAR 0.217, MAR 0.245; 0.762 on the H200).
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
