import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from aejax.data import idx, lecun, registry
from aejax.data.builders.lecun import LecunBuilder

MNIST_DIR = Path(os.environ.get("AEJAX_DATA_DIR", Path(__file__).parents[3] / "shared" / "data")) / "mnist"


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    """A temporary AEJAX_CACHE_DIR for the test (use it in every test that prepares data)."""
    cache = tmp_path / "aejax-cache"
    monkeypatch.setenv("AEJAX_CACHE_DIR", str(cache))
    return cache


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder with the real MNIST files. Absent: a failure when AEJAX_DATA_DIR was given (CI),
    a skip when nobody set up data (tests/conftest.py states the policy)."""
    if not (MNIST_DIR / "train-images-idx3-ubyte.gz").exists():
        message = f"no MNIST copy in {MNIST_DIR}"
        if os.environ.get("AEJAX_TEST_DATA_DIR_GIVEN"):
            pytest.fail(f"{message}, although AEJAX_DATA_DIR is set; put the four MNIST files there")
        pytest.skip(f"{message} (AEJAX_DATA_DIR unset)")
    return MNIST_DIR


@pytest.fixture(scope="session")
def mnist_cache(tmp_path_factory, mnist_dir):
    """A cache root with the real MNIST prepared once for the whole session."""
    from aejax import data

    cache = tmp_path_factory.mktemp("mnist-cache")
    data.builder("mnist", data_dir=mnist_dir, cache=cache)
    return cache


def _idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write_tiny_lecun(folder, n_train=40, n_test=10, gzipped=True):
    """Writes four tiny IDX files; returns their arrays and the md5 of each file's content."""
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    md5s = {}
    for name, array in arrays.items():
        content = _idx_bytes(array)
        md5s[name] = idx.md5(content)
        if gzipped:
            (folder / f"{name}.gz").write_bytes(gzip.compress(content))
        else:
            (folder / name).write_bytes(content)
    return arrays, md5s


@pytest.fixture
def write_lecun():
    """`write(folder, n_train, n_test, gzipped) -> (arrays, md5s)`: four small IDX files in MNIST's layout."""
    return _write_tiny_lecun


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A registered dataset "tiny" in the MNIST layout with checksums of files the test wrote."""
    arrays, md5s = _write_tiny_lecun(tmp_path / "tiny-files")
    files = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
    spec = lecun.LecunFiles(files=files, md5=md5s, urls={n: f"https://example.invalid/{n}.gz" for n in md5s})

    class TinyLecun(LecunBuilder, skip_registration=True):
        name = "aejax_tiny_lecun"
        DATASET_NAME = "tiny"
        VERSION = tfds.core.Version("1.0.0")
        SPEC = spec
        EXPECTED_FILES = spec.file_names()

    monkeypatch.setitem(registry._BUILDERS, "tiny", TinyLecun)
    return tmp_path / "tiny-files", arrays
