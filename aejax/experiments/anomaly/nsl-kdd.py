"""NSL-KDD: autoencoder trained on the normal connections of KDDTrain+_20Percent, tested on
KDDTest+ and the harder KDDTest-21.

Run:      aejax run anomaly/nsl-kdd        (quick: aejax run anomaly/nsl-kdd --quick)
Paper:    Tavallaee et al. (2009), IEEE CISDA (the NSL-KDD paper; supervised accuracies, e.g. J48
          81.05 % / 63.97 % on KDDTest+ / KDDTest-21); Aygun & Yavuz (2017), IEEE CSCloud: AE on
          normal KDDTrain+ records, accuracy about 88.3 % on KDDTest+ (recalled, not re-checked).
Protocol: one-class; one-hot protocol/service/flag with training vocabularies, min-max scaled
          numerics (log1p on duration and byte counts); threshold = 95th percentile of the scores
          of 10 % held-out training normals.
Expected: AE accuracy on KDDTest+ in the 80s (%) (about 0.82), AUROC above PCA's and Isolation
          Forest's (about 0.95); on KDDTest-21 accuracy about 0.67.
"""
from aejax.config import reference
from aejax.registry import sibling

_common = sibling(__file__, "_common")


def get_config(arg=None):
    c = _common.anomaly_config("nsl_kdd")
    c.paper = "Tavallaee et al. (2009), A detailed analysis of the KDD CUP 99 data set, IEEE CISDA"
    c.reference.ae_accuracy = reference(0.883, 0.03, "Aygun & Yavuz 2017: AE on normal KDDTrain+ (full), "
                                        "KDDTest+ [recalled]", "accuracy", higher_is_better=True)
    c.reference["ae_accuracy_test-21"] = reference(0.6397, 0.05, "Tavallaee et al. 2009: J48 (supervised), "
                                                   "KDDTest-21 [recalled]", "accuracy", higher_is_better=True)
    c.protocol.name = "one-class"
    c.protocol.seeds = (0,)
    c.preprocess.scaling = "minmax"
    c.preprocess.log1p = ("duration", "src_bytes", "dst_bytes")
    c.model.hidden = (32, 8)
    c.train.epochs = 30
    c.train.batch_size = 128
    c.threshold.policy = "percentile"
    c.threshold.q = 95.0
    c.threshold.fit_on = "validation"
    if arg == "quick":
        c.train.epochs = 5
    return c
