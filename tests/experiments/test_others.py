"""Quick variants of every experiment outside anomaly/, hinton2006/ and mnist/ (see smoke.py)."""
import pytest

from .smoke import check_quick_variant, names


@pytest.mark.parametrize("name", names(exclude=("anomaly", "hinton2006", "mnist")))
def test_quick_variant(name, tmp_path):
    check_quick_variant(name, tmp_path)
