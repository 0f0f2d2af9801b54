"""Metrics and structured run results of aejax.anomaly.metrics."""

import numpy as np
import pytest
from sklearn import metrics as skm

from aejax.anomaly import metrics as mt
from aejax.anomaly.thresholds import Threshold


def test_auroc_and_auprc_match_scikit_learn():
    rng = np.random.default_rng(1)
    labels = (rng.random(200) < 0.1).astype(int)
    scores = rng.normal(size=200) + 1.5 * labels
    assert mt.auroc(labels, scores) == pytest.approx(skm.roc_auc_score(labels, scores))
    assert mt.auprc(labels, scores) == pytest.approx(skm.average_precision_score(labels, scores))


def test_auroc_by_hand():
    # pairs (anomaly, normal): 0.8>0.1, 0.8>0.4, 0.35<0.4, 0.35>0.1 -> 3 of 4 correctly ordered
    assert mt.auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    # AP = mean over anomalies of precision at their rank: 1/1 and 2/3
    assert mt.auprc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx((1 + 2 / 3) / 2)


def test_metric_errors():
    with pytest.raises(ValueError, match="both normal"):
        mt.auroc([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="0 \\(normal\\) or 1"):
        mt.auroc([0, 2, 1], [0.1, 0.2, 0.3])


def test_precision_recall_f1_by_hand():
    out = mt.precision_recall_f1([1, 1, 1, 0, 0], [1, 0, 0, 1, 0])
    assert (out.precision, out.recall, out.f1) == pytest.approx((0.5, 1 / 3, 0.4))
    assert mt.precision_recall_f1([1, 0], [0, 0]) == mt.PrecisionRecallF1(0.0, 0.0, 0.0)


def test_precision_recall_f1_matches_scikit_learn():
    rng = np.random.default_rng(2)
    labels, decisions = (rng.random((2, 300)) < [[0.1], [0.2]]).astype(int)
    expected = skm.precision_recall_fscore_support(labels, decisions, average="binary", zero_division=0)[:3]
    out = mt.precision_recall_f1(labels, decisions)
    assert (out.precision, out.recall, out.f1) == pytest.approx(expected)


def test_point_adjust_fills_hit_segments_only():
    labels = [0, 1, 1, 1, 0, 1, 1, 0]
    decisions = [0, 0, 1, 0, 0, 0, 0, 1]
    assert mt.point_adjust(labels, decisions).tolist() == [0, 1, 1, 1, 0, 0, 0, 1]


def test_random_point_adjusted_f1_by_hand():
    # one segment of 4 anomalous points among 8; flagging 1 random point: with probability 1/2 it hits
    # the segment (point-adjusted TP 4, FP 0: F1 1), else TP 0 (F1 0)
    labels = [0, 0, 1, 1, 1, 1, 0, 0]
    assert mt.random_point_adjusted_f1(labels, 1, draws=4000, seed=0) == pytest.approx(0.5, abs=0.03)
    assert mt.random_point_adjusted_f1(labels, 8, draws=3) == pytest.approx(2 / 3)  # all flagged: P 1/2, R 1
    assert mt.random_point_adjusted_f1(labels, 0, draws=3) == 0.0


def test_evaluate_reports_point_adjusted_f1_only_as_labelled_extras():
    labels = np.array([0, 1, 1, 1, 0, 0])
    scores = np.array([0.1, 0.2, 0.9, 0.1, 0.0, 0.3])
    t = Threshold(0.5, "fixed", False)
    out = mt.evaluate(labels, scores, t)
    assert out.f1_point_adjusted is None and "f1_point_adjusted" not in out.reported()
    assert out.f1 == pytest.approx(2 * 1 * (1 / 3) / (1 + 1 / 3))
    out = mt.evaluate(labels, scores, t, point_adjusted=True, alarm_rates=True, accuracy=True)
    assert out.f1_point_adjusted == pytest.approx(1.0)
    assert 0 < out.f1_point_adjusted_random <= 1
    assert out.auroc == pytest.approx(skm.roc_auc_score(labels, scores))
    assert (out.far, out.mar, out.accuracy) == pytest.approx((0.0, 2 / 3, 4 / 6))


def _ev(auroc, f1):
    return mt.Evaluation(auroc=auroc, auprc=0.5, precision=0.5, recall=0.5, f1=f1, threshold=1.0)


def test_over_seeds_gives_mean_and_population_std():
    result = mt.over_seeds([_ev(0.8, 0.2), _ev(0.9, 0.4)])
    assert result.mean.auroc == pytest.approx(0.85) and result.std.auroc == pytest.approx(0.05)
    assert result.std.f1 == pytest.approx(0.1)
    assert mt.over_seeds([_ev(0.8, 0.2)]).std is None


def test_run_evaluation_flattens_to_results_keys_and_round_trips():
    evaluation = mt.RunEvaluation(
        {"a": {"ae": mt.over_seeds([_ev(0.8, 0.2), _ev(0.9, 0.4)])}, "b": {"ae": mt.over_seeds([_ev(0.7, 0.1)])}},
        primary="a", suffixed=("a", "b"))
    flat = evaluation.metrics()
    assert flat["ae_auroc"] == pytest.approx(0.85) and flat["ae_auroc_std"] == pytest.approx(0.05)
    assert flat["ae_auroc_a"] == flat["ae_auroc"] and flat["ae_auroc_b"] == 0.7
    assert "ae_auroc_b_std" not in flat and "ae_far" not in flat
    assert "ae_auroc_std" not in evaluation.metrics(with_std=False)
    assert mt.RunEvaluation.from_dict(evaluation.to_dict()) == evaluation
