"""The selection benchmark: aejax's table detectors against PyOD's six baselines on ADBench's 31
classical sets and its four synthetic anomaly types, ranked per set as ADBench ranks methods.

Run:      aejax run anomaly/adbench                          (the 31 real sets, unsupervised; = :data=real)
          aejax run anomaly/adbench:data=types               (the four types; or data=local, clustered, ...)
          aejax run anomaly/adbench:protocol=one-class       (training on the normal training rows only)
          aejax run anomaly/adbench:select                   (the cross-validated choice of the default)
          --config.benchmark.sets="('cardio', 'thyroid')" runs a subset; --quick: wdbc's real and
          dependency anomalies, seed 0
          (needs PyOD: pip install 'aejax[baselines]'; JAX_COMPILATION_CACHE_DIR speeds up the fits)
Paper:    Han et al. (2022), ADBench, NeurIPS Datasets & Benchmarks: protocol (a set above 10,000 rows
          subsampled to 10,000, split 70/30 stratified, unsupervised training on the contaminated 70 %,
          seeds 0-2), the four synthetic types (§3.3) and the average rank over sets (Fig. 4).
Protocol: aejax.anomaly.benchmark (cells), aejax.anomaly.synthetic (types), aejax.anomaly.run_adbench
          (ranks, selection). Methods: "default" and "autoencoder" (`aejax anomaly fit --detector
          NAME`, fitted as that command fits them), PyOD's IForest, ECOD, KNN, LOF, COPOD and PCA with
          their defaults on min-max scaled rows.
Expected: the default's average rank better than every PyOD baseline's on the real sets and on each
          type; mean AUROC at least 0.90 on dependency anomalies and 0.75 on every type.
"""
from ml_collections import ConfigDict

from aejax.anomaly.datasets.adbench import FILES
from aejax.anomaly.settings import TABLE_GRID, default_config
from aejax.config import parse_arg
from aejax.registry import sibling

_common = sibling(__file__, "_common")
VARIANTS = ("data=real", "data=types", "protocol=one-class", "select")
TYPES = ("local", "clustered", "global", "dependency")
# the candidates of the selection: trainings ("scaling:code:budget:steps:noise") x every way of scoring
# their errors and combining them with a partner detector (aejax.anomaly.settings.TABLE_GRID)
TRAININGS = ("minmax:tenth:batch:250:0.2", "standard:sqrt:epochs:1000:0.0")
SCORING = {k: TABLE_GRID[k] for k in ("residuals", "norm", "partner", "weight")}
# quick: wdbc's real anomalies and its dependency anomalies, on which the AE's whitened residuals and
# PyOD's IForest, ECOD, COPOD and PCA differ most (tests/golden/sanity.json)
QUICK_SETS = ("wdbc",)


def get_config(arg=None):
    a = parse_arg(arg, data="real", protocol="unsupervised", select=False)
    if a.data not in ("real", "types") + TYPES:
        raise ValueError(f"data={a.data!r}: choose real (the sets), types (the four synthetic types) or one of "
                         f"{', '.join(TYPES)}")
    if a.protocol not in ("unsupervised", "one-class"):
        raise ValueError(f"protocol={a.protocol!r}: choose unsupervised or one-class")
    c = default_config("adbench")
    c.task = "anomaly_adbench"
    c.paper = _common.ADBENCH
    c.requires = ("pyod",)
    c.protocol.seeds = (0, 1, 2)
    scenarios = ("real",) + TYPES if a.select else TYPES if a.data == "types" else (a.data,)
    c.benchmark = ConfigDict(dict(
        sets=tuple(FILES), scenarios=scenarios, protocol=a.protocol, detectors=("default", "autoencoder"),
        baselines=("iforest", "ecod", "knn", "lof", "copod", "pca"), select=bool(a.select), folds=5,
        trainings=TRAININGS, scoring=ConfigDict(SCORING),
        sensor_floor=0.9,  # the default must reach this AUROC on the correlated-sensor case (aejax.anomaly.sensors)
        cache="",  # "" = $AEJAX_CACHE_DIR/adbench; "workdir" = the run's work directory; or a folder
    ))
    c.primary_metric = f"{scenarios[0]}/mean/{'default_cv' if a.select else 'default'}_rank"
    if a.quick:
        c.protocol.seeds = (0,)
        c.benchmark.sets = QUICK_SETS + (("glass",) if a.select else ())
        c.benchmark.scenarios = ("real", "dependency") if a.select or a.data == "real" else c.benchmark.scenarios
        c.benchmark.cache = "workdir"
        c.benchmark.folds = 2
        c.benchmark.trainings = TRAININGS[:1]
        c.benchmark.scoring = ConfigDict(dict(residuals=("standardised", "whitened"), norm=("absolute",),
                                              partner=("none", "knn"), weight=(0.5,)))
    return c
