"""Cluster accuracy with Hungarian matching, and the cluster runner on a small dataset."""
import numpy as np
import pytest

from aejax.config import base_config
from aejax.run import Run
from aejax.configs.cluster import cluster_config
from aejax.configs.stacked import pretrain_config
from aejax.tasks import cluster


def test_a_relabelled_perfect_clustering_has_accuracy_one():
    labels = np.repeat(np.arange(5), 7)
    relabel = np.array([3, 0, 4, 1, 2])
    assert cluster.cluster_accuracy(labels, relabel[labels]) == 1.0


def test_accuracy_of_a_hand_checked_case():
    # Clusters 1 -> class 0 (2 right), 0 -> class 1 (1 right), 2 -> class 2 (2 right): 5 of 6.
    labels = np.array([0, 0, 1, 1, 2, 2])
    clusters = np.array([1, 1, 0, 2, 2, 2])
    assert cluster.cluster_accuracy(labels, clusters) == pytest.approx(5 / 6)
    # One cluster for everything matches a single class: 2 of 6.
    assert cluster.cluster_accuracy(labels, np.zeros(6, int)) == pytest.approx(2 / 6)


def test_mismatched_shapes_are_an_error():
    with pytest.raises(ValueError, match="same shape"):
        cluster.cluster_accuracy(np.zeros(3, int), np.zeros(4, int))


def test_kmeans_finds_well_separated_blobs():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 50)
    centres = np.array([[0, 0], [10, 0], [0, 10]])
    x = centres[labels] + rng.normal(size=(150, 2))
    scores = cluster.kmeans_scores(x, labels, 3, 4, 0)
    assert scores == {"accuracy": 1.0, "nmi": pytest.approx(1.0)}


def test_runner_scores_codes_and_baselines_on_digits(tmp_path):
    c = base_config()
    c.task = "cluster"
    c.data.name = "digits"
    c.model.sizes = (64, 32, 10)
    c.model.hidden_activation = "sigmoid"
    c.model.code_activation = "sigmoid"
    c.pretrain = pretrain_config(epochs=5, corruption_name="masking", level=0.2)
    c.pretrain.batch_size = 50
    c.pretrain.optimizer.name = "adam"
    c.pretrain.optimizer.learning_rate = 1e-2
    c.cluster = cluster_config()
    c.cluster.n_init = 3
    run = Run(tmp_path, quiet=True)
    out = cluster.run_cluster(c, run)
    run.close()
    m = out["metrics"]
    assert set(m) == {f"{s}_{f}" for s in ("accuracy", "nmi") for f in ("codes", "pca", "pixels")}
    # 297 test digits in 10 classes: every representation clusters far above chance (about 0.1).
    assert min(m["accuracy_codes"], m["accuracy_pca"], m["accuracy_pixels"]) > 0.4
    assert 0 < m["nmi_codes"] <= 1
