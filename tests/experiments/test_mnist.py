"""Quick variants of the mnist/ experiments (see smoke.py)."""
import pytest

from .smoke import check_quick_variant, names


@pytest.mark.parametrize("name", names("mnist"))
def test_quick_variant(name, tmp_path):
    check_quick_variant(name, tmp_path)
