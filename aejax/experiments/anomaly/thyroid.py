"""thyroid: autoencoder vs PCA vs Isolation Forest under ADBench's unsupervised protocol.

Run:      aejax run anomaly/thyroid        (quick: aejax run anomaly/thyroid --quick)
Paper:    Han et al. (2022), ADBench, Appendix D Tables D4/D5 (70/30 stratified split, training on
          the contaminated 70 %, mean of 3 seeds).
Protocol: 3 seeds; a row scores by the mean error of 5 AEs from different initialisations, widths
          and epochs per set as in _common.py; PCA at 95 % of the variance, PCA with the AE's
          bottleneck, PCA as PyOD scores it and Isolation Forest on the same rows; threshold at the
          known contamination.
Expected: AE AUROC at least ADBench's PCA AUROC (the linear-autoencoder anchor): about 0.97,
          below Isolation Forest's.
"""
from aejax.registry import sibling

_common = sibling(__file__, "_common")


def get_config(arg=None):
    return _common.adbench_config("thyroid", arg)
