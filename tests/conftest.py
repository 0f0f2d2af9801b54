"""Test defaults: real data from ../shared/data, a dataset cache private to this test run (shared
by its pytest-xdist workers), and the CPU backend.

Data policy: tests that need a real dataset fail when AEJAX_DATA_DIR is set (as CI sets it) and
the dataset's folder is missing there; they skip only when AEJAX_DATA_DIR is unset and the
default ../shared/data lacks it (a checkout without the data, set up by nobody)."""
import os
import tempfile
from pathlib import Path

_SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getpid())
os.environ.setdefault("AEJAX_TEST_DATA_DIR_GIVEN", "1" if os.environ.get("AEJAX_DATA_DIR") else "")
os.environ.setdefault("AEJAX_DATA_DIR", str(_SHARED_DATA))
os.environ.setdefault("AEJAX_CACHE_DIR", str(Path(tempfile.gettempdir()) / f"aejax-test-cache-{_RUN_ID}"))
os.environ.setdefault("JAX_PLATFORMS", "cpu")
