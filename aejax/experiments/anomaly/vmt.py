"""VMT vehicle trajectories: an autoencoder on tracks resampled to 16 points.

Run:      aejax run anomaly/vmt        (quick: aejax run anomaly/vmt --quick)
Paper:    Ma et al. (2018), Detecting Anomalous Trajectories via Recurrent Neural Networks, ACCV
          (24 labelled anomalies among 1,500 CASIA tracks); their AUC values are not known, so this
          run has no published anchor and compares with PCA and Isolation Forest only.
Protocol: unsupervised; every track resampled to 16 points evenly in arc length, coordinates
          min-max scaled over the whole set, models fitted on all 1,500 tracks and scored on them;
          threshold at the known anomaly ratio (24 / 1500); 3 seeds. Model: 32-8-32 autoencoder
          with a linear code (see get_config for why).
Expected: AE AUROC near PCA's (about 0.96 against 0.98), far above Isolation Forest's (about 0.6).
"""
from aejax.registry import sibling

_common = sibling(__file__, "_common")


def get_config(arg=None):
    c = _common.anomaly_config("vmt")
    c.paper = "Ma et al. (2018), ACCV; data: Hu et al. (2013), IEEE TPAMI 35(5)"
    c.protocol.name = "unsupervised"
    c.windows.size = 16
    # a single linear code layer (32 -> 8 -> 32): nonlinear hidden layers (e.g. 32-32-8) learn to
    # reconstruct the anomalous tracks too (AUROC about 0.7 on seed 0), and the linear AE needs
    # many epochs to approach the PCA subspace
    c.model.hidden = (8,)
    c.train.epochs = 1000
    c.train.batch_size = 128
    c.threshold.policy = "contamination"
    c.threshold.rate = 24 / 1500
    if arg == "quick":
        c.protocol.seeds = (0,)
        c.train.epochs = 200
    return c
