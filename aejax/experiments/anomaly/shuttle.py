"""shuttle: autoencoder vs PCA vs Isolation Forest under ADBench's unsupervised protocol.

Run:      aejax run anomaly/shuttle        (quick: aejax run anomaly/shuttle --quick)
Paper:    Han et al. (2022), ADBench, Appendix D Tables D4/D5 (70/30 stratified split, training on
          the contaminated 70 %, mean of 3 seeds).
Expected: AE AUROC at least ADBench's PCA AUROC (the linear-autoencoder anchor).
Measured: AUROC AE 0.9889 +- 0.0044 (mean score of 5 AEs; chosen on validation, see
          _common.py), PCA (95 % variance) 0.5170, PCA with the AE's bottleneck 0.9467, IForest
          0.9976 (3 seeds; aejax run anomaly/shuttle, 2-core CPU). A single AE (3 epochs, chosen on
          validation) gave 0.9278 +- 0.0406: its score varied with the initialisation.
"""
from aejax.registry import sibling

_common = sibling(__file__, "_common")


def get_config(arg=None):
    return _common.adbench_config("shuttle", arg)
