"""Threshold policies of aejax.anomaly.thresholds."""

import numpy as np
import pytest
from ml_collections import ConfigDict

from aejax.anomaly import thresholds as th
from aejax.anomaly.metrics import precision_recall_f1

SCORES = np.arange(1.0, 11.0)  # 1, 2, ..., 10


def test_percentile_policy():
    t = th.fit_threshold("percentile", SCORES, q=90)
    assert t.value == pytest.approx(9.1)  # numpy linear interpolation: 9 + 0.1 * (10 - 9)
    assert not t.uses_labels
    assert th.fit_threshold("percentile", SCORES, q=50, scale=2.5).value == pytest.approx(13.75)
    with pytest.raises(ValueError, match="q=101"):
        th.fit_threshold("percentile", SCORES, q=101)


def test_mean_std_policy():
    t = th.fit_threshold("mean_std", SCORES, k=2)
    assert t.value == pytest.approx(5.5 + 2 * np.sqrt(8.25))  # population std of 1..10


def test_max_train_policy_flags_nothing_on_its_own_scores():
    t = th.fit_threshold("max_train", SCORES)
    assert t.value == 10.0
    assert th.decide(SCORES, t).sum() == 0
    assert th.decide([10.5, 9.0], t).tolist() == [1, 0]


def test_contamination_policy_flags_the_known_fraction():
    t = th.fit_threshold("contamination", SCORES, rate=0.2)
    assert th.decide(SCORES, t).tolist() == [0] * 8 + [1, 1]
    with pytest.raises(ValueError, match="rate=1.5"):
        th.fit_threshold("contamination", SCORES, rate=1.5)


def test_best_f1_policy_uses_labels_and_finds_the_best_cut():
    scores = np.array([0.1, 0.2, 0.3, 0.35, 0.8, 0.9])
    labels = np.array([0, 0, 1, 0, 1, 1])
    t = th.fit_threshold("best_f1", scores, labels)
    assert t.uses_labels
    # flagging {0.8, 0.9}: P=1, R=2/3, F1=0.8; flagging {0.3..0.9}: P=3/4, R=1, F1=6/7 (best)
    assert th.decide(scores, t).tolist() == [0, 0, 1, 1, 1, 1]
    assert precision_recall_f1(labels, th.decide(scores, t)).f1 == pytest.approx(6 / 7)


def test_policy_label_errors_and_unknown_names():
    with pytest.raises(ValueError, match="uses labels"):
        th.fit_threshold("best_f1", SCORES)
    with pytest.raises(ValueError, match="does not use labels"):
        th.fit_threshold("percentile", SCORES, np.zeros(10))
    with pytest.raises(ValueError, match="unknown threshold policy 'p99'"):
        th.fit_threshold("p99", SCORES)
    with pytest.raises(ValueError, match="non-finite"):
        th.fit_threshold("max_train", [1.0, np.nan])


def test_threshold_round_trips_through_a_dict():
    t = th.fit_threshold("percentile", SCORES, q=99, scale=2.5)
    assert th.Threshold.from_dict(t.to_dict()) == t


def test_threshold_from_config_takes_only_the_policys_parameters():
    tcfg = ConfigDict(dict(policy="percentile", q=90.0, scale=2.0, k=3.0, rate=0.05))
    t = th.threshold_from_config(tcfg, SCORES)
    assert t.value == pytest.approx(2 * 9.1) and t.params == {"q": 90.0, "scale": 2.0}
    tcfg.policy = "best_f1"  # labels reach only the policies that use them
    assert th.threshold_from_config(tcfg, SCORES, (SCORES > 8).astype(int)).uses_labels
    tcfg.policy = "p99"
    with pytest.raises(ValueError, match="unknown threshold.policy 'p99'"):
        th.threshold_from_config(tcfg, SCORES)


def test_a_nan_score_is_never_decided_normal():
    t = th.Threshold(1.0, "fixed", False)
    assert th.decide([0.5, np.nan, 2.0, np.inf], t).tolist() == [0, 1, 1, 1]
