"""The NAB / SKAB loaders."""

import numpy as np

from aejax.anomaly import datasets as anomaly


def test_skab_experiments_match_provenance():
    data = anomaly.load("skab")
    assert len(data) == 34
    assert sum(len(s) for s in data) == 46806 - 9405  # all rows minus the anomaly-free run
    assert sum(int(s.labels.sum()) for s in data) == 13067
    first = data[0]
    assert first.name == "valve1/0" and first.values.shape == (1147, 8) and first.labels.sum() == 401
    assert "anomaly" not in first.channels and len(first.channels) == 8


def test_nab_known_cause_streams_have_labelled_windows():
    data = anomaly.load("nab")
    assert [s.name.split("/")[1] for s in data][:2] == ["ambient_temperature_system_failure",
                                                        "cpu_utilization_asg_misconfiguration"]
    assert sum(len(s) for s in data) == 69561  # PROVENANCE.md: realKnownCause rows
    taxi = next(s for s in data if s.name.endswith("nyc_taxi"))
    # nyc_taxi has 5 labelled windows: 5 contiguous runs of 1s
    assert int(np.sum(np.diff(np.concatenate([[0], taxi.labels])) == 1)) == 5


def test_nab_other_real_streams_match_provenance():
    data = anomaly.load("nab_other")
    assert len(data) == 17 + 6 + 7 + 10  # PROVENANCE.md: AWS Cloudwatch, ad exchange, traffic, tweets
    assert sum(len(s) for s in data) == 67740 + 9610 + 15664 + 158631
    windows = sum(int(np.sum(np.diff(np.concatenate([[0], s.labels])) == 1)) for s in data)
    assert windows == 30 + 14 + 14 + 33
    assert not any(s.name.startswith("realKnownCause/") for s in data)
