"""The anomaly dataset registry: real staged files load with their documented sizes."""

import pytest

from aejax.anomaly import datasets as anomaly


@pytest.mark.parametrize("name, rows, anomalies, dims", [
    ("thyroid", 3772, 93, 6), ("cardio", 1831, 176, 21), ("mammography", 11183, 260, 6),
    ("shuttle", 49097, 3511, 9), ("smtp", 95156, 30, 3)])
def test_adbench_sets_match_provenance(name, rows, anomalies, dims):
    table = anomaly.load(name)
    assert table.numeric.shape == (rows, dims)
    assert int(table.labels.sum()) == anomalies


def test_unknown_dataset_and_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="unknown anomaly dataset 'thyroyd'"):
        anomaly.load("thyroyd")
    with pytest.raises(anomaly.MissingAnomalyDataError, match=f"38_thyroid.npz in folder {tmp_path}"):
        anomaly.load("thyroid", data_dir=tmp_path)
