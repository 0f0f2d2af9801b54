"""http: autoencoder vs PCA vs Isolation Forest under ADBench's unsupervised protocol.

Run:      aejax run anomaly/http        (quick: aejax run anomaly/http --quick)
Paper:    Han et al. (2022), ADBench, Appendix D Tables D4/D5 (70/30 stratified split, training on
          the contaminated 70 %, mean of 3 seeds).
Expected: AE AUROC at least ADBench's PCA AUROC (the linear-autoencoder anchor).
Measured: AUROC AE 0.9984 +- 0.0006 (mean score of 5 AEs with a 1-unit code, both chosen on
          validation, see _common.py; before: one AE with a 2-unit code, 0.9948 +- 0.0011), PCA
          (95 % variance) 0.9975 +- 0.0027, PCA with the AE's bottleneck 0.9960, IForest 0.9994;
          AUPRC AE 0.698, PCA 0.684, IForest 0.877 (3 seeds; aejax run anomaly/http, 2-core CPU).
"""
from aejax.registry import sibling

_common = sibling(__file__, "_common")


def get_config(arg=None):
    return _common.adbench_config("http", arg)
