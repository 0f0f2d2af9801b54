"""NAB's other real streams: the development streams of the series detector (40, none in anomaly/nab).

Run:      aejax run anomaly/nab-other        (quick: aejax run anomaly/nab-other --quick)
Paper:    Lavin & Ahmad (2015), Numenta Anomaly Benchmark, arXiv 1510.03336 (no published AUROC:
          NAB's own score is the streaming NAB score).
Protocol: anomaly/nab's protocol and detectors on realAWSCloudwatch (17 streams), realAdExchange (6),
          realTraffic (7) and realTweets (10): per stream the first 15 % trains and sets the scaler and
          the threshold, the rest is scored; the AE, PCA and IForest are fitted per stream. These
          streams share no file with realKnownCause (anomaly/nab), so they are the development
          streams of the series detector: variants are compared here, by pooled test AUROC
          (`aejax run anomaly/nab-other --config.KEY=VALUE`; results/LOG.md), and anomaly/nab only
          reports.
Expected: AE AUROC >= IForest's (about 0.63 against 0.61). About 9 minutes on a 2-core CPU.
"""
from aejax.registry import sibling

_nab = sibling(__file__, "nab")


def get_config(arg=None):
    c = _nab.get_config(arg)
    c.data.name = "nab_other"
    del c.reference["ae_f1_point_adjusted"]
    return c
