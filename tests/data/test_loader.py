import os
from pathlib import Path

import numpy as np
import pytest

from aejax import data
from aejax.data import lecun

MNIST_DIR = Path(os.environ.get("AEJAX_DATA_DIR", Path(__file__).parents[3] / "shared" / "data")) / "mnist"
needs_mnist = pytest.mark.skipif(not (MNIST_DIR / "train-images-idx3-ubyte.gz").exists(), reason="no MNIST copy")


@needs_mnist
def test_real_mnist_statistics():
    train = data.load("mnist", "train", data_dir=MNIST_DIR)
    assert train.x.shape == (60000, 784) and train.x.dtype == np.float32
    assert train.y.shape == (60000,) and train.y.dtype == np.int32
    assert train.x.min() == 0.0 and train.x.max() == 1.0
    np.testing.assert_allclose(train.x.mean(dtype=np.float64), 33.318421 / 255, rtol=1e-6)
    counts = np.bincount(train.y, minlength=10)
    assert tuple(counts) == (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)


@needs_mnist
def test_real_mnist_slices():
    train = data.load("mnist", "train", data_dir=MNIST_DIR)
    head = data.load("mnist", "train[:90%]", data_dir=MNIST_DIR)
    tail = data.load("mnist", "train[90%:]", data_dir=MNIST_DIR)
    assert len(head.y) == 54000 and len(tail.y) == 6000
    np.testing.assert_array_equal(np.concatenate([head.x, tail.x]), train.x)
    test = data.load("mnist", "test", data_dir=MNIST_DIR)
    np.testing.assert_allclose(test.x.mean(dtype=np.float64), 33.791224 / 255, rtol=1e-6)


def test_missing_files_error_names_folder_files_and_remedies(tmp_path):
    folder = tmp_path / "nothing-here"
    with pytest.raises(lecun.MissingDataError) as err:
        data.load("mnist", data_dir=folder)
    message = str(err.value)
    for needle in [str(folder), "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "--data-dir", "AEJAX_DATA_DIR", "download"]:
        assert needle in message


def test_data_folder_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("AEJAX_DATA_DIR", str(tmp_path))
    assert data.data_folder("mnist") == tmp_path / "mnist"
    assert data.data_folder("mnist", "/x/y") == Path("/x/y")
    monkeypatch.delenv("AEJAX_DATA_DIR")
    assert data.data_folder("mnist") is None
