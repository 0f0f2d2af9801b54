"""Scores, threshold policies, metrics and protocols of aejax.tasks.anomaly."""

import jax
import numpy as np
import pytest
from sklearn import metrics as skm

from aejax.tasks import anomaly as an

# ----------------------------------------------------------------------------- scores


def test_reconstruction_scores_are_per_example_sum_of_squares():
    x = np.array([[1.0, 2.0], [0.0, 0.0]])
    recon = np.array([[0.0, 0.0], [0.5, -1.0]])
    np.testing.assert_allclose(an.reconstruction_scores(x, recon), [1 + 4, 0.25 + 1])


def test_standardised_scores_divide_residual_by_training_std():
    train_x = np.array([[0.0, 0.0], [2.0, 20.0]])
    train_r = np.zeros_like(train_x)  # residuals (0,0) and (2,20): mean (1,10), std (1,10)
    st = an.fit_error_standardiser(train_x, train_r)
    np.testing.assert_allclose(st.mean, [1.0, 10.0])
    np.testing.assert_allclose(st.std, [1.0, 10.0])
    # residual (3, 30) -> standardised (2, 2) -> score 8
    np.testing.assert_allclose(an.reconstruction_scores([[3.0, 30.0]], [[0.0, 0.0]], st), [8.0])
    restored = an.ErrorStandardiser.from_dict(st.to_dict())
    np.testing.assert_array_equal(restored.mean, st.mean)
    np.testing.assert_array_equal(restored.std, st.std)


def test_window_and_step_scores():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5, 3))
    recon = rng.normal(size=(4, 5, 3))
    per_step = an.step_scores(x, recon)
    assert per_step.shape == (4, 5)
    np.testing.assert_allclose(per_step, ((x - recon) ** 2).sum(-1))
    np.testing.assert_allclose(an.reconstruction_scores(x, recon), per_step.sum(1))
    with pytest.raises(ValueError, match="windows"):
        an.step_scores(x[:, :, 0], recon[:, :, 0])


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differ in shape"):
        an.reconstruction_scores(np.zeros((2, 3)), np.zeros((2, 4)))


def test_steps_to_series_averages_overlapping_windows():
    # series length 6, windows of size 3 at stride 2: starts 0, 2 (covering 0..4); step 5 uncovered
    per_step = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    series = an.steps_to_series(per_step, [0, 2], 6)
    np.testing.assert_allclose(series[:5], [1.0, 2.0, (3.0 + 10.0) / 2, 20.0, 30.0])
    assert np.isnan(series[5])
    with pytest.raises(ValueError, match="do not fit"):
        an.steps_to_series(per_step, [0, 4], 6)


# ----------------------------------------------------------------------------- thresholds

SCORES = np.arange(1.0, 11.0)  # 1, 2, ..., 10


def test_percentile_policy():
    t = an.fit_threshold("percentile", SCORES, q=90)
    assert t.value == pytest.approx(9.1)  # numpy linear interpolation: 9 + 0.1 * (10 - 9)
    assert not t.uses_labels
    assert an.fit_threshold("percentile", SCORES, q=50, scale=2.5).value == pytest.approx(13.75)
    with pytest.raises(ValueError, match="q=101"):
        an.fit_threshold("percentile", SCORES, q=101)


def test_mean_std_policy():
    t = an.fit_threshold("mean_std", SCORES, k=2)
    assert t.value == pytest.approx(5.5 + 2 * np.sqrt(8.25))  # population std of 1..10


def test_max_train_policy_flags_nothing_on_its_own_scores():
    t = an.fit_threshold("max_train", SCORES)
    assert t.value == 10.0
    assert an.decide(SCORES, t).sum() == 0
    assert an.decide([10.5, 9.0], t).tolist() == [1, 0]


def test_contamination_policy_flags_the_known_fraction():
    t = an.fit_threshold("contamination", SCORES, rate=0.2)
    assert an.decide(SCORES, t).tolist() == [0] * 8 + [1, 1]
    with pytest.raises(ValueError, match="rate=1.5"):
        an.fit_threshold("contamination", SCORES, rate=1.5)


def test_best_f1_policy_uses_labels_and_finds_the_best_cut():
    scores = np.array([0.1, 0.2, 0.3, 0.35, 0.8, 0.9])
    labels = np.array([0, 0, 1, 0, 1, 1])
    t = an.fit_threshold("best_f1", scores, labels)
    assert t.uses_labels
    # flagging {0.8, 0.9}: P=1, R=2/3, F1=0.8; flagging {0.3..0.9}: P=3/4, R=1, F1=6/7 (best)
    assert an.decide(scores, t).tolist() == [0, 0, 1, 1, 1, 1]
    assert an.precision_recall_f1(labels, an.decide(scores, t))["f1"] == pytest.approx(6 / 7)


def test_policy_label_errors_and_unknown_names():
    with pytest.raises(ValueError, match="uses labels"):
        an.fit_threshold("best_f1", SCORES)
    with pytest.raises(ValueError, match="does not use labels"):
        an.fit_threshold("percentile", SCORES, np.zeros(10))
    with pytest.raises(ValueError, match="unknown threshold policy 'p99'"):
        an.fit_threshold("p99", SCORES)
    with pytest.raises(ValueError, match="non-finite"):
        an.fit_threshold("max_train", [1.0, np.nan])


def test_threshold_round_trips_through_a_dict():
    t = an.fit_threshold("percentile", SCORES, q=99, scale=2.5)
    assert an.Threshold.from_dict(t.to_dict()) == t


# ----------------------------------------------------------------------------- metrics


def test_auroc_and_auprc_match_scikit_learn():
    rng = np.random.default_rng(1)
    labels = (rng.random(200) < 0.1).astype(int)
    scores = rng.normal(size=200) + 1.5 * labels
    assert an.auroc(labels, scores) == pytest.approx(skm.roc_auc_score(labels, scores))
    assert an.auprc(labels, scores) == pytest.approx(skm.average_precision_score(labels, scores))


def test_auroc_by_hand():
    # pairs (anomaly, normal): 0.8>0.1, 0.8>0.4, 0.35<0.4, 0.35>0.1 -> 3 of 4 correctly ordered
    assert an.auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    # AP = mean over anomalies of precision at their rank: 1/1 and 2/3
    assert an.auprc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx((1 + 2 / 3) / 2)


def test_metric_errors():
    with pytest.raises(ValueError, match="both normal"):
        an.auroc([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="0 \\(normal\\) or 1"):
        an.auroc([0, 2, 1], [0.1, 0.2, 0.3])


def test_precision_recall_f1_by_hand():
    out = an.precision_recall_f1([1, 1, 1, 0, 0], [1, 0, 0, 1, 0])
    assert out == pytest.approx({"precision": 0.5, "recall": 1 / 3, "f1": 0.4})
    assert an.precision_recall_f1([1, 0], [0, 0]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_point_adjust_fills_hit_segments_only():
    labels = [0, 1, 1, 1, 0, 1, 1, 0]
    decisions = [0, 0, 1, 0, 0, 0, 0, 1]
    assert an.point_adjust(labels, decisions).tolist() == [0, 1, 1, 1, 0, 0, 0, 1]


def test_evaluate_reports_point_adjusted_f1_only_as_a_labelled_extra():
    labels = np.array([0, 1, 1, 1, 0, 0])
    scores = np.array([0.1, 0.2, 0.9, 0.1, 0.0, 0.3])
    t = an.Threshold(0.5, "fixed", False)
    out = an.evaluate(labels, scores, t)
    assert "f1_point_adjusted" not in out
    assert out["f1"] == pytest.approx(2 * 1 * (1 / 3) / (1 + 1 / 3))
    out = an.evaluate(labels, scores, t, point_adjusted=True)
    assert out["f1_point_adjusted"] == pytest.approx(1.0)
    assert out["auroc"] == pytest.approx(skm.roc_auc_score(labels, scores))


# ----------------------------------------------------------------------------- protocols


def test_one_class_split_never_trains_on_an_anomaly():
    labels = (np.random.default_rng(2).random(1000) < 0.2).astype(int)
    split = an.one_class_split(labels, train_fraction=0.5, seed=3)
    assert split.protocol == "one-class"
    assert labels[split.train].sum() == 0
    assert len(np.intersect1d(split.train, split.test)) == 0
    assert len(split.test) == 500
    # every normal row is either trained on or tested; training anomalies are dropped entirely
    assert len(split.train) + (labels[split.test] == 0).sum() == (labels == 0).sum()
    again = an.one_class_split(labels, train_fraction=0.5, seed=3)
    np.testing.assert_array_equal(split.train, again.train)


def test_unsupervised_split_is_stratified_and_contaminated():
    labels = np.array([1] * 30 + [0] * 970)
    split = an.unsupervised_split(labels, test_fraction=0.3, seed=0)
    assert len(split.test) == 300 and labels[split.test].sum() == 9
    assert labels[split.train].sum() == 21
    assert sorted(np.concatenate([split.train, split.test]).tolist()) == list(range(1000))
    one_class = an.drop_training_anomalies(split, labels)
    assert labels[one_class.train].sum() == 0 and one_class.protocol == "one-class"
    np.testing.assert_array_equal(one_class.test, split.test)


def test_windows_to_series_mean_and_min():
    # windows of size 3 at starts 0, 1, 2 over 5 steps with scores 1, 5, 3
    mean = an.windows_to_series([1.0, 5.0, 3.0], [0, 1, 2], 3, 5)
    np.testing.assert_allclose(mean, [1, 3, 3, 4, 3])
    low = an.windows_to_series([1.0, 5.0, 3.0], [0, 1, 2], 3, 6, reduce="min")
    np.testing.assert_allclose(low[:5], [1, 1, 1, 3, 3])
    assert np.isnan(low[5])
    with pytest.raises(ValueError, match="reduce='max'"):
        an.windows_to_series([1.0], [0], 3, 5, reduce="max")


# ----------------------------------------------------------------------------- runner pieces


def _tiny_config(**model):
    cfg = an.default_config("thyroid")
    cfg.model.hidden = (4, 2)
    cfg.train.epochs = 4
    cfg.train.batch_size = 16
    cfg.train.optimizer.learning_rate = 1e-2
    cfg.model.update(model)
    return cfg


def _plane(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, 2)) @ rng.normal(size=(2, 6))).astype(np.float32)


def _run(tmp_path):
    from aejax.run import Run

    return Run(tmp_path, quiet=True)


def test_plain_tied_and_denoising_autoencoders_train(tmp_path):
    x = _plane()
    counts = {}
    for name, cfg in {"plain": _tiny_config(), "tied": _tiny_config(tied=True)}.items():
        model, params = an.train_autoencoder(cfg, _run(tmp_path / name), x, seed=0, tag="t")
        counts[name] = sum(p.size for p in jax.tree_util.tree_leaves(params))
        assert an.reconstruct(model, params, x).shape == x.shape
    assert counts["plain"] - counts["tied"] == 6 * 4 + 4 * 2  # the decoder kernels
    cfg = _tiny_config()
    cfg.corruption.name, cfg.corruption.level = "gaussian", 0.1
    model, params = an.train_autoencoder(cfg, _run(tmp_path / "dae"), x, seed=0, tag="t")
    losses = [r["loss"] for r in _run(tmp_path / "dae").history() if "examples_per_s" in r]
    assert losses[-1] < losses[0]


def test_reconstruct_pads_batches_without_changing_results(tmp_path):
    x = _plane(n=37)
    model, params = an.train_autoencoder(_tiny_config(), _run(tmp_path), x, seed=0, tag="t")
    whole = an.reconstruct(model, params, x, batch_size=64)
    np.testing.assert_allclose(an.reconstruct(model, params, x, batch_size=10), whole, rtol=1e-5, atol=1e-6)


def test_side_by_side_models_train_independently(tmp_path):
    # two series: the second is the first scaled by 10; each model keeps its own parameters
    x1 = _plane(n=48)
    x = np.stack([x1, 10 * x1], axis=1)  # [N, M=2, D]
    model, params = an.train_autoencoder(_tiny_config(), _run(tmp_path), x, seed=0, tag="t", num_models=2)
    assert params["enc_0"]["kernel"].shape == (2, 6, 4)
    recon = an.reconstruct(model, params, x, batch_size=16, num_models=2)
    single = an.reconstruct(model, an.take_model(params, 1), x[:, 1], batch_size=16)
    np.testing.assert_allclose(recon[:, 1], single, rtol=1e-5, atol=1e-5)


def test_ensemble_scores_average_raw_or_per_member_standardised_scores():
    members = np.array([[1.0, 10.0], [3.0, 30.0], [2.0, 40.0]])  # [N=3, K=2]
    np.testing.assert_allclose(an.ensemble_scores(members), [5.5, 16.5, 21.0])
    # training scores: member 0 mean 2 std 1, member 1 mean 20 std 10
    train = np.array([[1.0, 10.0], [3.0, 30.0]])
    np.testing.assert_allclose(an.ensemble_scores(members, an.member_reference(train)), [-1.0, 1.0, (0.0 + 2.0) / 2])
    with pytest.raises(ValueError, match=r"must be \[N, K\]"):
        an.ensemble_scores(members[:, 0])
    with pytest.raises(ValueError, match="the reference has 1 members, the scores 2"):
        an.ensemble_scores(members, an.member_reference(train[:, :1]))


def test_ensemble_score_is_the_mean_of_independently_scored_members(tmp_path):
    x_train, x_test = _plane(n=48), _plane(n=20, seed=1)
    cfg = _tiny_config(ensemble=3)
    scores, _ = an._fit_and_score_tabular(cfg, _run(tmp_path / "ens"), x_train, {"test": x_test}, seed=0, tag="t")
    # the same three members, trained side by side, each scored on its own
    model, params = an.train_autoencoder(cfg, _run(tmp_path / "ref"), np.repeat(x_train[:, None], 3, axis=1),
                                         seed=0, tag="t", num_models=3)
    members = np.stack([an.reconstruction_scores(x_test, an.reconstruct(model, an.take_model(params, m), x_test))
                        for m in range(3)], axis=1)
    assert np.ptp(members[0]) > 0  # different initialisations give different members
    np.testing.assert_allclose(scores["ae"]["test"], members.mean(axis=1), rtol=1e-4)
    assert scores["ae"]["train"].shape == (48,)


def test_series_ensemble_members_are_the_single_models_of_their_seeds(tmp_path):
    rng = np.random.default_rng(0)
    series = [rng.normal(size=(40, 2)).astype(np.float32) for _ in range(2)]
    windows = [(np.stack([z[i:i + 8] for i in range(33)]), np.arange(33)) for z in series]  # [33, 8, 2]
    train_windows, n_train = [w[:20] for w, _ in windows], [20, 20]
    cfg = _tiny_config(ensemble=2)
    cfg.score.standardise = True
    steps = an.series_member_step_scores(cfg, _run(tmp_path / "ens"), windows, train_windows, n_train, seed=3)
    assert [s.shape for s in steps] == [(2, 33, 8), (2, 33, 8)]
    assert not np.allclose(steps[0][0], steps[0][1])
    cfg.model.ensemble = 1
    for member, seed in ((0, 3), (1, 1003)):  # member m trains with seed + 1000 m
        single = an.series_member_step_scores(cfg, _run(tmp_path / f"m{member}"), windows, train_windows, n_train,
                                              seed=seed)
        for i in range(2):
            np.testing.assert_allclose(steps[i][member], single[i][0], rtol=1e-4, atol=1e-6)


def test_threshold_config_errors():
    cfg = _tiny_config()
    cfg.threshold.policy = "p99"
    with pytest.raises(ValueError, match="unknown threshold.policy 'p99'"):
        an.threshold_from_config(cfg.threshold, SCORES)
    cfg.threshold.policy, cfg.threshold.fit_on = "percentile", "validation"
    with pytest.raises(ValueError, match="threshold.fit_on='validation' is not a split"):
        an._thresholds(cfg, {"ae": {"train": SCORES, "test": SCORES}}, {})


def test_tabular_runs_report_variance_pca_and_code_width_pca_side_by_side(tmp_path):
    from aejax.baselines import anomaly as baselines

    # 6 features on a plane plus small noise on every axis: 95 % of the variance needs 2 components,
    # the AE's code width is 1
    x = _plane(n=80) + 0.01 * np.random.default_rng(1).normal(size=(80, 6)).astype(np.float32)
    cfg = _tiny_config()
    cfg.model.hidden = (4, 1)
    cfg.baselines.pca_components, cfg.baselines.pca_code_width = 0.95, True
    scores, _ = an._fit_and_score_tabular(cfg, _run(tmp_path), x, {"test": x[:10]}, seed=0, tag="t")
    assert set(scores) == {"ae", "pca", "iforest", an.CODE_WIDTH_PCA}
    np.testing.assert_allclose(scores["pca"]["test"], baselines.fit_pca(x, 2)(x[:10]))
    np.testing.assert_allclose(scores[an.CODE_WIDTH_PCA]["test"], baselines.fit_pca(x, 1)(x[:10]))
    assert np.all(scores[an.CODE_WIDTH_PCA]["test"] > scores["pca"]["test"])  # one axis fewer: larger errors
    cfg.baselines.pca_components = 0.0  # PCA already has the code width: no duplicate column
    scores, _ = an._fit_and_score_tabular(cfg, _run(tmp_path / "b"), x, {"test": x[:10]}, seed=0, tag="t")
    assert an.CODE_WIDTH_PCA not in scores


def test_summary_table_shows_the_code_width_pca_column_where_a_run_has_it():
    def result(name, auroc_by_method):
        metrics = {f"{m}_{k}": v for m, v in auroc_by_method.items() for k in ("auroc", "auprc", "f1")}
        return {"experiment": name, "metrics": metrics, "config": {"protocol": {"name": "unsupervised"},
                                                                   "threshold": {"policy": "contamination"}},
                "reference": {"ae_auroc": {"value": 0.9, "source": "s"}}}

    rows = an.summary_rows([result("anomaly/a", {"ae": 0.95, "pca": 0.8, "iforest": 0.9, "pca_code": 0.7}),
                            result("anomaly/b", {"ae": 0.6, "pca": 0.5, "iforest": 0.7})])
    assert [r["pca_code_auroc"] for r in rows] == [0.7, None]
    lines = an.summary_markdown(rows).splitlines()
    assert "| pca code auroc |" in lines[0]
    assert lines[2].startswith("| anomaly/a | unsupervised | contamination | 0.9500 | 0.8000 | 0.9000 | 0.7000 |")
    assert lines[3].startswith("| anomaly/b | unsupervised | contamination | 0.6000 | 0.5000 | 0.7000 | — |")
