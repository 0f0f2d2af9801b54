"""Runner pieces of the anomaly tasks: methods fitted side by side on tables, series ensembles,
threshold config errors, and the anomaly/all summary table."""

import numpy as np
import pytest
from ml_collections import ConfigDict

from aejax.anomaly import ae_detector as ae
from aejax.anomaly.build import CODE_WIDTH_PCA
from aejax.anomaly.metrics import Evaluation, RunEvaluation, over_seeds
from aejax.anomaly.detector import Detector
from aejax.anomaly.pca import PCAReconstructionDetector
from aejax.anomaly.series_detector import SeriesDetector
from aejax.anomaly.windows import aggregate_steps, sliding_windows
from aejax.run import Run
from aejax.anomaly import run_all, run_series, run_tables

SCORES = np.arange(1.0, 11.0)


def test_tabular_runs_report_variance_pca_and_code_width_pca_side_by_side(tmp_path, tiny_anomaly_config, plane_rows):
    # 6 features on a plane plus small noise on every axis: 95 % of the variance needs 2 components,
    # the AE's code width is 1
    x = plane_rows(n=80) + 0.01 * np.random.default_rng(1).normal(size=(80, 6)).astype(np.float32)
    cfg = tiny_anomaly_config()
    cfg.model.hidden = (4, 1)
    cfg.baselines.pca_components, cfg.baselines.pca_code_width = 0.95, True
    scores, _ = run_tables.fit_and_score(cfg, Run(tmp_path, quiet=True), x, {"test": x[:10]}, seed=0, tag="t")
    assert set(scores) == {"ae", "pca", "iforest", CODE_WIDTH_PCA}
    np.testing.assert_allclose(scores["pca"]["test"], PCAReconstructionDetector(2).fit(x).score(x[:10]))
    np.testing.assert_allclose(scores[CODE_WIDTH_PCA]["test"], PCAReconstructionDetector(1).fit(x).score(x[:10]))
    assert np.all(scores[CODE_WIDTH_PCA]["test"] > scores["pca"]["test"])  # one axis fewer: larger errors
    cfg.baselines.pca_components = 0.0  # PCA already has the code width: no duplicate column
    scores, _ = run_tables.fit_and_score(cfg, Run(tmp_path / "b", quiet=True), x, {"test": x[:10]}, seed=0,
                                             tag="t")
    assert CODE_WIDTH_PCA not in scores


def _two_series_and_a_conv_config(tiny_anomaly_config):
    """Two 40-step, 2-channel series ("b/0" with 5x the spread of "a/0") and a tiny conv AE config
    with standardised residuals."""
    rng = np.random.default_rng(0)
    series = {"a/0": rng.normal(size=(40, 2)).astype(np.float32),
              "b/0": 5 * rng.normal(size=(40, 2)).astype(np.float32)}
    cfg = tiny_anomaly_config(kind="conv", channels=(4, 2), kernel_size=3, hidden_activation="relu")
    cfg.score.standardise = True
    return series, cfg


def test_per_series_autoencoders_train_side_by_side_each_calibrated_on_its_own_series(tiny_anomaly_config):
    series, cfg = _two_series_and_a_conv_config(tiny_anomaly_config)
    detector = SeriesDetector(ae.AutoencoderDetector.from_config(cfg, seed=0), size=8, per_series=True).fit(series)
    first, second = detector.detectors_["a/0"], detector.detectors_["b/0"]
    assert first.params_["enc_0"]["kernel"].shape == second.params_["enc_0"]["kernel"].shape
    assert not np.allclose(first.params_["enc_0"]["kernel"], second.params_["enc_0"]["kernel"])
    for name, d in detector.detectors_.items():
        windows = sliding_windows(series[name], 8)[0]
        residual = windows - d.reconstruct(windows)
        np.testing.assert_allclose(d.standardisers_[0].mean, residual.mean(axis=(0, 1)), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(detector.train_by_series_[name],
                                   aggregate_steps(d.score_steps(windows), np.arange(len(windows)), 40, "step_mean"))


def test_a_pooled_autoencoder_calibrated_per_series_shares_its_weights_not_its_standardisers(tiny_anomaly_config):
    series, cfg = _two_series_and_a_conv_config(tiny_anomaly_config)
    detector = SeriesDetector(ae.AutoencoderDetector.from_config(cfg, seed=0), size=8,
                              calibrate_per_series=True).fit(series)
    first, second = detector.detectors_["a/0"], detector.detectors_["b/0"]
    assert first.params_ is second.params_
    for name, d in detector.detectors_.items():
        windows = sliding_windows(series[name], 8)[0]
        residual = windows - d.reconstruct(windows)
        np.testing.assert_allclose(d.standardisers_[0].std, residual.std(axis=(0, 1)), rtol=1e-4)
    assert np.all(second.standardisers_[0].std > 2 * first.standardisers_[0].std)  # 5x the spread
    with pytest.raises(ValueError, match="series 'c/0' has no model"):
        detector.score({"c/0": series["a/0"]})
    with pytest.raises(ValueError, match="calibrate_per_series needs per_series=False"):
        SeriesDetector(ae.AutoencoderDetector.from_config(cfg, seed=0), size=8, per_series=True,
                       calibrate_per_series=True)


def test_series_scores_are_divided_by_their_series_threshold_and_folds_name_groups():
    class Doubling(Detector):
        kind = "doubling"

        def fit(self, X, **_):
            return self

        def _score(self, X):
            return 2 * np.asarray(X).reshape(len(X), -1).sum(axis=1)

        def score_steps(self, windows):
            return 2 * np.asarray(windows)[..., 0]

        def _state(self):
            return {}

        @classmethod
        def _from_state(cls, state, directory):
            return cls()

    values = {"g/0": np.arange(10.0)[:, None], "g/1": 10 + np.arange(10.0)[:, None]}
    detector = SeriesDetector(Doubling(), size=2).fit({k: v[:4] for k, v in values.items()})
    threshold = ConfigDict(dict(policy="percentile", q=100.0, scale=1.0, fit_on="train"))
    scores = run_series.normalised_test_scores(detector, values, {"g/0": 4, "g/1": 4}, threshold)
    # step scores are 2 x the value; the threshold is the largest training score (2 x 3, 2 x 13)
    np.testing.assert_allclose(scores[0], np.arange(4.0, 10.0) / 3)
    np.testing.assert_allclose(scores[1], np.arange(14.0, 20.0) / 13)
    folds = (("valve1", "valve2"), ("other",))
    assert [run_series.fold_of(n, folds) for n in ("valve2/3", "other/0", "nab/x")] == \
        ["valve1_valve2", "other", None]


def test_threshold_config_errors(tiny_anomaly_config):
    cfg = tiny_anomaly_config()
    cfg.threshold.fit_on = "validation"
    with pytest.raises(ValueError, match="threshold.fit_on='validation' is not a split"):
        run_tables.fit_thresholds(cfg, {"ae": {"train": SCORES, "test": SCORES}}, {})


def _result(name, auroc_by_method):
    evaluation = RunEvaluation({"test": {m: over_seeds([Evaluation(v, v, v, v, v)]) for m, v in auroc_by_method.items()}},
                               "test")
    res = {"experiment": name, "config": {"protocol": {"name": "unsupervised"}, "threshold": {"policy": "contamination"}},
           "reference": {"ae_auroc": {"value": 0.9, "source": "s"}}}
    return res, evaluation


def test_summary_table_shows_the_code_width_pca_column_where_a_run_has_it(tmp_path):
    (a, ea), (b, eb) = (_result("anomaly/a", {"ae": 0.95, "pca": 0.8, "iforest": 0.9, "pca_code": 0.7}),
                        _result("anomaly/b", {"ae": 0.6, "pca": 0.5, "iforest": 0.7}))
    rows = run_all.summary_rows([a, b], [ea, eb])
    assert [r.get("pca_code", "auroc") for r in rows] == [0.7, None]
    lines = run_all.summary_markdown(rows).splitlines()
    assert "| pca code auroc |" in lines[0]
    assert lines[2].startswith("| anomaly/a | unsupervised | contamination | 0.9500 | 0.8000 | 0.9000 | 0.7000 |")
    assert lines[3].startswith("| anomaly/b | unsupervised | contamination | 0.6000 | 0.5000 | 0.7000 | — |")
    counts = run_all.adbench_counts(rows, [a, b], ("a", "b"))
    assert counts == {"adbench_sets": 2, "adbench_ae_at_least_pca_auroc": 2, "adbench_ae_at_least_pca_code_auroc": 1,
                      "adbench_ae_at_least_published_pca_auroc": 1, "adbench_ae_beats_iforest_auroc": 1}
    run_all.write_summary_csv(tmp_path / "s.csv", rows)
    assert (tmp_path / "s.csv").read_text().splitlines()[0].startswith("run,protocol,threshold,ae_auroc,pca_auroc")
