"""ADBench "Classical" tabular sets (.npz with `X` [N, D] and `y` [N], 1 = anomaly)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aejax.anomaly.tables import Table, numeric_table

# ADBench file name of each set (Han et al. 2022, adbench/datasets/Classical): the 31 sets of
# ../shared/data/adbench_classical (PROVENANCE.md), named by ADBench's name in lower case.
FILES = {
    "aloi": "1_ALOI.npz", "breastw": "4_breastw.npz", "campaign": "5_campaign.npz", "cardio": "6_cardio.npz",
    "cardiotocography": "7_Cardiotocography.npz", "celeba": "8_celeba.npz", "cover": "10_cover.npz",
    "donors": "11_donors.npz", "glass": "14_glass.npz", "hepatitis": "15_Hepatitis.npz", "http": "16_http.npz",
    "internetads": "17_InternetAds.npz", "ionosphere": "18_Ionosphere.npz", "letter": "20_letter.npz",
    "lymphography": "21_Lymphography.npz", "mammography": "23_mammography.npz", "mnist": "24_mnist.npz",
    "musk": "25_musk.npz", "optdigits": "26_optdigits.npz", "pendigits": "28_pendigits.npz",
    "shuttle": "32_shuttle.npz", "skin": "33_skin.npz", "smtp": "34_smtp.npz", "spambase": "35_SpamBase.npz",
    "stamps": "37_Stamps.npz", "thyroid": "38_thyroid.npz", "vertebral": "39_vertebral.npz", "wbc": "42_WBC.npz",
    "wdbc": "43_WDBC.npz", "wine": "45_wine.npz", "wpbc": "46_WPBC.npz",
}


def load_adbench(name: str, folder: Path) -> Table:
    """ADBench set `name` as an all-numeric Table (float64 features, int32 labels)."""
    if name not in FILES:
        raise ValueError(f"unknown ADBench set {name!r}; known: {sorted(FILES)}")
    with np.load(Path(folder) / FILES[name], allow_pickle=False) as z:
        x, y = z["X"], z["y"]
    return numeric_table(x.astype(np.float64), y.astype(np.int32))
