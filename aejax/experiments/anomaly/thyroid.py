"""thyroid: autoencoder vs PCA vs Isolation Forest under ADBench's unsupervised protocol.

Run:      aejax run anomaly/thyroid        (quick: aejax run anomaly/thyroid --quick)
Paper:    Han et al. (2022), ADBench, Appendix D Tables D4/D5 (70/30 stratified split, training on
          the contaminated 70 %, mean of 3 seeds).
Expected: AE AUROC at least ADBench's PCA AUROC (the linear-autoencoder anchor).
Measured: AUROC AE 0.9721 +- 0.0038, PCA (95 % variance) 0.8143, PCA with the AE's
          bottleneck 0.7593, IForest 0.9859 (3 seeds; aejax run anomaly/all, 2-core CPU).
"""
from aejax.registry import sibling

_common = sibling(__file__, "_common")


def get_config(arg=None):
    return _common.adbench_config("thyroid", arg)
