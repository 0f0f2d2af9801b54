"""All anomaly runs in one go: one summary table (summary.md, summary.csv) and ROC / PR figures.

Run:      aejax run anomaly/all        (quick: aejax run anomaly/all --quick, two small sets only)
Paper:    ADBench (Han et al. 2022), DAGMM (Zong et al. 2018), SKAB (Katser & Kozitsin 2020),
          NSL-KDD (Tavallaee et al. 2009), NAB / TranAD (Tuli et al. 2022); see each run.
Protocol: each registered run's own protocol, in one process; the table adds the ADBench counts
          (AE >= PCA, >= same-bottleneck PCA, >= PyOD PCA, >= ADBench's published PCA, > IForest).
Expected: every run's numbers as its own run gives them; AE AUROC >= PCA's on every ADBench set and
          > IForest's on at least half of them; KDD Cup 99 AE F1 >= 0.94; SKAB AE F1 >= 0.78. About
          20 minutes on a 2-core CPU.
"""
from ml_collections import ConfigDict

from aejax import registry
from aejax.config import base_config

ADBENCH_RUNS = ("thyroid", "cardio", "shuttle", "mammography", "http", "smtp")
RUNS = tuple(f"anomaly/{n}" for n in ("nsl-kdd", "kddcup99", *ADBENCH_RUNS, "nab", "nab-other", "skab", "vmt"))
QUICK_RUNS = ("anomaly/thyroid", "anomaly/vmt")


def get_config(arg=None):
    c = base_config()
    c.task = "anomaly_all"
    c.paper = "ADBench; DAGMM; SKAB; NSL-KDD; NAB/TranAD (see the individual runs)"
    c.runs = QUICK_RUNS if arg == "quick" else RUNS
    c.quick_runs = arg == "quick"
    c.adbench_runs = ADBENCH_RUNS
    # the headline anchors of the individual runs, under "<run>/<metric>"
    c.reference = ConfigDict()
    for name in c.runs:
        for metric, ref in registry.get_config(name, arg == "quick").reference.items():
            if metric in ("ae_auroc", "ae_f1", "ae_accuracy", "ae_f1_point_adjusted"):
                c.reference[f"{name.split('/', 1)[1]}/{metric}"] = ref
    return c
