"""Runner pieces of the anomaly tasks: methods fitted side by side on tables, series ensembles,
threshold config errors, and the anomaly/all summary table."""

import numpy as np
import pytest

from aejax.anomaly import autoencoder as ae
from aejax.anomaly.build import CODE_WIDTH_PCA
from aejax.anomaly.metrics import Evaluation, RunEvaluation, over_seeds
from aejax.anomaly.pca import PCAReconstructionDetector
from aejax.run import Run
from aejax.tasks import anomaly_all, anomaly_series, anomaly_tables

SCORES = np.arange(1.0, 11.0)


def test_tabular_runs_report_variance_pca_and_code_width_pca_side_by_side(tmp_path, tiny_anomaly_config, plane_rows):
    # 6 features on a plane plus small noise on every axis: 95 % of the variance needs 2 components,
    # the AE's code width is 1
    x = plane_rows(n=80) + 0.01 * np.random.default_rng(1).normal(size=(80, 6)).astype(np.float32)
    cfg = tiny_anomaly_config()
    cfg.model.hidden = (4, 1)
    cfg.baselines.pca_components, cfg.baselines.pca_code_width = 0.95, True
    scores, _ = anomaly_tables.fit_and_score(cfg, Run(tmp_path, quiet=True), x, {"test": x[:10]}, seed=0, tag="t")
    assert set(scores) == {"ae", "pca", "iforest", CODE_WIDTH_PCA}
    np.testing.assert_allclose(scores["pca"]["test"], PCAReconstructionDetector(2).fit(x).score(x[:10]))
    np.testing.assert_allclose(scores[CODE_WIDTH_PCA]["test"], PCAReconstructionDetector(1).fit(x).score(x[:10]))
    assert np.all(scores[CODE_WIDTH_PCA]["test"] > scores["pca"]["test"])  # one axis fewer: larger errors
    cfg.baselines.pca_components = 0.0  # PCA already has the code width: no duplicate column
    scores, _ = anomaly_tables.fit_and_score(cfg, Run(tmp_path / "b", quiet=True), x, {"test": x[:10]}, seed=0,
                                             tag="t")
    assert CODE_WIDTH_PCA not in scores


def test_series_ensemble_members_are_the_single_models_of_their_seeds(tmp_path, tiny_anomaly_config):
    rng = np.random.default_rng(0)
    series = [rng.normal(size=(40, 2)).astype(np.float32) for _ in range(2)]
    windows = [(np.stack([z[i:i + 8] for i in range(33)]), np.arange(33)) for z in series]  # [33, 8, 2]
    train_windows, n_train = [w[:20] for w, _ in windows], [20, 20]
    cfg = tiny_anomaly_config(ensemble=2)
    cfg.score.standardise = True
    steps = anomaly_series.series_member_step_scores(cfg, Run(tmp_path / "ens", quiet=True), windows, train_windows,
                                                     n_train, seed=3)
    assert [s.shape for s in steps] == [(2, 33, 8), (2, 33, 8)]
    assert not np.allclose(steps[0][0], steps[0][1])
    for member, seed in ((0, 3), (1, 1003)):  # member m trains alone with seed + 1000 m
        single = tiny_anomaly_config()
        model, params = ae.train_autoencoder(single, None, np.concatenate(train_windows), seed=seed, tag="t")
        for i, (w, _) in enumerate(windows):
            recon = ae.reconstruct(model, params, w, batch_size=single.eval.batch_size)
            residual = w - recon
            mean, std = residual[:20].mean(axis=(0, 1)), np.maximum(residual[:20].std(axis=(0, 1)), 1e-8)
            np.testing.assert_allclose(steps[i][member], (((residual - mean) / std) ** 2).sum(-1), rtol=1e-4, atol=1e-6)


def test_threshold_config_errors(tiny_anomaly_config):
    cfg = tiny_anomaly_config()
    cfg.threshold.fit_on = "validation"
    with pytest.raises(ValueError, match="threshold.fit_on='validation' is not a split"):
        anomaly_tables.fit_thresholds(cfg, {"ae": {"train": SCORES, "test": SCORES}}, {})


def _result(name, auroc_by_method):
    evaluation = RunEvaluation({"test": {m: over_seeds([Evaluation(v, v, v, v, v)]) for m, v in auroc_by_method.items()}},
                               "test")
    res = {"experiment": name, "config": {"protocol": {"name": "unsupervised"}, "threshold": {"policy": "contamination"}},
           "reference": {"ae_auroc": {"value": 0.9, "source": "s"}}}
    return res, evaluation


def test_summary_table_shows_the_code_width_pca_column_where_a_run_has_it(tmp_path):
    (a, ea), (b, eb) = (_result("anomaly/a", {"ae": 0.95, "pca": 0.8, "iforest": 0.9, "pca_code": 0.7}),
                        _result("anomaly/b", {"ae": 0.6, "pca": 0.5, "iforest": 0.7}))
    rows = anomaly_all.summary_rows([a, b], [ea, eb])
    assert [r.get("pca_code", "auroc") for r in rows] == [0.7, None]
    lines = anomaly_all.summary_markdown(rows).splitlines()
    assert "| pca code auroc |" in lines[0]
    assert lines[2].startswith("| anomaly/a | unsupervised | contamination | 0.9500 | 0.8000 | 0.9000 | 0.7000 |")
    assert lines[3].startswith("| anomaly/b | unsupervised | contamination | 0.6000 | 0.5000 | 0.7000 | — |")
    counts = anomaly_all.adbench_counts(rows, [a, b], ("a", "b"))
    assert counts == {"adbench_sets": 2, "adbench_ae_at_least_pca_auroc": 2, "adbench_ae_at_least_pca_code_auroc": 1,
                      "adbench_ae_at_least_published_pca_auroc": 1, "adbench_ae_beats_iforest_auroc": 1}
    anomaly_all.write_summary_csv(tmp_path / "s.csv", rows)
    assert (tmp_path / "s.csv").read_text().splitlines()[0].startswith("run,protocol,threshold,ae_auroc,pca_auroc")
