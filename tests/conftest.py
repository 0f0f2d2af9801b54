"""Test defaults: real data from ../shared/data, a private dataset cache, and the CPU backend."""
import os
import tempfile
from pathlib import Path

_SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
os.environ.setdefault("AEJAX_DATA_DIR", str(_SHARED_DATA))
os.environ.setdefault("AEJAX_CACHE_DIR", tempfile.mkdtemp(prefix="aejax-test-cache-"))
os.environ.setdefault("JAX_PLATFORMS", "cpu")
