"""All anomaly runs in one go: one summary table (summary.md, summary.csv) and ROC / PR figures.

Run:      aejax run anomaly/all        (quick: aejax run anomaly/all --quick, two small sets only)
Paper:    ADBench (Han et al. 2022), DAGMM (Zong et al. 2018), SKAB (Katser & Kozitsin 2020),
          NSL-KDD (Tavallaee et al. 2009), NAB / TranAD (Tuli et al. 2022); see each run.
Expected: AE AUROC >= PCA's on every ADBench set and > IForest's on at least half of them;
          KDD Cup 99 AE F1 >= 0.94; SKAB AE F1 >= 0.78. Measured (2-core CPU shared with other
          jobs, 364 s wall): KDD Cup 99 F1 0.987 +- 0.001 (met); SKAB F1 0.777 (just missed);
          ADBench: AE > IForest on 3/6 (cardio, mammography, smtp: met); AE >= PCA at 95 % variance
          on 5/6 (http 0.9948 vs 0.9975: missed), >= same-bottleneck PCA on 5/6 (shuttle 0.928 vs
          0.947: missed), >= ADBench's published PCA on 2/6 (thyroid, smtp). Since then the ADBench
          runs score by the mean of 5 AEs and http uses a 1-unit code (both chosen on validation);
          measured in the single runs: http 0.9984 +- 0.0006 (>= PCA 0.9975: met), shuttle
          0.9889 +- 0.0044 (>= same-bottleneck PCA 0.9467: met); anomaly/all not yet re-timed.
          After the move to aejax.anomaly (1141 s wall, load average 16-19 on 2 cores): every
          PCA, PyOD-PCA and IForest number and the AE of shuttle, http, kddcup99, nsl-kdd, nab,
          skab and vmt are the single runs' numbers to the digits quoted in their docstrings;
          thyroid 0.9688 +- 0.0065, cardio 0.9499 +- 0.0152, mammography 0.8863 +- 0.0156,
          smtp 0.9661 +- 0.0076 (5-member ensembles) against 0.9721, 0.9535, 0.8841, 0.9625 for
          the single AEs their docstrings quote: within a seed std.
          Re-run after SKAB's per-file models and NAB's series default (557 s, load 1.5; nab-other
          added): the numbers above to the digits quoted (NSL-KDD AUROC 0.952, vmt 0.963), and the
          new runs' own (SKAB F1 0.789, NAB AUROC 0.674 against IForest 0.721, nab-other 0.623
          against 0.612). Mean AE AUROC over the six ADBench sets
          0.9597, IForest 0.9519, PyOD PCA 0.9428: these per-set AEs (widths and epochs chosen on
          held-out training rows of each set) lead; the one default of `aejax anomaly fit` does not
          (anomaly/defaults).
          Re-run with the series default of three Conv-AEs trained 40 epochs (1,154 s, load about
          1.5, 2.2 GB peak): every table number to the digits quoted above, and the series runs' own
          numbers to the digits their docstrings quote (NAB AUROC 0.759 against IForest 0.721,
          nab-other 0.631 against 0.612, SKAB F1 0.812).
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
