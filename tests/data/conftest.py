import os
from pathlib import Path

import pytest

MNIST_DIR = Path(os.environ.get("AEJAX_DATA_DIR", Path(__file__).parents[3] / "shared" / "data")) / "mnist"


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    """A temporary AEJAX_CACHE_DIR for the test (use it in every test that prepares data)."""
    cache = tmp_path / "aejax-cache"
    monkeypatch.setenv("AEJAX_CACHE_DIR", str(cache))
    return cache


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder with the real MNIST files (skips the test when absent)."""
    if not (MNIST_DIR / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"no MNIST copy in {MNIST_DIR}")
    return MNIST_DIR


@pytest.fixture(scope="session")
def mnist_cache(tmp_path_factory, mnist_dir):
    """A cache root with the real MNIST prepared once for the whole session."""
    from aejax import data

    cache = tmp_path_factory.mktemp("mnist-cache")
    data.builder("mnist", data_dir=mnist_dir, cache=cache)
    return cache
