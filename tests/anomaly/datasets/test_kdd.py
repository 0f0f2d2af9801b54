"""NSL-KDD and KDD Cup 99 parsing: label semantics, column kinds, the parse cache."""

import gzip

import numpy as np
import pytest

from aejax.anomaly import datasets as anomaly
from aejax.anomaly.datasets import kdd

ROW = "0,tcp,http,SF,181,5450,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,8,8,0.00,0.00,0.00,0.00,1.00,0.00,0.00,9,9,1.00,0.00,0.11,0.00,0.00,0.00,0.00,0.00"


def test_kddcup99_marks_normal_as_the_anomaly_and_caches(tmp_path):
    lines = [ROW + ",normal.", ROW.replace("tcp,http", "icmp,ecr_i") + ",smurf.", ROW + ",neptune."]
    with gzip.open(tmp_path / kdd.KDDCUP99_FILE, "wt") as f:
        f.write("\n".join(lines) + "\n")
    table = kdd.load_kddcup99(tmp_path, cache_dir=tmp_path / "cache")
    assert table.labels.tolist() == [1, 0, 0]
    assert table.numeric.shape == (3, 38) and table.categorical_columns == kdd.CATEGORICAL_FEATURES
    assert table.categorical_values(0).tolist() == ["tcp", "icmp", "tcp"]
    assert table.numeric[0, table.numeric_columns.index("dst_bytes")] == 5450
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1
    cached = kdd.load_kddcup99(tmp_path, cache_dir=tmp_path / "cache")
    np.testing.assert_array_equal(cached.numeric, table.numeric)
    np.testing.assert_array_equal(cached.labels, table.labels)
    assert cached.categorical_values(1).tolist() == ["http", "ecr_i", "http"]


def test_wrong_field_count_names_the_line():
    with pytest.raises(ValueError, match="line 2: 41 fields, expected 43"):
        kdd.nsl_kdd_table([ROW + ",normal,21", ROW])


def test_nsl_kdd_real_files_have_the_published_sizes():
    data = anomaly.load("nsl_kdd")
    sizes = {k: (len(v), int(v.labels.sum())) for k, v in data.items()}
    # PROVENANCE.md: rows 25,192 / 22,544 / 11,850; normals 13,449 / 9,711 / 2,152
    assert sizes == {"train": (25192, 25192 - 13449), "test+": (22544, 22544 - 9711),
                     "test-21": (11850, 11850 - 2152)}
    assert len(data["train"].levels[0]) == 3  # protocol_type: tcp, udp, icmp
