"""The defaults of `aejax anomaly fit` (tables), chosen by leave-one-dataset-out over ADBench sets.

Run:      JAX_COMPILATION_CACHE_DIR=runs/jax-cache aejax run anomaly/defaults   (quick: --quick)
          (the persistent compilation cache lets the candidates that share shapes share compiled
          programs; without it the run compiles every fit again)
Paper:    Han et al. (2022), ADBench, Appendix D Tables D4/D5 (published PCA and IForest).
Protocol: every candidate of aejax.configs.anomaly.TABLE_GRID (scaling standard / minmax, code
          width rule D/10 / sqrt(D), residuals raw / standardised / whitened, step budget by epochs /
          by batch, at least 1000 / 250 optimizer steps, Gaussian training noise 0 / 0.1 / 0.2: 144
          settings) is fitted as `aejax anomaly fit` fits it on the six ADBench sets (unsupervised
          70/30 split, training on the contaminated 70 %; seeds 0 and 1, at most 20,000 training
          rows per set, for time on a shared 2-core CPU). On each set the AE is reported with the
          setting best on the *other five* sets (mean test AUROC over both seeds); the shipped
          default (TABLE_DEFAULT) is the best on all six. IForest and PCA (PyOD's score;
          reconstruction) run on the same rows. NSL-KDD and KDD Cup 99 (one-class, all their
          features as a new user would give them: no log1p) check the shipped default and never
          take part in the selection.
Expected: mean AE AUROC over the six sets >= IForest's in the same run, and AE >= ADBench's
          published PCA on each set.
Measured: 1,603 s in all (seed 0 917 s, seed 1 687 s; load 2-4). Default
          minmax-tenth-standardised-batch-250steps-noise0.2: a denoising AE trained for few steps,
          the leave-one-out choice on 4 of 6 sets. Seed 0 alone chooses the same default.
          - Leave-one-out AE AUROC (mean of the two seeds): thyroid 0.965, cardio 0.955, shuttle
            0.990, mammography 0.867, http 0.9964, smtp 0.897. Mean 0.9448, against IForest
            0.9527 and PyOD PCA 0.9476: NOT met. The shipped default's own mean is 0.9493.
          - AE >= ADBench's published PCA on 3 of 6 sets (thyroid, shuttle, smtp). Missed on cardio
            (0.955 vs 0.956), mammography (0.867 vs 0.887) and http (0.9964 vs 0.9972).
          - Seed 0 alone: leave-one-out mean 0.9485, shipped default 0.9531, IForest 0.9532.
          - Seeds 0-3 (the two defaults only): the mean is 0.940 for this default, 0.930 for the
            previous one (minmax-tenth-standardised-batch with 1000 steps and no noise), 0.949 for
            IForest and 0.944 for PyOD PCA. The default trails IForest on every seed, by 0.0002 to
            0.024. smtp, with 9 test anomalies, moves most.
          - Past the grid's edges (mean over the six sets, seeds 0 / 1): 100 steps with noise 0.2
            gives 0.9532 / 0.9448, and noise 0.4 with 250 steps 0.9527 / 0.9438, against 0.9531 /
            0.9454 for the default. That is a plateau, so the grid stops at 250 steps and 0.2.
          - Off the grid, one change each from the default (mean over the six sets of the two seeds'
            AUROC, against its 0.9493): the members' scores standardised before averaging
            (score.ensemble=standardised) 0.9495; each member trained on its own bootstrap resample
            of the rows 0.9492; a trimmed loss that leaves out each batch's worst-reconstructed 2 /
            5 / 10 / 20 % of rows (against the contamination of the training rows) 0.9493 / 0.9493 /
            0.9494 / 0.9487 (these two by patching the training in a script outside the
            repository). Earlier, on seed 0: 10 members, learning rates 1e-2 and 1e-3, and ReLU
            units, each at or below the default. None is worth a change.
          - The 20,000-row cap (shuttle, http and smtp) does not decide the outcome: with every
            training row the default's mean is 0.9463 and IForest's 0.9524 (seeds 0-1).
          - How a row's standardised residuals are summed (a script outside the repository, on the
            default's trained members; mean over the six sets, seeds 0-1 / seeds 2-3): squares (the
            default) 0.9493 / 0.9310; absolute values 0.9523 / 0.9321; log(1 + z^2) 0.9516 /
            0.9323; the largest 0.9369 / 0.9274; the two largest squares 0.9443 / 0.9281. Absolute
            values gain on both seed pairs (thyroid most: 0.974 against 0.965), but not enough to
            reach IForest (0.9527 on seeds 0-1; about 0.949 over seeds 0-3 against 0.940).
            The same script run as this grid with that axis added (144 settings x {squares,
            absolute values}, seeds 0-1; it reproduces this run's 0.9448 and 0.9493 with squares
            alone): absolute values are chosen on all six leave-one-out folds, with this default's
            other settings; leave-one-out mean 0.9464, shipped 0.9523 (thyroid 0.974, cardio 0.954,
            shuttle 0.990, mammography 0.899, http 0.996, smtp 0.901), against IForest's 0.9527.
            The next change to this grid: a score setting, no extra training.
          - Check sets (seed 0): NSL-KDD AUROC 0.945 (IForest 0.939, PyOD PCA 0.950; previous
            default 0.941), KDD Cup 99 0.978 (0.983, 0.970; previous default 0.988).
"""
from ml_collections import ConfigDict

from aejax.config import reference
from aejax.configs.anomaly import TABLE_GRID, default_config
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
