"""`aejax score`: the restored scaler, model and threshold reproduce the run's decisions; bad
records are errors naming row and column."""

import csv

import numpy as np
import pytest

from aejax import cli, score
from aejax.data.anomaly.tables import CATEGORICAL, NUMERIC, TabularPreprocessor, table_from_records
from aejax.run import Run
from aejax.tasks import anomaly as an

COLUMNS = ("bytes", "proto", "rate")


def _records(n, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    protos = rng.choice(["tcp", "udp"], n)
    return [[f"{abs(rng.normal(100, 10)) + shift:.3f}", p, f"{rng.random():.4f}"] for p in protos]


def _tiny_config(epochs: int):
    cfg = an.default_config("thyroid")
    cfg.model.hidden = (4, 2)
    cfg.train.epochs = epochs
    cfg.train.batch_size = 32
    cfg.score.standardise = True
    return cfg


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny AE trained like a tabular run, its scorer saved, and the in-run test decisions."""
    workdir = tmp_path_factory.mktemp("run")
    cfg = _tiny_config(epochs=3)
    train = table_from_records(_records(200, 0), COLUMNS, (NUMERIC, CATEGORICAL, NUMERIC), np.zeros(200))
    pre = TabularPreprocessor.fit(train, log1p=("bytes",))
    x_train = pre.transform(train)
    run = Run(workdir, quiet=True)
    model, params = an.train_autoencoder(cfg, run, x_train, seed=0, tag="seed_0")
    recon = an.reconstruct(model, params, x_train)
    standardiser = an.fit_error_standardiser(x_train, recon)
    threshold = an.fit_threshold("percentile", an.reconstruction_scores(x_train, recon, standardiser), q=90)
    an.save_scorer(run, cfg.model, params, pre, threshold, standardiser)
    run.close()
    test_records = _records(30, 1) + _records(10, 2, shift=400.0) + [["120", "icmp", "0.5"]]
    test = table_from_records(test_records, COLUMNS, (NUMERIC, CATEGORICAL, NUMERIC), np.zeros(len(test_records)))
    x_test = pre.transform(test)
    scores = an.reconstruction_scores(x_test, an.reconstruct(model, params, x_test), standardiser)
    return workdir, test_records, scores, an.decide(scores, threshold)


def test_restored_scorer_gives_the_same_scores_and_decisions(trained, tmp_path):
    workdir, records, scores, decisions = trained
    assert 0 < decisions.sum() < len(decisions)  # the threshold separates something
    assert scores[30:40].mean() > scores[:30].mean()  # far-off byte counts score higher
    path = tmp_path / "new.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([list(COLUMNS)] + records)
    assert cli.main(["score", "--workdir", str(workdir), "--input", str(path), "--output", str(tmp_path / "out.csv")]) == 0
    out = np.loadtxt(tmp_path / "out.csv", delimiter=",", skiprows=1)
    np.testing.assert_array_equal(out[:, 0], np.arange(2, len(records) + 2))  # file line numbers
    np.testing.assert_allclose(out[:, 1], scores, rtol=1e-6)
    np.testing.assert_array_equal(out[:, 2], decisions)


@pytest.mark.parametrize("row, message", [
    (["1.0", "tcp"], "row 3: 2 fields, expected 3"),
    (["1.0", "tcp", "high"], "row 3, column 3 ('rate'): 'high' is not a number"),
])
def test_bad_records_are_errors_naming_row_and_column(trained, tmp_path, capsys, row, message):
    workdir = trained[0]
    path = tmp_path / "bad.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["100", "tcp", "0.5"], ["101", "udp", "0.4"], row])
    assert cli.main(["score", "--workdir", str(workdir), "--input", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_missing_scorer_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="has no scorer.json"):
        score.load_scorer(tmp_path)


def test_restored_ensemble_scorer_gives_the_runs_ensemble_scores(tmp_path):
    cfg = _tiny_config(epochs=2)
    train = table_from_records(_records(200, 0), COLUMNS, (NUMERIC, CATEGORICAL, NUMERIC), np.zeros(200))
    test_records = _records(20, 1) + _records(5, 2, shift=400.0)
    test = table_from_records(test_records, COLUMNS, (NUMERIC, CATEGORICAL, NUMERIC), np.zeros(len(test_records)))
    pre = TabularPreprocessor.fit(train)
    x_train, x_test = pre.transform(train), pre.transform(test)
    run = Run(tmp_path, quiet=True)
    model, params, ensemble, per_member = an.ensemble_member_scores(cfg, run, x_train, {"test": x_test}, seed=0,
                                                                    tag="ens", members=3)
    ensemble["reference"] = an.member_reference(per_member["train"])
    expected = an.ensemble_scores(per_member["test"], ensemble["reference"])
    threshold = an.fit_threshold("percentile", an.ensemble_scores(per_member["train"], ensemble["reference"]), q=90)
    an.save_scorer(run, cfg.model, params, pre, threshold, None, ensemble)
    run.close()
    scorer = score.load_scorer(tmp_path)
    assert scorer.params["enc_0"]["kernel"].shape[0] == 3
    scores, decisions = scorer.score_records(test_records)
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(decisions, an.decide(expected, threshold))
