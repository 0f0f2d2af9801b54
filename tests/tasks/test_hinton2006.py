"""Hinton & Salakhutdinov (2006) runner: the FACES and documents loaders (small real subsets),
retrieval, LSA and kNN metrics, initialisation, and tiny end-to-end runs (CG that resumes)."""

import json

import jax
import numpy as np
import pytest
from ml_collections import ConfigDict

from aejax.models.autoencoder import Autoencoder
from aejax.configs.hinton2006 import default_config
from aejax.run import Run
from aejax.tasks import hinton2006, hinton2006_data


def test_faces_loader_puts_both_splits_on_the_papers_scale():
    cfg = ConfigDict(dict(data_dir=None, builder_config="small", train_split="train",
                          test_split="test"))
    d = hinton2006_data.load_faces(cfg, None)
    assert d["train_x"].shape == (1200, 625) and d["test_x"].shape == (400, 625)
    joined = np.concatenate([d["train_x"], d["test_x"]]).astype(np.float64)
    np.testing.assert_allclose(joined.mean(0), 0.0, atol=1e-5)  # every pixel zero mean
    assert joined.var(0).mean() == pytest.approx(1.0, rel=1e-5)  # unit average variance
    assert joined.var(0).std() > 0.01  # one global factor, not a per-pixel one
    assert set(d["test_y"].tolist()) == set(range(30, 40)) and d["unit_range"] is False


def test_news_loader_gives_counts_probabilities_and_groups():
    cfg = ConfigDict(dict(data_dir=None, builder_config="small", vocabulary=50,
                          train_split="train", test_split="test[:100]"))
    d = hinton2006_data.load_news(cfg, None)
    assert d["train_counts"].shape == (566, 50) and d["test_counts"].shape == (100, 50)
    nonempty = d["train_counts"].sum(1) > 0
    np.testing.assert_allclose(d["train_x"][nonempty].sum(1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(d["train_x"] * d["train_counts"].sum(1, keepdims=True),
                               d["train_counts"], rtol=1e-5, atol=1e-5)
    assert len(d["class_names"]) == 20 and d["class_names"][0] == "alt.atheism"


def test_retrieval_accuracy_uses_cosine_similarity():
    # Query 0 = (1, 0): by angle its nearest is (10, 1) (same label), by distance (0.5, 0.5).
    codes = np.array([[1.0, 0.0], [10.0, 1.0], [0.5, 0.5]])
    labels = np.array([0, 0, 1])
    acc = hinton2006.retrieval_accuracy(codes, labels, counts=(1, 2))
    # n=1, cosine: 0 -> 1 hit, 1 -> 0 hit, 2 -> 1 miss: 2/3 (Euclidean would give 1/3).
    assert acc[1] == pytest.approx(2 / 3)
    # n=2: every query sees both others: 1/2, 1/2, 0.
    assert acc[2] == pytest.approx(1 / 3)
    # Cosine ignores lengths: stretching codes changes nothing.
    stretched = codes * np.array([[5.0], [0.1], [3.0]])
    assert hinton2006.retrieval_accuracy(stretched, labels, counts=(1, 2)) == acc


def test_lsa_codes_are_coordinates_on_the_top_singular_directions():
    # log(1 + train counts) = diag(1, 3, 2): right singular vectors e2 (3), e3 (2), e1 (1).
    train = np.expm1(np.diag([1.0, 3.0, 2.0]))
    test = np.expm1(np.array([[0.5, 1.5, 2.5], [2.0, 0.5, 0.0]]))
    codes = hinton2006.lsa_codes(train, test, 2)
    np.testing.assert_allclose(np.abs(codes), [[1.5, 2.5], [0.5, 0.0]], atol=1e-12)
    assert codes[0, 0] * codes[1, 0] > 0  # one direction per component for all documents


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


# A child process running CG fine-tuning (2 epochs of 4 batches, float64, a checkpoint after every
# batch) on a tiny autoencoder; with KILL_AT = k > 0 it SIGKILLs itself as minimize call k starts.
_CG_CHILD = """
import os, signal, sys
import jax, numpy as np
from ml_collections import ConfigDict
from aejax.models.autoencoder import Autoencoder, init_params
from aejax.run import Run
from aejax.tasks import hinton2006
from aejax.train import cg

workdir, kill_at, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
calls, minimize_pytree = [0], cg.minimize_pytree

def minimize_or_die(*args, **kwargs):
    calls[0] += 1
    if calls[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return minimize_pytree(*args, **kwargs)

cg.minimize_pytree = minimize_or_die
cfg = ConfigDict(dict(seed=0, loss="cross_entropy", eval=dict(every_epochs=1), finetune=dict(cg=dict(
    epochs=2, batch_size=50, line_searches=2, float64=True, checkpoint_seconds=0.0))))
model = Autoencoder(sizes=(20, 8, 3))
x = np.random.default_rng(0).uniform(size=(200, 20)).astype(np.float32)
params = hinton2006.finetune_cg(cfg, Run(workdir, quiet=True), model, init_params(model, jax.random.key(0)),
                                x, lambda p: {"test_sse_per_image": 0.0})
np.savez(out, **{"/".join(k.key for k in path): leaf
                 for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]})
"""


def _cg_child(folder, workdir: str, kill_at: int):
    """Run the child in ``folder / workdir``; returns (completed process, params .npz path). The
    children share the test run's persistent compilation cache (tests/conftest.py), so only the
    first one compiles."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = folder / "cg_child.py"
    script.write_text(_CG_CHILD)
    out = folder / f"{workdir}.npz"
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.run([sys.executable, str(script), str(folder / workdir), str(kill_at), str(out)],
                          env=env, capture_output=True, text=True, timeout=300)
    return proc, out


@pytest.fixture(scope="module")
def cg_uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cg_resume")
    proc, out = _cg_child(folder, "straight", 0)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return folder, out


@pytest.mark.parametrize("kill_at", [3, 5], ids=["mid-epoch", "epoch-boundary"])
def test_cg_fine_tuning_killed_at_a_batch_resumes_bitwise(cg_uninterrupted, kill_at):
    """SIGKILL as batch 3 of epoch 1 (two batches checkpointed) or batch 1 of epoch 2 (the epoch
    just checkpointed) starts; the rerun ends with the bits of an uninterrupted run, and logs each
    epoch once with the same loss."""
    folder, straight_out = cg_uninterrupted
    workdir = f"killed_at_{kill_at}"
    killed, killed_out = _cg_child(folder, workdir, kill_at)
    assert killed.returncode == -9, killed.stderr[-3000:]
    assert not killed_out.exists()
    resumed, resumed_out = _cg_child(folder, workdir, 0)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    a, b = np.load(straight_out), np.load(resumed_out)
    assert sorted(a) == sorted(b) and len(a) == 8
    for name in a:
        assert a[name].dtype == np.float32
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    logs = [[json.loads(line) for line in (folder / d / "metrics.jsonl").read_text().splitlines()]
            for d in ("straight", workdir)]
    epochs = [[r for r in log if r.get("phase") == "finetune"] for log in logs]
    assert [r["epoch"] for r in epochs[1]] == [1, 2]
    assert [r["loss"] for r in epochs[0]] == [r["loss"] for r in epochs[1]]
    assert epochs[1][0]["evaluations_per_batch"] == epochs[0][0]["evaluations_per_batch"] > 2
    checkpoints = [[r["step"] for r in log if r.get("event") == "checkpoint"] for log in logs]
    assert checkpoints[0] == checkpoints[1] == list(range(1, 9))  # one per batch, none twice
