"""Hinton & Salakhutdinov (2006) runner: loaders of the original file formats, retrieval and kNN
metrics, initialisation, and a tiny end-to-end run with CG fine-tuning that resumes."""

import json

import jax
import numpy as np
import pytest
import scipy.io
from ml_collections import ConfigDict

from aejax.models.autoencoder import Autoencoder
from aejax.configs.hinton2006 import default_config
from aejax.run import Run
from aejax.tasks import hinton2006, hinton2006_data


def test_faces_file_round_trip_and_split(tmp_path):
    path = hinton2006_data.write_synthetic_faces(tmp_path / "newfaces_rot_single.mat", per_person=3)
    stored = scipy.io.loadmat(path)["newfaces_single"]
    assert stored.shape == (625, 120) and stored.dtype == np.float32
    faces = hinton2006_data.read_faces_file(path)
    np.testing.assert_array_equal(faces, stored.T)
    train, test = hinton2006_data.split_and_normalise_faces(faces, train_people=30)
    assert train.shape == (90, 625) and test.shape == (30, 625)
    np.testing.assert_allclose(train.mean(0), 0.0, atol=1e-5)
    assert np.mean(train.var(0)) == pytest.approx(1.0, rel=1e-4)
    # The test split is the last 10 people, normalised with the training statistics.
    mean, scale = faces[:90].mean(0), np.sqrt(np.mean(faces[:90].var(0)))
    np.testing.assert_allclose(test, (faces[90:] - mean) / scale, rtol=1e-4, atol=1e-5)


def test_faces_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="newfaces_rot_single.mat"):
        hinton2006_data.read_faces_file(tmp_path / "newfaces_rot_single.mat")
    scipy.io.savemat(tmp_path / "bad.mat", {"newfaces_single": np.zeros((100, 4), np.float32)})
    with pytest.raises(ValueError, match=r"\(100, 4\)"):
        hinton2006_data.read_faces_file(tmp_path / "bad.mat")


def test_news_files_give_counts_of_the_most_frequent_training_words(tmp_path):
    # Word 3 occurs 7 times, word 1 five times, word 2 once in training (1-based ids).
    (tmp_path / "train.data").write_text("1 1 2\n1 3 4\n2 1 3\n2 2 1\n2 3 3\n")
    (tmp_path / "train.label").write_text("1\n2\n")
    (tmp_path / "test.data").write_text("1 2 5\n1 3 1\n")
    (tmp_path / "test.label").write_text("2\n")
    cfg = ConfigDict(dict(data_dir=str(tmp_path), vocabulary=2, synthetic=False))
    d = hinton2006_data.load_news(cfg, tmp_path)
    np.testing.assert_array_equal(d["train_counts"], [[4, 2], [3, 3]])
    np.testing.assert_array_equal(d["test_counts"], [[1, 0]])
    np.testing.assert_allclose(d["train_x"], [[4 / 6, 2 / 6], [0.5, 0.5]])
    np.testing.assert_array_equal(d["train_y"], [0, 1])
    np.testing.assert_array_equal(d["test_y"], [1])


def test_news_missing_files_are_named(tmp_path):
    cfg = ConfigDict(dict(data_dir=str(tmp_path), vocabulary=2, synthetic=False))
    with pytest.raises(FileNotFoundError, match="train.data"):
        hinton2006_data.load_news(cfg, tmp_path)


def test_synthetic_news_round_trip(tmp_path):
    folder = hinton2006_data.write_synthetic_news(tmp_path, n_train=20, n_test=10, vocabulary=50)
    triples, labels = hinton2006_data.read_news_split(folder, "train")
    assert labels.shape == (20,) and labels.min() >= 0
    assert triples[:, 0].max() <= 19 and triples[:, 1].max() <= 49 and triples[:, 2].min() >= 1
    counts = hinton2006_data.count_matrix(triples, 20, np.arange(50))
    assert np.all((counts.sum(1) >= 30) & (counts.sum(1) <= 80))


def test_retrieval_accuracy_by_hand():
    # Codes on two rays; labels make query 0's nearest neighbour (1) a hit and query 2's a miss.
    codes = np.array([[1.0, 0.0], [2.0, 0.1], [0.0, 1.0], [0.1, 3.0]])
    labels = np.array([0, 0, 1, 0])
    acc = hinton2006.retrieval_accuracy(codes, labels, counts=(1, 3))
    # n=1: queries 0,1 hit (each other), 2 misses (3), 3 misses (2) -> 2/4.
    # n=3: every query sees all others: same-label fractions 2/3, 2/3, 0, 2/3 -> mean 0.5.
    assert acc[1] == pytest.approx(0.5)
    assert acc[3] == pytest.approx(0.5)


def test_lsa_codes_project_log_counts_on_singular_vectors():
    rng = np.random.default_rng(0)
    train = rng.poisson(1.0, (30, 8)).astype(np.float32)
    test = rng.poisson(1.0, (5, 8)).astype(np.float32)
    _, _, vt = np.linalg.svd(np.log1p(train.astype(np.float64)), full_matrices=False)
    np.testing.assert_allclose(hinton2006.lsa_codes(train, test, 3), np.log1p(test) @ vt[:3].T,
                               rtol=1e-6)


def test_knn_accuracy_on_separated_clusters():
    train = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    test = np.array([[0.05, 0.1], [4.9, 5.2], [0.0, 0.2]])
    assert hinton2006.knn_accuracy(train, [0, 0, 1, 1], test, [0, 1, 1], 1) == pytest.approx(2 / 3)


def test_random_init_small_normal_kernels_zero_biases():
    model = Autoencoder(sizes=(50, 40, 3))
    params = hinton2006.random_init(model, jax.random.key(0), 0.01)
    assert float(np.std(params["enc_0"]["kernel"])) == pytest.approx(0.01, rel=0.1)
    assert not np.any(params["dec_0"]["bias"]) and not np.any(params["enc_1"]["bias"])


def _tiny_faces_config():
    c = default_config()
    c.data.name = "faces"
    c.data.synthetic = True
    c.model.sizes = (625, 12, 4)
    c.model.output_activation = "linear"
    c.loss = "squared_error"
    c.pretrain.visible = "gaussian"
    c.pretrain.epochs = 2
    c.pretrain.batch_size = 40
    c.baselines.pca = (4,)
    c.baselines.logistic_pca = ()
    c.finetune.cg.epochs = 2
    c.finetune.cg.batch_size = 120
    c.finetune.cg.line_searches = 2
    return c


def test_tiny_faces_run_with_cg_fine_tuning_then_resume(tmp_path):
    cfg = _tiny_faces_config()
    out = hinton2006.run_hinton2006(cfg, Run(tmp_path, quiet=True))
    m = out["metrics"]
    # CG lowers the error of the unrolled RBMs; metrics and figures are reported.
    assert m["test_sse_per_image"] < m["initial_test_sse_per_image"]
    assert m["pca_4_test_sse_per_image"] < m["mean_image_test_sse_per_image"]
    assert {"reconstructions.png", "pretraining_curves.png", "finetuning_curves.png"} <= set(out["figures"])
    records = [json.loads(l) for l in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records if r.get("phase") == "finetune"] == [1, 2]
    # Rerunning in the same directory restores the pretrained stack and the CG epochs, bit for bit.
    again = hinton2006.run_hinton2006(cfg, Run(tmp_path, quiet=True))
    assert again["metrics"]["test_sse_per_image"] == m["test_sse_per_image"]
    assert again["metrics"]["pretrain_seconds"] < m["pretrain_seconds"]


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
    c.data.synthetic = True
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
    c.finetune.cg.batch_size = 150
    c.finetune.cg.line_searches = 2
    c.eval.retrieval = True
    return c


def test_tiny_documents_run_reads_counts_and_fine_tunes_softmax_output(tmp_path):
    out = hinton2006.run_hinton2006(_tiny_documents_config(), Run(tmp_path, quiet=True))
    m = out["metrics"]
    # SSE between softmax outputs and word probabilities falls with CG on the softmax loss.
    assert m["test_sse_per_image"] < m["initial_test_sse_per_image"]
    assert 0.0 <= m["retrieval_accuracy_at_1_autoencoder"] <= 1.0
    assert "retrieval_gain_over_lsa" in m
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
