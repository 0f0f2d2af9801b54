"""Test defaults: real data from ../shared/data, a dataset cache and a persistent JAX compilation
cache private to this test run (shared by its pytest-xdist workers and the processes tests start),
and the CPU backend. The compilation cache keeps every program, however fast it compiled: tests
rebuild the same small programs many times, and compiling dominates their time.

Data policy: tests that need a real dataset fail when AEJAX_DATA_DIR is set (as CI sets it) and
the dataset's folder is missing there; they skip only when AEJAX_DATA_DIR is unset and the
default ../shared/data lacks it (a checkout without the data, set up by nobody)."""
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

_SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getpid())
os.environ.setdefault("AEJAX_TEST_DATA_DIR_GIVEN", "1" if os.environ.get("AEJAX_DATA_DIR") else "")
os.environ.setdefault("AEJAX_DATA_DIR", str(_SHARED_DATA))
os.environ["AEJAX_DATA_DIR"] = os.path.abspath(os.environ["AEJAX_DATA_DIR"])  # tests that chdir keep it
os.environ.setdefault("AEJAX_CACHE_DIR", str(Path(tempfile.gettempdir()) / f"aejax-test-cache-{_RUN_ID}"))
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(Path(tempfile.gettempdir()) / f"aejax-test-jax-cache-{_RUN_ID}"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
os.environ.setdefault("JAX_PLATFORMS", "cpu")


@pytest.fixture
def tiny_anomaly_config():
    """Factory: a small anomaly run config (thyroid defaults, a 4-2 MLP, 4 epochs of batch 16),
    keyword arguments overriding `model`."""
    from aejax.anomaly.settings import default_config

    def make(**model):
        cfg = default_config("thyroid")
        cfg.model.hidden = (4, 2)
        cfg.train.epochs = 4
        cfg.train.batch_size = 16
        cfg.train.optimizer.learning_rate = 1e-2
        cfg.model.update(model)
        return cfg

    return make


@pytest.fixture
def plane_rows():
    """Factory: n float32 rows [n, 6] on a random 2-D plane (seeded)."""
    def make(n=64, seed=0):
        rng = np.random.default_rng(seed)
        return (rng.normal(size=(n, 2)) @ rng.normal(size=(2, 6))).astype(np.float32)

    return make
