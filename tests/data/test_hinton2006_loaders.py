"""aejax.data.hinton2006: the FACES, 20 Newsgroups and RCV1 loaders of Hinton & Salakhutdinov's runs
(small real subsets and generated stand-ins)."""

import numpy as np
import pytest
from ml_collections import ConfigDict

from aejax.data import hinton2006 as hinton2006_data


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
