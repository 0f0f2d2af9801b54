"""The cross-dataset selection of aejax anomaly fit's defaults (aejax.anomaly.selection)."""

import numpy as np
import pytest

from aejax.anomaly.settings import TABLE_DEFAULT, TABLE_GRID, candidate_name, table_candidate, user_config
from aejax.anomaly.selection import best_candidate, grid_settings, lodo_choices, rescored


def test_leave_one_dataset_out_never_looks_at_the_held_out_set():
    # "a" is best on x and y, "b" only on z (by far): held out z, the choice is a, held out x or y it is b
    auroc = {"a": {"x": 0.90, "y": 0.90, "z": 0.50}, "b": {"x": 0.85, "y": 0.86, "z": 0.99}}
    assert lodo_choices(auroc, ["x", "y", "z"]) == {"x": "b", "y": "b", "z": "a"}
    # the held-out set's own numbers do not matter: change z's and the choice for z stays
    auroc["a"]["z"], auroc["b"]["z"] = 0.0, 1.0
    assert lodo_choices(auroc, ["x", "y", "z"])["z"] == "a"
    assert best_candidate(auroc, ["x", "y", "z"]) == "b"  # mean 0.903 vs 0.600
    with pytest.raises(ValueError, match="at least 2 datasets"):
        lodo_choices(auroc, ["x"])


def test_ties_go_to_the_candidate_listed_first():
    auroc = {"first": {"x": 0.8, "y": 0.9}, "second": {"x": 0.9, "y": 0.8}}
    assert best_candidate(auroc, ["x", "y"]) == "first"


def test_the_grid_names_every_combination_and_holds_the_shipped_default():
    settings = grid_settings(TABLE_GRID)
    assert len(settings) == int(np.prod([len(v) for v in TABLE_GRID.values()]))
    names = [candidate_name(s) for s in settings]
    assert len(set(names)) == len(names) and TABLE_DEFAULT in settings
    setting = dict(scaling="minmax", code="sqrt", residuals="whitened", budget="batch", steps=250, noise=0.1,
                   norm="absolute")
    assert candidate_name(setting) == "minmax-sqrt-whitened-batch-250steps-noise0.1-absolute"
    assert candidate_name({**setting, "noise": 0.0}) == "minmax-sqrt-whitened-batch-250steps-plain-absolute"
    cfg = user_config("table")
    assert (cfg.sizing.code, cfg.sizing.budget, cfg.sizing.min_steps, cfg.score.norm) == \
        (TABLE_DEFAULT["code"], TABLE_DEFAULT["budget"], TABLE_DEFAULT["steps"], TABLE_DEFAULT["norm"])
    # the selected min-max scaling, over the values within 3 ranges of the 1st and 99th percentiles (issue 23.4)
    assert (TABLE_DEFAULT["scaling"], cfg.preprocess.scaling) == ("minmax", "robust")
    with pytest.raises(ValueError, match="residuals='none' must be one of"):
        table_candidate(user_config("table"), {**TABLE_DEFAULT, "residuals": "none"})
    with pytest.raises(ValueError, match="noise=-0.1: .* must be non-negative"):
        table_candidate(user_config("table"), {**TABLE_DEFAULT, "noise": -0.1})
    with pytest.raises(ValueError, match="steps=0: .* must be positive"):
        table_candidate(user_config("table"), {**TABLE_DEFAULT, "steps": 0})
    with pytest.raises(ValueError, match="norm='l2' must be one of"):
        table_candidate(user_config("table"), {**TABLE_DEFAULT, "norm": "l2"})


def test_a_noise_setting_trains_a_denoising_autoencoder_and_steps_set_the_budget():
    denoising = table_candidate(user_config("table"), {**TABLE_DEFAULT, "noise": 0.2, "steps": 250})
    assert (denoising.corruption.name, denoising.corruption.level, denoising.sizing.min_steps) == ("gaussian", 0.2, 250)
    plain = table_candidate(user_config("table"), {**TABLE_DEFAULT, "noise": 0.0})
    assert (plain.corruption.name, plain.corruption.level) == ("none", 0.0)


def test_rescoring_a_fitted_detector_sets_its_score_settings_and_threshold(tiny_anomaly_config, plane_rows):
    from aejax.anomaly.ae_detector import AutoencoderDetector

    x = plane_rows(n=48)
    cfg = tiny_anomaly_config()
    detector = AutoencoderDetector.from_config(cfg, seed=0).fit(x)
    rescored(detector, cfg, {"residuals": "whitened", "norm": "absolute"}, x)
    assert detector.config.score.whiten and detector.standardisers_[0].whitening is not None
    assert detector.config.score.norm == "absolute"
    whitened = detector.standardisers_[0].apply(x - detector.reconstruct(x))
    np.testing.assert_allclose(detector.train_scores_, np.abs(whitened).sum(axis=1), rtol=1e-3)  # float32 on device
    assert detector.threshold_.value == pytest.approx(np.percentile(detector.train_scores_, cfg.threshold.q))
