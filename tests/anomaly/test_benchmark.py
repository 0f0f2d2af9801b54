"""The selection benchmark's cells (aejax.anomaly.benchmark): ADBench's protocol, synthetic scenarios and
the score cache."""

import numpy as np
import pytest

from aejax.anomaly import benchmark


def test_a_large_set_is_subsampled_keeping_its_anomaly_share():
    labels = np.r_[np.ones(300, int), np.zeros(29700, int)]  # 1 %
    rows = benchmark.stratified_subsample(labels, 10_000, seed=0)
    assert len(rows) == 10_000 and labels[rows].sum() == 100 and np.all(np.diff(rows) > 0)
    assert not np.array_equal(rows, benchmark.stratified_subsample(labels, 10_000, seed=1))
    np.testing.assert_array_equal(benchmark.stratified_subsample(labels[:5000], 10_000, seed=0), np.arange(5000))
    rare = np.r_[np.ones(3, int), np.zeros(99_997, int)]  # smtp-like: 3 in 100,000 keep 2, not 0
    assert rare[benchmark.stratified_subsample(rare, 10_000, seed=0)].sum() == 2


@pytest.mark.parametrize("scenario", ["real", "dependency"])
def test_a_cell_is_a_stratified_70_30_split_and_one_class_training_drops_anomalies(tmp_path, scenario):
    cell = benchmark.load_cell("wbc", scenario, 0, root=tmp_path)  # 223 rows, 10 anomalies
    assert len(cell.x_train) + len(cell.x_test) == 223 and len(cell.x_test) == 67
    assert cell.y_test.sum() == 3 and cell.y_train.sum() == 7
    assert len(cell.training("unsupervised")) == 156 and len(cell.training("one-class")) == 149
    again = benchmark.load_cell("wbc", scenario, 0, root=tmp_path)  # read back from the cache
    np.testing.assert_array_equal(again.x_test, cell.x_test)
    with pytest.raises(ValueError, match="protocol 'semi' must be one of"):
        cell.training("semi")


def test_synthetic_cells_replace_the_rows_but_keep_their_counts(tmp_path):
    real = benchmark.make_cell("wbc", "real", 0)
    local = benchmark.make_cell("wbc", "local", 0)
    assert local.x_train.shape == real.x_train.shape and local.y_test.sum() == real.y_test.sum()
    assert not np.isin(local.x_test, real.x_test).all()
    with pytest.raises(ValueError, match="unknown scenario 'noisy'"):
        benchmark.make_cell("wbc", "noisy", 0)


def test_the_store_reads_back_what_it_wrote_under_a_safe_name(tmp_path):
    cell = benchmark.Cell("wbc", "real", 1, np.zeros((4, 2)), np.zeros(4), np.zeros((2, 2)), np.array([0, 1]))
    store = benchmark.ScoreStore(tmp_path)
    assert store.get(cell, "unsupervised", "lib:knn-minmax") is None
    store.put(cell, "unsupervised", "lib:knn-minmax", train=np.arange(4.0), test=np.arange(2.0))
    got = store.get(cell, "unsupervised", "lib:knn-minmax")
    np.testing.assert_array_equal(got["test"], [0.0, 1.0])
    assert store.path(cell, "unsupervised", "lib:knn-minmax").name == "lib_knn-minmax.npz"
    assert len(benchmark.method_key("x" * 300)) < 120
