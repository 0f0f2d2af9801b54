"""The table detector's settings (aejax.anomaly.settings): candidates of the selection and the named
detectors of `aejax anomaly fit`."""

import pytest

from aejax.anomaly.build import table_detector
from aejax.anomaly.settings import (DETECTORS, TABLE_AUTOENCODER, TABLE_DEFAULT, TABLE_GRID, table_candidate,
                                    user_config)


def test_a_setting_sets_every_key_it_names():
    setting = dict(scaling="standard", code="sqrt", budget="epochs", steps=1000, noise=0.0, residuals="whitened",
                   norm="squared", partner="knn", weight=0.25)
    cfg = table_candidate(user_config("table"), setting)
    assert (cfg.preprocess.scaling, cfg.sizing.code, cfg.sizing.budget, cfg.sizing.min_steps) == \
        ("standard", "sqrt", "epochs", 1000)
    assert (cfg.corruption.name, cfg.score.standardise, cfg.score.whiten, cfg.score.norm) == \
        ("none", True, True, "squared")
    assert (cfg.combine.partner, cfg.combine.weight) == ("knn", 0.25)
    denoising = table_candidate(user_config("table"), {**setting, "noise": 0.2})
    assert (denoising.corruption.name, denoising.corruption.level) == ("gaussian", 0.2)


@pytest.mark.parametrize("change, message", [
    ({"residuals": "none"}, "residuals='none' must be one of"), ({"noise": -0.1}, "noise=-0.1: .* non-negative"),
    ({"steps": 0}, "steps=0: .* must be positive"), ({"norm": "l2"}, "norm='l2' must be one of"),
    ({"partner": "svm"}, "partner='svm' must be one of"), ({"weight": 0.0}, r"weight=0.0: .* in \(0, 1\]"),
    ({"depth": 3}, r"unknown table detector settings \['depth'\]")])
def test_bad_settings_are_named(change, message):
    with pytest.raises(ValueError, match=message):
        table_candidate(user_config("table"), {**TABLE_DEFAULT, **change})


def test_the_shipped_settings_lie_in_the_grid_and_the_autoencoder_has_no_partner():
    for setting in (TABLE_DEFAULT, TABLE_AUTOENCODER):
        assert all(setting[k] in TABLE_GRID[k] for k in TABLE_GRID)
    assert TABLE_AUTOENCODER["partner"] == "none"


@pytest.mark.parametrize("name", list(DETECTORS))
def test_every_named_detector_builds(name):
    detector = table_detector(user_config("table", name), seed=0)
    expected = {"iforest": "iforest", "knn": "knn", "pca": "pca", "autoencoder": "autoencoder",
                "default": "combined" if TABLE_DEFAULT["partner"] != "none" else "autoencoder"}[name]
    assert detector.kind == expected
    with pytest.raises(ValueError, match="series use the series detector"):
        user_config("series", "knn")
