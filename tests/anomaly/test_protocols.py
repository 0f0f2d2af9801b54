"""One-class and unsupervised splits of aejax.anomaly.protocols."""

import numpy as np

from aejax.anomaly import protocols as pr


def test_one_class_split_never_trains_on_an_anomaly():
    labels = (np.random.default_rng(2).random(1000) < 0.2).astype(int)
    split = pr.one_class_split(labels, train_fraction=0.5, seed=3)
    assert split.protocol == "one-class"
    assert labels[split.train].sum() == 0
    assert len(np.intersect1d(split.train, split.test)) == 0
    assert len(split.test) == 500
    # every normal row is either trained on or tested; training anomalies are dropped entirely
    assert len(split.train) + (labels[split.test] == 0).sum() == (labels == 0).sum()
    again = pr.one_class_split(labels, train_fraction=0.5, seed=3)
    np.testing.assert_array_equal(split.train, again.train)


def test_unsupervised_split_is_stratified_and_contaminated():
    labels = np.array([1] * 30 + [0] * 970)
    split = pr.unsupervised_split(labels, test_fraction=0.3, seed=0)
    assert len(split.test) == 300 and labels[split.test].sum() == 9
    assert labels[split.train].sum() == 21
    assert sorted(np.concatenate([split.train, split.test]).tolist()) == list(range(1000))
    one_class = pr.drop_training_anomalies(split, labels)
    assert labels[one_class.train].sum() == 0 and one_class.protocol == "one-class"
    np.testing.assert_array_equal(one_class.test, split.test)


def test_subsample_keeps_at_most_limit_sorted_rows():
    rows = np.arange(100, 200)
    out = pr.subsample(rows, 10, seed=1)
    assert len(out) == 10 and np.all(np.diff(out) > 0) and set(out) <= set(rows)
    np.testing.assert_array_equal(pr.subsample(rows, 0, seed=1), rows)
