"""The defaults of `aejax anomaly fit` (tables), chosen by leave-one-dataset-out over ADBench sets.

Run:      JAX_COMPILATION_CACHE_DIR=runs/jax-cache aejax run anomaly/defaults   (quick: --quick)
          (the persistent compilation cache lets the candidates that share shapes share compiled
          programs; without it the run compiles every fit again)
Paper:    Han et al. (2022), ADBench, Appendix D Tables D4/D5 (published PCA and IForest).
Protocol: every candidate of aejax.anomaly.settings.TABLE_GRID (scaling standard / minmax, code
          width rule D/10 / sqrt(D), residuals raw / standardised / whitened, step budget by epochs /
          by batch, at least 1000 / 250 optimizer steps, Gaussian training noise 0 / 0.1 / 0.2, a
          row's score summing its residuals' squares / absolute values: 288 settings; those that
          differ only in how residuals are scored share one training) is fitted as `aejax anomaly
          fit` fits it on the six ADBench sets (unsupervised 70/30 split, training on the
          contaminated 70 %; seeds 0 and 1, at most 20,000 training rows per set, for time on a
          shared 2-core CPU). On each set the AE is reported with the setting best on the *other
          five* sets (mean test AUROC over both seeds); the shipped default (TABLE_DEFAULT) is the
          best on all six. IForest and PCA (PyOD's score; reconstruction) run on the same rows.
          NSL-KDD and KDD Cup 99 (one-class, all their features as a new user would give them: no
          log1p) check the shipped default and never take part in the selection.
Expected: mean AE AUROC over the six sets >= IForest's in the same run, and AE >= ADBench's
          published PCA on each set.
Measured: 1,832 s in all (load 1.5-2). Default minmax-tenth-standardised-batch-250steps-noise0.2-
          absolute: a denoising AE trained for few steps, scored by the sum of its standardised
          residuals' absolute values; the leave-one-out choice on 4 of 6 sets, and absolute values
          are chosen on all six folds.
          - Leave-one-out AE AUROC (mean of the two seeds): thyroid 0.974, cardio 0.953, shuttle
            0.990, mammography 0.864, http 0.9961, smtp 0.901. Mean 0.9464, against IForest
            0.9527 and PyOD PCA 0.9476: NOT met. The shipped default's own mean is 0.9523 (thyroid
            0.974, cardio 0.954, shuttle 0.990, mammography 0.899, http 0.9961, smtp 0.901).
          - AE >= ADBench's published PCA on 3 of 6 sets (thyroid, shuttle, smtp). Missed on cardio
            (0.953 vs 0.956), mammography (0.864 vs 0.887) and http (0.9961 vs 0.9972).
          - The same grid with squares alone (the previous run, 144 settings; this run reproduces
            its cells to the digit) chose the same setting with squares: leave-one-out mean 0.9448,
            shipped 0.9493.
          - Check sets (seed 0): NSL-KDD AUROC 0.955 (IForest 0.939, PyOD PCA 0.950; with squares
            0.945), KDD Cup 99 0.987 (0.983, 0.970; with squares 0.978). The default leads both
            baselines on both sets that took no part in the choice.
          - Seeds 0-3, squares (the two defaults only): the mean is 0.940 for that default, 0.930
            for the one before it (1000 steps, no noise), 0.949 for IForest and 0.944 for PyOD PCA.
            Absolute values add 0.003 on seeds 0-1 and 0.001 on seeds 2-3. smtp, with 9 test
            anomalies, moves most.
          - Past the grid's edges (squares; mean over the six sets, seeds 0 / 1): 100 steps with
            noise 0.2 gives 0.9532 / 0.9448, and noise 0.4 with 250 steps 0.9527 / 0.9438, against
            0.9531 / 0.9454 for the squares default: a plateau, so the grid stops at 250 steps and
            0.2.
          - Off the grid, one change each from the squares default (mean over the six sets of the
            two seeds' AUROC, against its 0.9493; scripts outside the repository): the members'
            scores standardised before averaging (score.ensemble=standardised) 0.9495; each member
            trained on its own bootstrap resample of the rows 0.9492; a trimmed loss that leaves
            out each batch's worst-reconstructed 2 / 5 / 10 / 20 % of rows 0.9493 / 0.9493 /
            0.9494 / 0.9487; every training row instead of at most 20,000 0.9463 (IForest 0.9524);
            other sums of the standardised residuals: log(1 + z^2) 0.9516, the largest 0.9369, the
            two largest squares 0.9443; the reconstruction score plus the Mahalanobis distance of
            each member's code (both scaled by their training spread) 0.9154, or with half its
            weight 0.9318. Earlier, on seed 0: 10 members, learning rates 1e-2 and 1e-3, and ReLU
            units, each at or below the default. None is worth a change.
          - Beyond reconstruction error (same rows and seeds, the absolute default's members): its
            score plus Isolation Forest's, each standardised by its training median and spread,
            0.9565 (cardio 0.946, http 0.9970: still below ADBench's PCA there); Isolation Forest
            on each row's code and standardised residuals 0.9450. Not adopted: the target asks for
            the AE detector.
"""
from ml_collections import ConfigDict

from aejax.config import reference
from aejax.anomaly.settings import TABLE_GRID, default_config
from aejax.registry import sibling

_common = sibling(__file__, "_common")

SETS = ("thyroid", "cardio", "shuttle", "mammography", "http", "smtp")


def get_config(arg=None):
    c = default_config("adbench")
    c.task = "anomaly_defaults"
    c.paper = _common.ADBENCH
    c.primary_metric = "mean/ae_auroc"
    table = "ADBench Tables D4/D5"
    for d in SETS:
        c.reference[f"{d}/ae_auroc"] = reference(_common.ADBENCH_ANCHORS[d]["pca"][0], 0.0, f"{table}: PCA",
                                                 "AUROC", higher_is_better=True)
    published_iforest = sum(_common.ADBENCH_ANCHORS[d]["iforest"][0] for d in SETS) / len(SETS)
    c.reference["mean/ae_auroc"] = reference(round(published_iforest, 4), 0.0,
                                             f"{table}: IForest, mean of the six sets", "AUROC",
                                             higher_is_better=True)
    # two seeds and at most 20,000 training rows per set: 48 trainings of a 5-member ensemble per set
    # and seed (candidates differing only in residuals share one), on a shared 2-core CPU
    c.protocol.seeds = (0, 1)
    c.protocol.max_train_rows = 20000
    c.defaults = ConfigDict(dict(
        grid=ConfigDict({k: tuple(v) for k, v in TABLE_GRID.items()}),
        selection_sets=SETS,
        check_sets=("nsl_kdd", "kddcup99"),
        check_seeds=(0,),
        protocols=ConfigDict({"nsl_kdd": "one-class", "kddcup99": "one-class"}),
        published_pca=ConfigDict({d: _common.ADBENCH_ANCHORS[d]["pca"][0] for d in SETS}),
    ))
    if arg == "quick":
        c.defaults.selection_sets = ("thyroid", "cardio")
        c.defaults.check_sets = ()
        c.defaults.grid = ConfigDict(dict(scaling=("standard",), code=("tenth",),
                                          residuals=("raw", "standardised", "whitened"), budget=("epochs",),
                                          steps=(100,), noise=(0.0,), norm=("squared",)))
        c.protocol.seeds = (0,)
        c.protocol.max_train_rows = 1000
        for d in SETS[2:]:
            del c.reference[f"{d}/ae_auroc"]
    return c
