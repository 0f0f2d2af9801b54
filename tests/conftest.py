"""Test defaults: real data from ../shared/data, a private cache, and a quiet CPU backend."""
import os
from pathlib import Path

_SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
os.environ.setdefault("AEJAX_DATA_DIR", str(_SHARED_DATA))
os.environ.setdefault("JAX_PLATFORMS", "cpu")
