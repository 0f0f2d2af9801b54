import pytest

from aejax import cli


def test_data_list_names_every_registered_dataset(capsys):
    assert cli.main(["data", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("mnist", "fashion_mnist", "curves", "digits"):
        assert name in out
    assert "train-images-idx3-ubyte" in out


@pytest.mark.usefixtures("isolated_cache")
def test_data_prepare_reports_the_splits(capsys):
    assert cli.main(["data", "prepare", "digits"]) == 0
    out = capsys.readouterr().out
    assert "digits train: x (1500, 64) float32" in out and "digits test: x (297, 64) float32" in out
