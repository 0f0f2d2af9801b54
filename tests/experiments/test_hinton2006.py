"""Quick variants of the hinton2006/ experiments (see smoke.py)."""
import pytest

from .smoke import check_quick_variant, names


@pytest.mark.parametrize("name", names("hinton2006"))
def test_quick_variant(name, tmp_path):
    check_quick_variant(name, tmp_path)
