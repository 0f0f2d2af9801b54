"""Results files: records appended per run, the newest full run printed by `aejax list`, written by
`aejax run --record`; experiment docstrings hold no measurement log."""
import ast
import json
import re

import pytest

from aejax import cli, registry, results

TINY = '''"""Tiny digits autoencoder for the results tests."""
from aejax.config import base_config, reference


def get_config(arg=None):
    c = base_config()
    c.data.name = "digits"
    c.model.sizes = (64, 16, 4)
    c.train.epochs = 2
    c.train.log_every = 5
    c.eval.batch_size = 297
    c.reference.test_sse_per_image = reference(4.73, 0.0, "the mean image", units="SSE/image")
    return c
'''


def _rec(name, date, value, quick=False, **extra):
    return {"format": 1, "experiment": name, "quick": quick, "primary_metric": "test_sse_per_image",
            "metrics": {"test_sse_per_image": value}, "date": date, **extra}


def test_records_round_trip_and_latest_is_the_newest_full_run(tmp_path):
    results.append(_rec("mnist/ae", "2026-11-30T15:17:35+00:00", 3.5), tmp_path)
    results.append(_rec("mnist/ae", "2026-12-02T09:00:00+01:00", 3.2), tmp_path)
    results.append(_rec("mnist/ae", "2026-12-01T00:00:00+00:00", 3.9), tmp_path)  # appended later, older
    results.append(_rec("mnist/ae", "2026-12-05T00:00:00+00:00", 9.9, quick=True), tmp_path)
    lines = (tmp_path / "mnist" / "ae.jsonl").read_text().splitlines()
    assert [json.loads(line)["metrics"]["test_sse_per_image"] for line in lines] == [3.5, 3.2, 3.9, 9.9]
    assert results.latest("mnist/ae", root=tmp_path)["metrics"] == {"test_sse_per_image": 3.2}
    assert results.latest("mnist/ae", quick=True, root=tmp_path)["metrics"] == {"test_sse_per_image": 9.9}
    assert results.latest("mnist/tied-ae", root=tmp_path) is None
    results.append(_rec("mnist/ae", "2026-12-03T00:00:00+00:00", 2.9, overrides={"train.epochs": 80}), tmp_path)
    assert results.latest("mnist/ae", root=tmp_path)["metrics"] == {"test_sse_per_image": 2.9}
    assert results.latest("mnist/ae", registered_first=True, root=tmp_path)["metrics"] == {"test_sse_per_image": 3.2}
    assert results.read("mnist/ae", tmp_path)[0] == _rec("mnist/ae", "2026-11-30T15:17:35+00:00", 3.5)


def test_a_variant_has_a_safe_file_of_its_own(tmp_path):
    assert results.path("semisup/mnist:labels=600", tmp_path) == tmp_path / "semisup" / "mnist@labels=600.jsonl"
    assert results.path("g/x:a=b c/d", tmp_path) == tmp_path / "g" / "x@a=b%20c%2Fd.jsonl"
    results.append(_rec("semisup/mnist:labels=600", "2026-12-01T00:00:00+00:00", 6.65), tmp_path)
    assert results.latest("semisup/mnist", root=tmp_path) is None
    assert results.latest("semisup/mnist:labels=600", root=tmp_path)["metrics"]["test_sse_per_image"] == 6.65
    with pytest.raises(ValueError, match="cannot name a results file"):
        results.path("../x", tmp_path)


def test_a_corrupt_line_is_an_error_naming_file_and_line(tmp_path):
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / "ae.jsonl").write_text(json.dumps(_rec("mnist/ae", "2026-12-01", 3.0)) + "\n{oops\n")
    with pytest.raises(ValueError, match=r"ae.jsonl, line 2, is not a JSON record"):
        results.latest("mnist/ae", root=tmp_path)


def test_record_writes_every_field(tmp_path):
    rec = results.record("mnist/ae", {"test_sse_per_image": 3.1}, reference={"test_sse_per_image": 3.0},
                         primary_metric="test_sse_per_image", quick=False, overrides={"train.epochs": 5},
                         command="aejax run mnist/ae --record", wall_seconds=12.345, load_start=1.5,
                         devices={"platform": "cpu", "kind": "cpu", "count": 1}, workdir="runs/ae", root=tmp_path)
    assert [json.loads(line) for line in (tmp_path / "mnist" / "ae.jsonl").read_text().splitlines()] == [rec]
    assert rec["wall_seconds"] == 12.3 and rec["load"]["start"] == 1.5 and isinstance(rec["load"]["end"], float)
    assert rec["overrides"] == {"train.epochs": 5} and rec["reference"] == {"test_sse_per_image": 3.0}
    assert re.fullmatch(r"[0-9a-f]{40}", rec["commit"]) and isinstance(rec["dirty"], bool)  # tests run in a checkout
    assert rec["machine"]["cores"] >= 1 and rec["machine"]["cpu"] and rec["machine"]["devices"]["count"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", rec["date"])


def test_without_a_results_folder_record_is_an_error_and_list_shows_no_measurement(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(results.ENV, raising=False)
    monkeypatch.setattr(results, "REPO", tmp_path)  # as an installed package: no checkout around it
    assert results.folder() is None and results.latest("mnist/ae") is None
    with pytest.raises(FileNotFoundError, match=r"--record needs a results folder.*AEJAX_RESULTS_DIR"):
        results.require_folder()
    assert cli.main(["list"]) == 0
    line = next(s for s in capsys.readouterr().out.splitlines() if s.startswith("mnist/ae "))
    assert line.split()[:3] == ["mnist/ae", "test_sse_per_image", "3"] and line.split()[3] == "Hinton"
    workdir = tmp_path / "w"
    assert cli.main(["run", "mnist/ae", "--quick", "--workdir", str(workdir), "--record"]) == 2
    assert "--record needs a results folder" in capsys.readouterr().err and not workdir.exists()


def test_list_prints_the_latest_full_run_beside_the_paper(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(results.ENV, str(tmp_path))
    results.append(_rec("mnist/ae", "2026-11-30T15:17:35+00:00", 3.4567), tmp_path)
    results.append(_rec("mnist/ae", "2026-12-01T10:00:00+00:00", 2.5, quick=True), tmp_path)
    results.append(_rec("mnist/ae", "2026-12-02T10:00:00+00:00", 2.8, overrides={"train.epochs": 80}), tmp_path)
    results.append(_rec("mnist/tied-ae", "2026-12-03T10:00:00+00:00", 3.8, overrides={"train.epochs": 5}), tmp_path)
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "metric", "paper", "ours", "date", "citation"]
    assert next(s for s in lines if s.startswith("mnist/ae ")).split()[:5] == [
        "mnist/ae", "test_sse_per_image", "3", "3.457", "2026-11-30"]
    assert next(s for s in lines if s.startswith("mnist/tied-ae ")).split()[3:5] == ["3.8*", "2026-12-03"]
    assert next(s for s in lines if s.startswith("mnist/conv-ae ")).split()[3] == "Masci"  # nothing measured
    assert max(map(len, lines)) <= cli.LIST_WIDTH
    assert cli.main(["list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["mnist/ae"]["measured"] == _rec("mnist/ae", "2026-11-30T15:17:35+00:00", 3.4567)
    assert rows["mnist/conv-ae"]["measured"] is None


def test_run_with_record_appends_a_record_with_the_required_fields(tmp_path, monkeypatch, capsys):
    (tmp_path / "exp" / "tiny").mkdir(parents=True)
    (tmp_path / "exp" / "tiny" / "digits.py").write_text(TINY)
    monkeypatch.setenv(results.ENV, str(tmp_path / "results"))
    args = ["run", "tiny/digits", "--experiments", str(tmp_path / "exp"), "--workdir", str(tmp_path / "w"),
            "--config.train.optimizer.learning_rate=0.003", "--record"]
    assert cli.main(args) == 0
    [rec] = [json.loads(line) for line in (tmp_path / "results" / "tiny" / "digits.jsonl").read_text().splitlines()]
    run = json.loads((tmp_path / "w" / "results.json").read_text())
    assert rec["experiment"] == "tiny/digits" and rec["quick"] is False and rec["source"] == "aejax run --record"
    assert rec["metrics"] == run["metrics"] and rec["primary_metric"] == "test_sse_per_image"
    assert rec["reference"] == {"test_sse_per_image": 4.73}
    assert rec["overrides"] == {"train.optimizer.learning_rate": 0.003}
    assert rec["command"] == "aejax " + " ".join(args)
    assert rec["machine"]["devices"]["count"] >= 1 and rec["machine"]["devices"]["platform"]
    assert set(rec["load"]) == {"start", "end"} and 0 < rec["wall_seconds"] <= run["timing"]["seconds"] + 0.1
    assert re.fullmatch(r"[0-9a-f]{40}", rec["commit"]) and rec["workdir"] == str(tmp_path / "w")
    capsys.readouterr()
    assert cli.main(["list", "--experiments", str(tmp_path / "exp")]) == 0
    line = next(s for s in capsys.readouterr().out.splitlines() if s.startswith("tiny/digits "))
    assert line.split()[2:5] == ["4.73", f"{run['metrics']['test_sse_per_image']:.4g}*", rec["date"][:10]]


def _docstrings():
    for folder in registry.folders()[:1]:
        for file in sorted(folder.rglob("*.py")):
            yield file.relative_to(folder), ast.get_docstring(ast.parse(file.read_text())) or ""


def test_experiment_docstrings_hold_no_measurement_log():
    """Docstrings say Run / Paper / Protocol / Expected; measured numbers live in results/."""
    for file, doc in _docstrings():
        assert not re.search(r"^\s*Measured\b", doc, re.M), f"{file}: a 'Measured' section (move it to results/)"
        assert not re.search(r"\bload( average)?( of| about)? \d", doc), f"{file}: machine load of a run (results/)"
        assert not re.search(r"\b[Mm]easured\b[^.;\n]{0,30}\d", doc), f"{file}: measured numbers (results/)"
        assert "outside the repository" not in doc, f"{file}: a variant measured outside the repository"
