import pytest

from aejax.data import splits


@pytest.mark.parametrize(
    "split, n, expected",
    [
        ("train", 60000, (0, 60000)),
        ("train[:50000]", 60000, (0, 50000)),
        ("train[50000:]", 60000, (50000, 60000)),
        ("train[:90%]", 60000, (0, 54000)),
        ("train[90%:]", 60000, (54000, 60000)),
        ("train[10%:20%]", 1000, (100, 200)),
        ("train[-10:]", 100, (90, 100)),
        ("test[:33%]", 10, (0, 3)),
    ],
)
def test_bounds(split, n, expected):
    assert splits.bounds(splits.parse(split), n) == expected


def test_percent_halves_partition_the_split():
    n = 1001
    head = splits.bounds(splits.parse("train[:37%]"), n)
    tail = splits.bounds(splits.parse("train[37%:]"), n)
    assert head[1] == tail[0] and head[0] == 0 and tail[1] == n


def test_base_name():
    assert splits.parse("test").base == "test"
    assert splits.parse("train[:5]").base == "train"


@pytest.mark.parametrize("bad", ["train[5]", "train[a:]", "train[:150%]", "[:5]", ""])
def test_bad_split_names_the_value(bad):
    with pytest.raises(ValueError, match="Bad split"):
        splits.parse(bad)
