"""Quick variants of the anomaly/ experiments (see smoke.py)."""
import pytest

from .smoke import check_quick_variant, names


@pytest.mark.parametrize("name", names("anomaly"))
def test_quick_variant(name, tmp_path):
    check_quick_variant(name, tmp_path)
