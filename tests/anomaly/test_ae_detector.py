"""The autoencoder detector: training (plain, tied, denoising, side by side), reconstruction in
padded batches, ensembles, per-step scores and saving."""

import jax
import numpy as np
import pytest

from aejax import eval as eval_lib
from aejax.anomaly import ae_detector as ae
from aejax.anomaly.detector import load_detector
from aejax.anomaly.scores import reconstruction_scores, step_scores
from aejax.run import Run


def _run(path):
    return Run(path, quiet=True)


def test_plain_tied_and_denoising_autoencoders_train(tmp_path, tiny_anomaly_config, plane_rows):
    x = plane_rows()
    counts = {}
    for name, cfg in {"plain": tiny_anomaly_config(), "tied": tiny_anomaly_config(tied=True)}.items():
        model, params = ae.train_autoencoder(cfg, _run(tmp_path / name), x, seed=0, tag="t")
        counts[name] = sum(p.size for p in jax.tree_util.tree_leaves(params))
        assert eval_lib.reconstruct(model, params, x).shape == x.shape
    assert counts["plain"] - counts["tied"] == 6 * 4 + 4 * 2  # the decoder kernels
    cfg = tiny_anomaly_config()
    cfg.corruption.name, cfg.corruption.level = "gaussian", 0.1
    ae.train_autoencoder(cfg, _run(tmp_path / "dae"), x, seed=0, tag="t")
    losses = [r["loss"] for r in _run(tmp_path / "dae").history() if "examples_per_s" in r]
    assert losses[-1] < losses[0]


def test_host_chunked_reconstruction_pads_batches_and_chunks_without_changing_results(tmp_path, tiny_anomaly_config,
                                                                                      plane_rows):
    x = plane_rows(n=37)
    model, params = ae.train_autoencoder(tiny_anomaly_config(), _run(tmp_path), x, seed=0, tag="t")
    whole = np.asarray(eval_lib.reconstruct(model, params, x, batch_size=64))
    for batch_size, host_chunk in ((10, None), (10, 20), (4, 4), (64, 1000)):
        chunked = eval_lib.reconstruct(model, params, x, batch_size=batch_size, host_chunk=host_chunk)
        np.testing.assert_allclose(chunked, whole, rtol=1e-5, atol=1e-6)
    assert isinstance(chunked, np.ndarray) and chunked.dtype == np.float32
    assert eval_lib.reconstruct(model, params, x[:0], batch_size=4, host_chunk=8).shape == (0, 6)


def test_side_by_side_models_train_independently(tmp_path, tiny_anomaly_config, plane_rows):
    # two series: the second is the first scaled by 10; each model keeps its own parameters
    x1 = plane_rows(n=48)
    x = np.stack([x1, 10 * x1], axis=1)  # [N, M=2, D]
    model, params = ae.train_autoencoder(tiny_anomaly_config(), _run(tmp_path), x, seed=0, tag="t", num_models=2)
    assert params["enc_0"]["kernel"].shape == (2, 6, 4)
    recon = eval_lib.reconstruct(model, params, x[:, 1], batch_size=16, members=2, host_chunk=32)  # [N, 2, D]
    single = eval_lib.reconstruct(model, ae.take_model(params, 1), x[:, 1], batch_size=16)
    np.testing.assert_allclose(recon[:, 1], single, rtol=1e-5, atol=1e-5)
    first = eval_lib.reconstruct(model, ae.take_model(params, 0), x[:, 1], batch_size=16)
    assert np.abs(recon[:, 1] - recon[:, 0]).max() > 1.0  # model 1 learned the 10x series, model 0 did not
    np.testing.assert_allclose(recon[:, 0], first, rtol=1e-5, atol=1e-5)


def test_detector_trains_without_a_run_and_scores_by_reconstruction_error(tiny_anomaly_config, plane_rows):
    x = plane_rows()
    cfg = tiny_anomaly_config()
    cfg.score.standardise = True
    detector = ae.AutoencoderDetector.from_config(cfg, seed=0).fit(x)
    model, params = ae.train_autoencoder(cfg, None, x, seed=0, tag="t")
    recon = np.asarray(eval_lib.reconstruct(model, params, x, batch_size=cfg.eval.batch_size), np.float64)
    np.testing.assert_allclose(detector.reconstruct(x), recon, rtol=1e-6, atol=1e-7)  # the same training
    st = detector.standardisers_[0]
    np.testing.assert_allclose(detector.score(x[:5]), reconstruction_scores(x[:5], recon[:5], st), rtol=1e-6)
    np.testing.assert_allclose(detector.train_scores_, reconstruction_scores(x, recon, st), rtol=1e-6)


def test_whitened_ensembles_score_on_the_device_as_numpy_does(tmp_path, tiny_anomaly_config, plane_rows):
    x_train, x_test = plane_rows(n=48), plane_rows(n=20, seed=1)
    cfg = tiny_anomaly_config(ensemble=2)
    cfg.score.standardise, cfg.score.whiten = True, True
    detector = ae.AutoencoderDetector.from_config(cfg, seed=0).fit(x_train)
    recon = detector.reconstruct(x_test)  # [N, K, D]
    expected = np.stack([reconstruction_scores(x_test, recon[:, m], st) for m, st in
                         enumerate(detector.standardisers_)], axis=1)
    assert all(st.whitening.shape == (6, 6) for st in detector.standardisers_)
    np.testing.assert_allclose(detector.score_members(x_test), expected, rtol=1e-3)
    detector.save(tmp_path)
    np.testing.assert_allclose(load_detector(tmp_path).score(x_test), detector.score(x_test), rtol=1e-6)
    cfg.score.standardise = False
    with pytest.raises(ValueError, match="score.whiten=True needs score.standardise=True"):
        ae.AutoencoderDetector.from_config(cfg, seed=0).fit(x_train)


def test_absolute_norm_ensembles_score_on_the_device_as_numpy_does(tmp_path, tiny_anomaly_config, plane_rows):
    x_train, x_test = plane_rows(n=48), plane_rows(n=20, seed=1)
    cfg = tiny_anomaly_config(ensemble=2)
    cfg.score.standardise, cfg.score.norm = True, "absolute"
    detector = ae.AutoencoderDetector.from_config(cfg, seed=0).fit(x_train)
    recon = detector.reconstruct(x_test)  # [N, K, D]
    expected = np.stack([np.abs(st.apply(x_test - recon[:, m])).sum(axis=1)
                         for m, st in enumerate(detector.standardisers_)], axis=1)
    np.testing.assert_allclose(detector.score_members(x_test), expected, rtol=1e-4)
    detector.save(tmp_path)
    restored = load_detector(tmp_path)
    assert restored.config.score.norm == "absolute"
    np.testing.assert_allclose(restored.score(x_test), expected.mean(axis=1), rtol=1e-4)
    cfg.score.norm = "cubic"
    with pytest.raises(ValueError, match="score.norm='cubic' must be one of"):
        ae.AutoencoderDetector.from_config(cfg, seed=0)


def test_recalibrating_with_other_score_settings_equals_fitting_with_them(tiny_anomaly_config, plane_rows):
    x_train, x_test = plane_rows(n=48), plane_rows(n=20, seed=1)
    cfg = tiny_anomaly_config(ensemble=2)
    recalibrated = ae.AutoencoderDetector.from_config(cfg, seed=3).fit(x_train)
    cfg.score.standardise = True
    fitted = ae.AutoencoderDetector.from_config(cfg, seed=3).fit(x_train)
    recalibrated.config.score.standardise = True
    recalibrated.calibrate(x_train)
    np.testing.assert_array_equal(recalibrated.train_scores_, fitted.train_scores_)
    np.testing.assert_array_equal(recalibrated.score(x_test), fitted.score(x_test))


def test_ensemble_score_is_the_mean_of_independently_scored_members(tmp_path, tiny_anomaly_config, plane_rows):
    x_train, x_test = plane_rows(n=48), plane_rows(n=20, seed=1)
    cfg = tiny_anomaly_config(ensemble=3)
    detector = ae.AutoencoderDetector.from_config(cfg, seed=0).fit(x_train, run=_run(tmp_path / "ens"), tag="t")
    # the same three members, trained side by side, each scored on its own
    model, params = ae.train_autoencoder(cfg, _run(tmp_path / "ref"), np.repeat(x_train[:, None], 3, axis=1),
                                         seed=0, tag="t", num_models=3)
    members = np.stack([reconstruction_scores(x_test, np.asarray(eval_lib.reconstruct(model, ae.take_model(params, m),
                                                                                      x_test), np.float64))
                        for m in range(3)], axis=1)
    assert np.ptp(members[0]) > 0  # different initialisations give different members
    np.testing.assert_allclose(detector.score_members(x_test), members, rtol=1e-4)
    np.testing.assert_allclose(detector.score(x_test), members.mean(axis=1), rtol=1e-4)
    assert detector.train_scores_.shape == (48,)


@pytest.mark.parametrize("rule", ["mean", "standardised"])
def test_saved_ensembles_restore_their_scores_and_threshold(tmp_path, rule, tiny_anomaly_config, plane_rows):
    x_train, x_test = plane_rows(n=48), plane_rows(n=20, seed=1)
    cfg = tiny_anomaly_config(ensemble=2)
    cfg.score.standardise, cfg.score.ensemble = True, rule
    detector = ae.AutoencoderDetector.from_config(cfg, seed=1).fit(x_train)
    detector.fit_threshold("percentile", q=90)
    detector.save(tmp_path / "d")
    restored = load_detector(tmp_path / "d")
    assert restored.params_["enc_0"]["kernel"].shape[0] == 2 and restored.threshold_ == detector.threshold_
    np.testing.assert_allclose(restored.score(x_test), detector.score(x_test), rtol=1e-6)
    np.testing.assert_array_equal(restored.predict(x_test), detector.predict(x_test))


def test_conv_detector_gives_per_step_scores_of_windows(tmp_path, tiny_anomaly_config):
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(40, 8, 2)).astype(np.float32)
    cfg = tiny_anomaly_config(kind="conv", channels=(4, 2), kernel_size=3, hidden_activation="relu")
    detector = ae.AutoencoderDetector.from_config(cfg, seed=0).fit(windows)
    per_step = detector.score_steps(windows[:5])
    np.testing.assert_allclose(per_step, step_scores(windows[:5], detector.reconstruct(windows[:5])))
    np.testing.assert_allclose(per_step.sum(axis=1), detector.score(windows[:5]), rtol=1e-6)  # scores: float32 sums
    detector.save(tmp_path)
    np.testing.assert_allclose(load_detector(tmp_path).score_steps(windows[:5]), per_step, rtol=1e-6)
