"""Hyper-parameters sized to the data (aejax.anomaly.sizing)."""

import pytest

from aejax.anomaly.sizing import mlp_widths, size_to_data
from aejax.anomaly.settings import user_config


def test_widths_follow_the_number_of_features():
    # code round(D / 10) ("tenth") or round(sqrt(D)) ("sqrt"), between 1 and D - 1
    assert mlp_widths(6) == (8, 1) and mlp_widths(21) == (10, 2) and mlp_widths(3) == (8, 1)
    assert mlp_widths(6, "sqrt") == (8, 2) and mlp_widths(21, "sqrt") == (10, 5) and mlp_widths(9, "sqrt") == (8, 3)
    assert mlp_widths(120) == (60, 30, 12) and mlp_widths(120, "sqrt") == (60, 30, 11)
    assert mlp_widths(2) == (8, 1) and mlp_widths(2, "sqrt") == (8, 1)
    assert mlp_widths(1000) == (128, 64, 100)
    with pytest.raises(ValueError, match="at least 2 features"):
        mlp_widths(1)
    with pytest.raises(ValueError, match="sizing.code='half' must be one of"):
        mlp_widths(10, "half")


def test_a_small_table_trains_enough_steps_and_says_so():
    # the case: a KDD-style config on a 193-row table trained 15 optimizer steps unnoticed
    cfg, notes = size_to_data(user_config("table"), rows=193, features=120)
    # budget "batch" with at least 250 steps: 10 epochs would want batches of 193 * 10 // 250 = 7, so
    # the floor of 8: 24 steps per epoch, and 11 epochs for 264 >= 250 steps
    assert cfg.sizing.min_steps == 250 and (cfg.train.batch_size, cfg.train.epochs) == (8, 11)
    steps_per_epoch = 193 // cfg.train.batch_size
    assert steps_per_epoch >= 8 and cfg.train.epochs * steps_per_epoch >= cfg.sizing.min_steps
    assert cfg.model.hidden == (60, 30, 12)
    assert any("train.epochs 10 ->" in n for n in notes) and any("model.hidden" in n for n in notes)


def test_a_large_table_keeps_the_configured_budget_and_too_few_rows_are_refused():
    cfg, notes = size_to_data(user_config("table"), rows=50_000, features=6)
    # 195 batches of 256 per epoch: 10 epochs already make 1950 >= 1000 steps; code round(6 / 10) -> 1
    assert (cfg.train.epochs, cfg.train.batch_size, tuple(cfg.model.hidden)) == (10, 256, (8, 1))
    assert notes == ["model.hidden (8, 2) -> (8, 1) for 6 features"]
    with pytest.raises(ValueError, match="10 training rows are too few"):
        size_to_data(user_config("table"), rows=10, features=6)


def test_a_capped_budget_is_a_warning():
    base = user_config("table")
    base.sizing.max_epochs = 20
    cfg, notes = size_to_data(base, rows=100, features=6)
    # budget "batch": 10 epochs of 100 rows would want batches of 1, so the floor of 8: 12 per epoch
    assert cfg.train.batch_size == 8
    assert cfg.train.epochs == 20 and notes[-1].startswith("warning: only 240 optimizer steps")
