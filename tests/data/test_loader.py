import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from aejax import data
from aejax.data import idx
from aejax.data.builders import lecun as lecun_builder
from aejax.data.builders.mnist import SPEC as mnist_spec

pytestmark = pytest.mark.usefixtures("isolated_cache")

MNIST_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)


def test_builder_round_trip_returns_exact_pixels_and_labels(tiny):
    folder, arrays = tiny
    train = data.load("tiny", "train", data_dir=folder)
    images = arrays["train-images-idx3-ubyte"]
    np.testing.assert_array_equal(train.x, images.reshape(len(images), 784) / np.float32(255))
    np.testing.assert_array_equal(train.y, arrays["train-labels-idx1-ubyte"])
    assert train.x.dtype == np.float32 and train.y.dtype == np.int32
    assert train.image_shape == (28, 28)
    np.testing.assert_array_equal(train.x.reshape((-1,) + train.image_shape), images / np.float32(255))
    test = data.load("tiny", "test[1:]", data_dir=folder)
    images = arrays["t10k-images-idx3-ubyte"][1:]
    np.testing.assert_array_equal(test.x, images.reshape(len(images), 784) / np.float32(255))


def test_builder_is_readable_with_tfds_data_source(tiny):
    folder, arrays = tiny
    built = data.builder("tiny", data_dir=folder)
    source = built.as_data_source(split="train")
    assert len(source) == len(arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(source[3]["image"], arrays["train-images-idx3-ubyte"][3])
    assert source[3]["label"] == arrays["train-labels-idx1-ubyte"][3]


def test_cache_returns_identical_arrays_without_the_files(tiny, isolated_cache):
    folder, _ = tiny
    first = data.load("tiny", "train", data_dir=folder)
    assert list(isolated_cache.glob("tfds/aejax_tiny_lecun/1.0.0/aejax_arrays/train.npz"))
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    second = data.load("tiny", "train")  # no data folder any more: served from the cache
    np.testing.assert_array_equal(first.x, second.x)
    np.testing.assert_array_equal(first.y, second.y)


def test_download_route_uses_tfds_download_manager(tiny, monkeypatch):
    folder, arrays = tiny
    monkeypatch.delenv("AEJAX_DATA_DIR", raising=False)
    requested = {}

    def fake_download(self, urls):
        requested.update(urls)
        return {name: folder / f"{name}.gz" for name in urls}

    monkeypatch.setattr(tfds.download.DownloadManager, "download", fake_download)
    monkeypatch.setattr(lecun_builder, "connection_error", lambda url: None)
    train = data.load("tiny", "train")
    assert requested == {n: f"https://example.invalid/{n}.gz" for n in arrays}
    np.testing.assert_array_equal(train.y, arrays["train-labels-idx1-ubyte"])


def test_failed_download_says_where_it_looked(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("AEJAX_DATA_DIR", str(tmp_path / "empty-root"))

    def no_network(self, urls):
        raise OSError("network is unreachable")

    monkeypatch.setattr(tfds.download.DownloadManager, "download", no_network)
    monkeypatch.setattr(lecun_builder, "connection_error", lambda url: None)
    with pytest.raises(data.MissingDataError) as err:
        data.load("tiny")
    message = str(err.value)
    assert str(tmp_path / "empty-root" / "tiny") in message and "network is unreachable" in message


def test_offline_machine_fails_fast_without_download_retries(tiny, monkeypatch):
    monkeypatch.delenv("AEJAX_DATA_DIR", raising=False)

    def refuse(address, timeout):
        raise OSError(f"no route to {address[0]}")

    def must_not_download(self, urls):
        raise AssertionError("download attempted although the host is unreachable")

    monkeypatch.setattr(lecun_builder.socket, "create_connection", refuse)
    monkeypatch.setattr(tfds.download.DownloadManager, "download", must_not_download)
    with pytest.raises(data.MissingDataError) as err:
        data.load("tiny")
    message = str(err.value)
    assert "no internet: cannot reach example.invalid:443 (no route to example.invalid)" in message
    assert "--data-dir and AEJAX_DATA_DIR unset" in message


def test_md5_mismatch_through_the_mnist_builder(tmp_path, write_lecun):
    folder = tmp_path / "fake-mnist"
    write_lecun(folder, gzipped=False)
    with pytest.raises(idx.IdxError) as err:
        data.load("mnist", data_dir=folder)
    message = str(err.value)
    named = [name for name in mnist_spec.file_names() if f"{folder / name}:" in message]
    assert "md5 mismatch" in message and len(named) == 1
    assert mnist_spec.md5[named[0]] in message and idx.md5((folder / named[0]).read_bytes()) in message


def test_truncated_gzip_through_the_builder(tiny):
    folder, _ = tiny
    path = folder / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-8])
    with pytest.raises(idx.IdxError, match="truncated or corrupt gzip"):
        data.load("tiny", data_dir=folder)


def test_missing_files_error_names_folder_files_and_remedies(tmp_path):
    folder = tmp_path / "nothing-here"
    with pytest.raises(data.MissingDataError) as err:
        data.load("mnist", data_dir=folder)
    message = str(err.value)
    for needle in [str(folder), "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "--data-dir",
                   "AEJAX_DATA_DIR", "download"]:
        assert needle in message


def test_unknown_dataset_and_split(tiny):
    with pytest.raises(ValueError, match="registered datasets: .*mnist"):
        data.load("no_such_set")
    with pytest.raises(ValueError, match=r"splits \['test', 'train'\], not 'validation'"):
        data.load("tiny", "validation", data_dir=tiny[0])


def test_data_folder_and_cache_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("AEJAX_DATA_DIR", str(tmp_path))
    assert data.data_folder("mnist") == tmp_path / "mnist"
    assert data.data_folder("mnist", "/x/y").as_posix() == "/x/y"
    monkeypatch.delenv("AEJAX_DATA_DIR")
    assert data.data_folder("mnist") is None
    monkeypatch.setenv("AEJAX_CACHE_DIR", str(tmp_path / "c"))
    assert data.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("AEJAX_CACHE_DIR")
    assert data.cache_dir().parts[-2:] == (".cache", "aejax")


def test_real_mnist_statistics(mnist_dir, mnist_cache):
    train = data.load("mnist", "train", data_dir=mnist_dir, cache=mnist_cache)
    assert train.x.shape == (60000, 784) and train.x.dtype == np.float32
    assert train.y.shape == (60000,) and train.y.dtype == np.int32
    assert train.x.min() == 0.0 and train.x.max() == 1.0
    np.testing.assert_allclose(train.x.mean(dtype=np.float64), 33.318421 / 255, rtol=1e-6)
    assert tuple(np.bincount(train.y, minlength=10)) == MNIST_COUNTS
    np.testing.assert_array_equal(train.y[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])  # the files' order
    test = data.load("mnist", "test", cache=mnist_cache, data_dir=mnist_dir)
    np.testing.assert_allclose(test.x.mean(dtype=np.float64), 33.791224 / 255, rtol=1e-6)


def test_real_mnist_slices_partition_train(mnist_dir, mnist_cache):
    train = data.load("mnist", "train", data_dir=mnist_dir, cache=mnist_cache)
    head = data.load("mnist", "train[:90%]", data_dir=mnist_dir, cache=mnist_cache)
    tail = data.load("mnist", "train[90%:]", data_dir=mnist_dir, cache=mnist_cache)
    assert len(head.y) == 54000 and len(tail.y) == 6000
    np.testing.assert_array_equal(np.concatenate([head.x, tail.x]), train.x)
    np.testing.assert_array_equal(data.load("mnist", "train[:50000]", data_dir=mnist_dir, cache=mnist_cache).y,
                                  train.y[:50000])


def test_processes_started_together_prepare_a_dataset_once(tmp_path):
    """Two runs starting at once on an empty cache both load the data (no rename race)."""
    import subprocess
    import sys

    code = "from aejax import data; s = data.load('digits', 'train'); print(s.x.shape[0])"
    env = {**os.environ, "AEJAX_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-500:] for _, err in outs]
    assert [out.strip().splitlines()[-1] for out, _ in outs] == ["1500"] * 3


@pytest.mark.parametrize("first_import", ["from aejax.data import load, MissingDataError", "import aejax.data.loader",
                                          "import aejax.anomaly.datasets", "import aejax.data.builders.faces"])
def test_any_data_module_can_be_imported_first(first_import):
    """`aejax.data` loads its names on first use, so no import order may depend on the package
    importing the builders before the loader: each entry point imports cleanly in a fresh interpreter."""
    code = f"{first_import}\nfrom aejax.data import registry\nprint('mnist' in registry.names())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "True", out.stderr[-2000:]
