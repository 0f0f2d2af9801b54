"""Candidates of the selection scored from one training each (aejax.anomaly.candidates): what they
store is what `aejax anomaly fit`'s detector with that setting scores."""

import numpy as np

from aejax.anomaly.benchmark import Cell, ScoreStore
from aejax.anomaly.candidates import candidate_scores, features
from aejax.anomaly.fit_file import sized_detector
from aejax.anomaly.settings import TABLE_DEFAULT, candidate_name, table_candidate, user_config


def _cell():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(260, 3)) @ rng.normal(size=(3, 5))
    y = np.zeros(260, np.int32)
    y[:8] = 1
    x[:8, 0] += 3.0
    return Cell("toy", "real", 0, x[:200], y[:200], x[200:], np.r_[y[:4], y[204:]])


def test_a_stored_candidate_scores_as_the_fitted_detector_of_its_setting(tmp_path):
    cell, store = _cell(), ScoreStore(tmp_path)
    setting = {**TABLE_DEFAULT, "residuals": "whitened", "norm": "squared", "partner": "knn", "weight": 0.5}
    got = candidate_scores(store, cell, "unsupervised", setting)
    x_train, x_test = features(cell, "unsupervised", setting["scaling"])
    cfg = table_candidate(user_config("table"), setting)
    detector, _, _ = sized_detector(cfg, window=None, per_series=False, series_windows=len(x_train), features=5)
    detector.fit(x_train)
    assert detector.kind == "combined"
    np.testing.assert_allclose(got["test"], detector.score(x_test), rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(got["train"], detector.train_scores_, rtol=1e-3, atol=1e-3)
    # every way of scoring the same training was stored on the way: no second training
    alone = candidate_scores(store, cell, "unsupervised", {**setting, "residuals": "raw", "partner": "none"})
    np.testing.assert_allclose(alone["test"], _raw_scores(detector.members["autoencoder"], x_test), rtol=1e-3)


def _raw_scores(ae, x):
    """The mean over members of the sum of squared errors, [N]."""
    recon = ae.reconstruct(x)  # [N, K, D]
    return np.mean([((x - recon[:, m]) ** 2).sum(axis=1) for m in range(recon.shape[1])], axis=0)


def test_candidate_names_say_every_setting():
    setting = {**TABLE_DEFAULT, "scaling": "standard", "code": "sqrt", "budget": "epochs", "steps": 1000, "noise": 0.0,
               "residuals": "whitened", "norm": "squared", "partner": "none"}
    assert candidate_name(setting) == "standard-sqrt-epochs-1000steps-plain-whitened-squared"
    assert candidate_name({**setting, "partner": "iforest", "weight": 0.5}).endswith("-whitened-squared+iforest0.5")
