"""Hinton & Salakhutdinov (2006) runner: tiny end-to-end runs on FACES and document subsets,
resumed, and its input checks."""

import json

import numpy as np
import pytest
from ml_collections import ConfigDict

from aejax.configs.hinton2006 import default_config
from aejax.run import Run
from aejax.data import hinton2006 as hinton2006_data
from aejax.tasks import hinton2006


def _tiny_faces_config():
    c = default_config()
    c.data.name = "faces"
    c.data.builder_config = "small"
    c.model.sizes = (625, 12, 4)
    c.model.output_activation = "linear"
    c.loss = "squared_error"
    c.pretrain.visible = "gaussian"
    c.pretrain.epochs = 2
    c.pretrain.batch_size = 40
    c.baselines.pca = (4,)
    c.baselines.logistic_pca = ()
    c.finetune.cg.epochs = 2
    c.finetune.cg.batch_size = 400
    c.finetune.cg.line_searches = 2
    c.eval.ratio_to_pca = True
    return c


def test_tiny_faces_run_with_cg_fine_tuning_then_resume(tmp_path):
    cfg = _tiny_faces_config()
    out = hinton2006.run_hinton2006(cfg, Run(tmp_path, quiet=True))
    m = out["metrics"]
    # CG lowers the error of the unrolled RBMs; metrics and figures are reported.
    assert m["test_sse_per_image"] < m["initial_test_sse_per_image"]
    assert m["pca_4_test_sse_per_image"] < m["mean_image_test_sse_per_image"]
    assert m["test_sse_ratio_to_pca_4"] == pytest.approx(m["test_sse_per_image"]
                                                         / m["pca_4_test_sse_per_image"])
    assert {"reconstructions.png", "pretraining_curves.png", "finetuning_curves.png"} <= set(out["figures"])
    records = [json.loads(l) for l in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records if r.get("phase") == "finetune"] == [1, 2]
    # Rerunning in the same directory restores the pretrained stack and the CG epochs, bit for bit.
    again = hinton2006.run_hinton2006(cfg, Run(tmp_path, quiet=True))
    assert again["metrics"]["test_sse_per_image"] == m["test_sse_per_image"]
    assert again["metrics"]["pretrain_seconds"] < m["pretrain_seconds"]


def test_pca_reports_its_training_error_beside_the_test_error_when_asked(tmp_path):
    rng = np.random.default_rng(0)
    basis = rng.normal(size=(2, 6))
    train = rng.normal(size=(200, 2)) @ basis + 0.1 * rng.normal(size=(200, 6))
    test = rng.normal(size=(50, 2)) @ basis + 0.5 * rng.normal(size=(50, 6))  # noisier: a larger error
    cfg = default_config()
    cfg.baselines.pca, cfg.baselines.logistic_pca, cfg.eval.train_error = (2,), (), True
    metrics, _ = hinton2006.baselines(cfg, Run(tmp_path, quiet=True), {"train_x": train, "test_x": test}, test[:3])
    mean = train.mean(0)
    top = np.linalg.svd(train - mean, full_matrices=False)[2][:2]  # the top-2 principal directions

    def sse(x):
        residual = (x - mean) - (x - mean) @ top.T @ top
        return np.mean(np.sum(residual ** 2, axis=1))

    assert metrics["pca_2_train_sse_per_image"] == pytest.approx(sse(train), rel=1e-9)
    assert metrics["pca_2_test_sse_per_image"] == pytest.approx(sse(test), rel=1e-9)
    assert metrics["pca_2_train_sse_per_image"] < metrics["pca_2_test_sse_per_image"]
    cfg.eval.train_error = False
    assert "pca_2_train_sse_per_image" not in hinton2006.baselines(cfg, Run(tmp_path / "b", quiet=True),
                                                                   {"train_x": train, "test_x": test}, test[:3])[0]


def test_bad_protocol_and_size_mismatch_are_named(tmp_path):
    cfg = _tiny_faces_config()
    cfg.model.sizes = (600, 12, 4)
    with pytest.raises(ValueError, match="model.sizes"):
        hinton2006.run_hinton2006(cfg, Run(tmp_path / "a", quiet=True))
    cfg = _tiny_faces_config()
    cfg.finetune.protocol = "lbfgs"
    with pytest.raises(ValueError, match="'lbfgs'"):
        hinton2006.run_hinton2006(cfg, Run(tmp_path / "b", quiet=True))


def _tiny_documents_config():
    c = default_config()
    c.data.name = "20news"
    c.data.builder_config = "small"
    c.data.vocabulary = 60
    c.model.sizes = (60, 16, 4)
    c.loss = "softmax_cross_entropy"
    c.pretrain.visible = "softmax"
    c.pretrain.first_learning_rate = 0.01
    c.pretrain.epochs = 3
    c.pretrain.batch_size = 50
    c.baselines.pca = ()
    c.baselines.logistic_pca = ()
    c.finetune.cg.epochs = 1
    c.finetune.cg.batch_size = 283
    c.finetune.cg.line_searches = 2
    c.eval.retrieval = True
    return c


def test_tiny_documents_run_reads_counts_and_fine_tunes_softmax_output(tmp_path):
    out = hinton2006.run_hinton2006(_tiny_documents_config(), Run(tmp_path, quiet=True))
    m = out["metrics"]
    # SSE between softmax outputs and word probabilities falls with CG on the softmax loss.
    assert m["test_sse_per_image"] < m["initial_test_sse_per_image"]
    for method in ("autoencoder", "lsa", "counts"):
        assert 0.0 <= m[f"retrieval_accuracy_at_1_{method}"] <= 1.0
        assert f"retrieval_accuracy_at_255_{method}" in m  # up to 376 others per query
        assert f"retrieval_accuracy_at_511_{method}" not in m
    assert m["retrieval_gain_over_lsa"] == pytest.approx(min(
        m[f"retrieval_accuracy_at_{n}_autoencoder"] - m[f"retrieval_accuracy_at_{n}_lsa"]
        for n in (1, 3, 7, 15, 31, 63, 127, 255)))
    assert "retrieval.png" in out["figures"]
    records = [json.loads(l) for l in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    first_rbm = [r["rbm_recon_sse_per_example"] for r in records
                 if r.get("phase") == "pretrain/enc_0"]
    assert len(first_rbm) == 3 and first_rbm[-1] < first_rbm[0]


def test_count_inputs_need_the_softmax_loss(tmp_path):
    cfg = _tiny_documents_config()
    cfg.loss = "cross_entropy"
    with pytest.raises(ValueError, match="softmax_cross_entropy"):
        hinton2006.run_hinton2006(cfg, Run(tmp_path, quiet=True))


def test_rcv1_loader_gives_counts_probabilities_and_topic_labels(tmp_path):
    cfg = ConfigDict({"synthetic": True, "vocabulary": 50, "data_dir": None})
    d = hinton2006_data.load_rcv1(cfg, tmp_path)
    assert d["train_counts"].shape == (300, 50) and d["test_counts"].shape == (300, 50)
    nonempty = d["train_counts"].sum(1) > 0
    np.testing.assert_allclose(d["train_x"][nonempty].sum(1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(d["train_x"] * d["train_counts"].sum(1, keepdims=True),
                               d["train_counts"], rtol=1e-5, atol=1e-5)
    # Generated documents: topic T0k of 4 plus the shared GCAT; labels are the T0k (1..4).
    assert set(np.unique(d["train_y"]).tolist()) == {1, 2, 3, 4}


def test_the_fine_tuning_estimate_is_its_steps_times_a_timed_step(tmp_path, monkeypatch):
    from aejax.configs.hinton2006 import mnist_modern_config
    from aejax.models import autoencoder
    from aejax.train import fit

    cfg = mnist_modern_config(quick=True)  # batches of 100
    cfg.model.sizes, cfg.train.epochs = (12, 6, 3), 3
    x = np.random.default_rng(0).uniform(size=(1050, 12)).astype(np.float32)
    timed = fit.seconds_per_step(cfg, x, model=autoencoder.from_config(cfg.model), steps=4)
    assert 0 < timed < 5
    monkeypatch.setattr(fit, "seconds_per_step", lambda *args, **kwargs: 0.25)
    run = Run(tmp_path, quiet=True)
    assert hinton2006.finetune_seconds(cfg, run, None, x) == 3 * 10 * 0.25  # 10 full batches per epoch
    cfg.finetune.protocol = "cg"
    assert hinton2006.finetune_seconds(cfg, run, None, x) == 0.0
