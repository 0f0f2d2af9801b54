"""Test defaults: real data from ../shared/data, a dataset cache private to this test run (shared
by its pytest-xdist workers), and the CPU backend."""
import os
import tempfile
from pathlib import Path

_SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getpid())
os.environ.setdefault("AEJAX_DATA_DIR", str(_SHARED_DATA))
os.environ.setdefault("AEJAX_CACHE_DIR", str(Path(tempfile.gettempdir()) / f"aejax-test-cache-{_RUN_ID}"))
os.environ.setdefault("JAX_PLATFORMS", "cpu")
