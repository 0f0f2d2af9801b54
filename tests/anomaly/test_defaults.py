"""The defaults of `aejax anomaly fit` that the README states (issue 23.10): each is pinned here and
read back from the README's own words, so a change in the code, or in the README alone, fails.

To change a default on purpose: change it in aejax/anomaly/settings.py, the README's sentence and
STATED below together."""

import re
from pathlib import Path

from aejax.anomaly.settings import user_config
from aejax.anomaly.sizing import size_to_data
from aejax.anomaly.tables import ROBUST_CLIP, ROBUST_MARGIN, ROBUST_PERCENTILES

README = Path(__file__).resolve().parents[2] / "README.md"
STATED = dict(table_min_steps=250, series_min_steps=1000, noise=0.2, scaling="robust", percentiles=(1.0, 99.0), margin=3,
              code="tenth", norm="absolute", max_train_rows=100_000, threshold_q=99.0)


def _readme_section() -> str:
    text = README.read_text().split("## Anomaly detection on your own data", 1)[1].split("\n## ", 1)[0]
    return " ".join(text.split())


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_code_uses_the_stated_defaults():
    table, series = user_config("table"), user_config("series")
    assert (table.sizing.min_steps, series.sizing.min_steps) == (STATED["table_min_steps"], STATED["series_min_steps"])
    assert (table.corruption.name, table.corruption.level) == ("gaussian", STATED["noise"])
    assert (table.preprocess.scaling, ROBUST_PERCENTILES, ROBUST_MARGIN, ROBUST_CLIP) == \
        (STATED["scaling"], STATED["percentiles"], STATED["margin"], (0.0, 1.0))
    assert (table.sizing.code, table.score.norm, table.score.standardise) == (STATED["code"], STATED["norm"], True)
    assert table.sizing.max_train_rows == series.sizing.max_train_rows == STATED["max_train_rows"]
    assert table.threshold.q == series.threshold.q == STATED["threshold_q"]
    for kind, rows, features in (("table", 193, 120), ("series", 500, 96)):  # the steps are reached
        cfg, _ = size_to_data(user_config(kind), rows, features)
        assert cfg.train.epochs * (rows // cfg.train.batch_size) >= STATED[f"{kind}_min_steps"]


def test_the_readme_states_the_defaults_the_code_uses():
    text = _readme_section()
    steps = re.search(r"at least ([\d,]+) optimizer steps for tables and ([\d,]+) for series", text)
    assert steps and (_int(steps[1]), _int(steps[2])) == (STATED["table_min_steps"], STATED["series_min_steps"])
    noise = re.search(r"Gaussian noise of ([\d.]+) on the (robustly min-max|min-max|standardised) scaled inputs: each "
                      r"column's range is that of its training values within (\d+) ranges of its (\d+)\w\w and "
                      r"(\d+)\w\w percentiles", text)
    assert noise and float(noise[1]) == STATED["noise"]
    assert {"robustly min-max": "robust", "min-max": "minmax", "standardised": "standard"}[noise[2]] == STATED["scaling"]
    assert (int(noise[3]), (float(noise[4]), float(noise[5]))) == (STATED["margin"], STATED["percentiles"])
    code = re.search(r"a code of (D / 10|sqrt\(D\)) units", text)
    assert code and {"D / 10": "tenth", "sqrt(D)": "sqrt"}[code[1]] == STATED["code"]
    norm = re.search(r"a row scored by the sum of their (absolute values|squares)", text)
    assert norm and {"absolute values": "absolute", "squares": "squared"}[norm[1]] == STATED["norm"]
    cap = re.search(r"A table trains on at most ([\d,]+) rows \(`sizing.max_train_rows`\)", text)
    assert cap and _int(cap[1]) == STATED["max_train_rows"]
    assert "--config.threshold.q=99.9" in text  # the example changes the 99th-percentile threshold
