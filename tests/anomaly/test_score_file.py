"""`aejax score`: the restored pipeline reproduces the run's decisions, streams tables and series
in chunks, and refuses bad input with errors naming file, row and column, writing nothing."""

import csv
import re

import numpy as np
import pytest

from aejax import cli
from aejax.anomaly.ae_detector import AutoencoderDetector
from aejax.anomaly.pca import PCAReconstructionDetector
from aejax.anomaly.pipeline import InputSchema, Pipeline
from aejax.anomaly.series_detector import SeriesDetector
from aejax.anomaly.score_file import score_file
from aejax.anomaly.settings import default_config
from aejax.anomaly.tables import CATEGORICAL, NUMERIC, RecordError, TabularPreprocessor, table_from_records

COLUMNS = ("bytes", "proto", "rate")
KINDS = (NUMERIC, CATEGORICAL, NUMERIC)


def _records(n, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    protos = rng.choice(["tcp", "udp"], n)
    return [[f"{abs(rng.normal(100, 10)) + shift:.3f}", p, f"{rng.random():.4f}"] for p in protos]


def _table(rows):
    return table_from_records(rows, COLUMNS, KINDS, np.zeros(len(rows)))


def _write(path, rows, header=COLUMNS):
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(([list(header)] if header else []) + [list(r) for r in rows])
    return path


def _score(workdir, path, *extra):
    return cli.main(["score", "--workdir", str(workdir), "--input", str(path), *extra])


def _read(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


@pytest.fixture(scope="module", params=[1, 3], ids=["single", "ensemble"])
def trained(tmp_path_factory, request):
    """A tiny AE pipeline (1 or 3 members) fitted like a tabular run and saved; the in-run scores
    and decisions of test records."""
    workdir = tmp_path_factory.mktemp("run")
    cfg = default_config("thyroid")
    cfg.model.hidden, cfg.model.ensemble = (4, 2), request.param
    cfg.train.epochs, cfg.train.batch_size, cfg.score.standardise = 3, 32, True
    pre = TabularPreprocessor.fit(_table(_records(200, 0)), log1p=("bytes",))
    detector = AutoencoderDetector.from_config(cfg, seed=0).fit(pre.transform(_table(_records(200, 0))))
    detector.fit_threshold("percentile", q=90)
    Pipeline(pre, detector).save(workdir)
    test_records = _records(30, 1) + _records(10, 2, shift=400.0) + [["120", "icmp", "0.5"]]
    x_test = pre.transform(_table(test_records))
    return workdir, test_records, detector.score(x_test), detector.predict(x_test)


def test_restored_pipeline_gives_the_same_scores_and_decisions(trained, tmp_path):
    workdir, records, scores, decisions = trained
    assert 0 < decisions.sum() < len(decisions)  # the threshold separates something
    assert scores[30:40].mean() > scores[:30].mean()  # far-off byte counts score higher
    path = _write(tmp_path / "new.csv", records)
    assert _score(workdir, path, "--output", str(tmp_path / "out.csv")) == 0
    out = _read(tmp_path / "out.csv")
    np.testing.assert_array_equal(out[:, 0], np.arange(2, len(records) + 2))  # file line numbers
    np.testing.assert_allclose(out[:, 1], scores, rtol=1e-6)
    np.testing.assert_array_equal(out[:, 2], decisions)


@pytest.fixture(scope="module")
def pca_workdir(tmp_path_factory):
    """A PCA pipeline over the three columns (no training loop: fast), labelled column 'attack' in
    its schema."""
    workdir = tmp_path_factory.mktemp("pca")
    pre = TabularPreprocessor.fit(_table(_records(300, 0)), scaling="standard")
    detector = PCAReconstructionDetector(1).fit(pre.transform(_table(_records(300, 0))))
    detector.fit_threshold("percentile", q=95)
    Pipeline(pre, detector, InputSchema(COLUMNS + ("attack",), label="attack")).save(workdir)
    return workdir


@pytest.mark.parametrize("row, message", [
    (["1.0", "tcp"], "row 3: 2 fields, expected 3"),
    (["1.0", "tcp", "high"], "row 3, column 3 ('rate'): 'high' is not a number"),
])
def test_bad_records_are_errors_naming_row_and_column(pca_workdir, tmp_path, capsys, row, message):
    path = _write(tmp_path / "bad.csv", [["100", "tcp", "0.5"], ["101", "udp", "0.4"], row], header=None)
    assert _score(pca_workdir, path) == 2
    assert message in capsys.readouterr().err
    assert not (pca_workdir / "bad.scores.csv").exists()


def test_records_that_overflow_after_scaling_score_inf_and_are_flagged(pca_workdir, tmp_path, capsys):
    rows = _records(5, 3) + [["-1e308", "tcp", "-1e308"], ["1e39", "udp", "1e39"], ["1e308", "tcp", "0.5"]]
    assert _score(pca_workdir, _write(tmp_path / "big.csv", rows), "--output", str(tmp_path / "o.csv")) == 0
    out = _read(tmp_path / "o.csv")
    assert np.all(np.isfinite(out[:5, 1])) and np.all(out[5:, 1] == np.inf) and np.all(out[5:, 2] == 1)
    assert "3 records have values that overflow" in capsys.readouterr().out


@pytest.mark.parametrize("text", ["", "bytes,proto,rate\n", "\ufeffbytes,proto,rate\r\n"])
def test_an_empty_or_header_only_file_has_no_records(pca_workdir, tmp_path, capsys, text):
    path = tmp_path / "empty.csv"
    path.write_text(text)
    assert _score(pca_workdir, path) == 2
    assert f"no records in {path}" in capsys.readouterr().err


def test_a_byte_order_mark_changes_nothing(pca_workdir, tmp_path):
    rows = _records(20, 4)
    plain = _write(tmp_path / "plain.csv", rows)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    assert _score(pca_workdir, plain, "--output", str(tmp_path / "a.csv")) == 0
    assert _score(pca_workdir, bom, "--output", str(tmp_path / "b.csv")) == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_an_undecodable_file_is_named(pca_workdir, tmp_path, capsys):
    path = tmp_path / "latin.csv"
    path.write_bytes("bytes,proto,rate\n100,caf\xe9,0.5\n".encode("latin-1"))
    assert _score(pca_workdir, path) == 2
    assert f"{path} is not UTF-8 text: line 2" in capsys.readouterr().err


def test_output_equal_to_input_is_refused(pca_workdir, tmp_path, capsys):
    path = _write(tmp_path / "in.csv", _records(5, 5))
    before = path.read_bytes()
    assert _score(pca_workdir, path, "--output", str(path)) == 2
    assert "is the input file" in capsys.readouterr().err and path.read_bytes() == before


def test_scoring_streams_in_chunks_and_writes_nothing_when_a_late_record_is_bad(pca_workdir, tmp_path):
    rows = _records(300, 6)
    path = _write(tmp_path / "many.csv", rows)
    whole = score_file(pca_workdir, path, tmp_path / "whole.csv")
    chunked = score_file(pca_workdir, path, tmp_path / "chunked.csv", chunk_rows=7)
    assert whole.records == chunked.records == 300
    assert (tmp_path / "whole.csv").read_bytes() == (tmp_path / "chunked.csv").read_bytes()
    bad = _write(tmp_path / "late.csv", rows + [["1", "tcp", "x"]])
    with pytest.raises(RecordError, match="row 302, column 3"):
        score_file(pca_workdir, bad, tmp_path / "late.scores.csv", chunk_rows=7)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chunked.csv", "late.csv", "many.csv", "whole.csv"]


def test_a_header_in_another_order_with_a_label_column_gives_metrics(pca_workdir, tmp_path, capsys):
    rows = _records(40, 7) + _records(10, 8, shift=300.0)
    labelled = [[r[2], r[0], "1" if i >= 40 else "0", r[1]] for i, r in enumerate(rows)]
    path = _write(tmp_path / "l.csv", labelled, header=("rate", "bytes", "attack", "proto"))
    assert _score(pca_workdir, path, "--output", str(tmp_path / "l.out")) == 0
    assert "against the label column: AUROC 1.0000" in capsys.readouterr().out
    plain = _write(tmp_path / "p.csv", rows)
    score_file(pca_workdir, plain, tmp_path / "p.out")
    np.testing.assert_array_equal(_read(tmp_path / "l.out"), _read(tmp_path / "p.out"))


def test_missing_pipeline_is_a_clear_error(tmp_path, capsys):
    path = _write(tmp_path / "x.csv", _records(3, 0))
    assert _score(tmp_path, path) == 2
    assert "holds no fitted detector" in capsys.readouterr().err


# ------------------------------------------------------------------------------------- series

SERIES_COLUMNS = ("unit", "t", "a", "b")


def _series_rows(unit, n, seed, bump_at=None):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    a, b = np.sin(t / 5) + 0.05 * rng.normal(size=n), np.cos(t / 5) + 0.05 * rng.normal(size=n)
    if bump_at is not None:
        a[bump_at] += 3.0
    return [[unit, str(i), f"{x:.5f}", f"{y:.5f}"] for i, x, y in zip(t, a, b)]


@pytest.fixture(scope="module", params=[False, True], ids=["pooled", "per-series"])
def series_workdir(tmp_path_factory, request):
    """A series pipeline: PCA over windows of 8 steps of two channels, series 'u1' and 'u2'."""
    workdir = tmp_path_factory.mktemp("series")
    rows = _series_rows("u1", 120, 0) + _series_rows("u2", 100, 1)
    table = table_from_records([r[2:] for r in rows], ("a", "b"), (NUMERIC, NUMERIC), np.zeros(len(rows)))
    pre = TabularPreprocessor.fit(table, scaling="standard")
    x = pre.transform(table)
    detector = SeriesDetector(PCAReconstructionDetector(3), size=8, per_series=request.param, chunk=16)
    detector.fit({"u1": x[:120], "u2": x[120:]})
    detector.fit_threshold("percentile", q=99)
    Pipeline(pre, detector, InputSchema(SERIES_COLUMNS, time="t", series_id="unit")).save(workdir)
    return workdir, pre, detector


def test_series_are_scored_per_step_as_their_rows_stream_in(series_workdir, tmp_path):
    workdir, pre, detector = series_workdir
    rows = _series_rows("u1", 90, 10, bump_at=40) + _series_rows("u2", 70, 11)
    path = _write(tmp_path / "s.csv", rows, header=SERIES_COLUMNS)
    summary = score_file(workdir, path, tmp_path / "s.out", chunk_rows=13)
    out = _read(tmp_path / "s.out")
    assert summary.records == 160 and out[:, 0].tolist() == list(range(2, 162))
    x = pre.transform(table_from_records([r[2:] for r in rows], ("a", "b"), (NUMERIC, NUMERIC), np.zeros(160)))
    expected = detector.score({"u1": x[:90], "u2": x[90:]})
    np.testing.assert_allclose(out[:, 1], expected, rtol=1e-12)
    assert np.argmax(out[:90, 1]) in range(33, 48)  # the bump at step 40 (windows of 8 around it)
    assert out[40, 2] == 1


@pytest.mark.parametrize("swap, message", [
    ("ids", "row 22: series 'u1' continues after another series"),
    ("time", "row 6, column 2 ('t'): time does not increase within series 'u1'"),
])
def test_series_out_of_order_are_errors_naming_the_row(series_workdir, tmp_path, swap, message):
    rows = _series_rows("u1", 20, 0)
    if swap == "ids":
        rows = rows[:10] + _series_rows("u2", 10, 1) + rows[10:]
    else:
        rows[4][1] = "2"
    path = _write(tmp_path / "bad.csv", rows, header=SERIES_COLUMNS)
    with pytest.raises(RecordError, match=re.escape(message)):
        score_file(series_workdir[0], path, tmp_path / "bad.out", chunk_rows=3)
    assert not (tmp_path / "bad.out").exists()


# ----------------------------------------------------------------------- issue 23 (reliability probe)


def test_rows_are_file_lines_after_a_blank_line_and_a_quoted_line_break(pca_workdir, tmp_path):
    """Issue 23.5: an anomaly is reported on the line it is on, after a blank line (line 11) and a
    record whose quoted field holds a line break (lines 21-22)."""
    rows = _records(60, 9)
    rows[40][0] = "900"  # far-off bytes: the highest score
    lines = ["bytes,proto,rate"] + [",".join(r) for r in rows]
    lines.insert(10, "")
    lines[20] = lines[20].replace(",tcp,", ',"tc\np",').replace(",udp,", ',"ud\np",')
    path = tmp_path / "lines.csv"
    path.write_text("\n".join(lines) + "\n")
    out = _read(score_file(pca_workdir, path, tmp_path / "lines.out").output)
    expected = list(range(2, 11)) + list(range(12, 22)) + list(range(23, 64))
    assert out[:, 0].tolist() == expected
    assert int(out[np.argmax(out[:, 1]), 0]) == 44  # record 41: line 42, + the blank line, + the line break
    assert path.read_text().splitlines()[44 - 1].startswith("900,")  # what an editor shows on line 44


def test_score_on_a_missing_workdir_names_the_workdir_not_an_output(tmp_path, capsys):
    """Issue 23.12: no --output was given, so the error does not blame one."""
    path = _write(tmp_path / "x.csv", _records(3, 0))
    assert _score(tmp_path / "nowhere", path) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'nowhere'} does not exist: it holds no fitted detector" in err and "--output" not in err


def test_an_output_that_is_a_folder_is_refused_before_scoring(pca_workdir, tmp_path, capsys, monkeypatch):
    """Issue 23.12: refused before any record is read."""
    import aejax.anomaly.score_file as score_module

    monkeypatch.setattr(score_module, "_table_scores", lambda *a: pytest.fail("scored before checking --output"))
    path = _write(tmp_path / "x.csv", _records(30, 0))
    (tmp_path / "out").mkdir()
    assert _score(pca_workdir, path, "--output", str(tmp_path / "out")) == 2
    assert f"--output {tmp_path / 'out'} is a folder; give a file name" in capsys.readouterr().err


def test_an_existing_output_is_replaced_only_with_overwrite(pca_workdir, tmp_path, capsys):
    """Issue 23.12: a second `aejax score` of a file of the same name does not silently replace the first's scores."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    _write(first / "new.csv", _records(20, 1))
    _write(second / "new.csv", _records(25, 2))
    assert _score(pca_workdir, first / "new.csv") == 0
    output = pca_workdir / "new.scores.csv"
    kept = output.read_bytes()
    assert _score(pca_workdir, second / "new.csv") == 2
    assert f"the output {output} (WORKDIR/<input name>.scores.csv) exists" in capsys.readouterr().err
    assert output.read_bytes() == kept
    assert _score(pca_workdir, second / "new.csv", "--overwrite") == 0
    assert len(_read(output)) == 25
    output.unlink()


def test_columns_the_training_file_did_not_have_are_an_error_unless_ignored(pca_workdir, tmp_path, capsys):
    """Issue 23.12: a file of another table (extra columns) is not scored silently."""
    rows = [r + ["x", "7"] for r in _records(20, 3)]
    path = _write(tmp_path / "wide.csv", rows, header=COLUMNS + ("host", "port"))
    assert _score(pca_workdir, path, "--output", str(tmp_path / "o.csv")) == 2
    err = capsys.readouterr().err
    assert "has 2 columns that the detector's training file did not have: 'host', 'port'" in err
    assert "--ignore" in err and not (tmp_path / "o.csv").exists()
    assert _score(pca_workdir, path, "--output", str(tmp_path / "o.csv"), "--ignore", "host,port") == 0
    plain = _write(tmp_path / "plain.csv", [r[:3] for r in rows])
    score_file(pca_workdir, plain, tmp_path / "p.csv")
    np.testing.assert_array_equal(_read(tmp_path / "o.csv"), _read(tmp_path / "p.csv"))


def test_missing_values_are_filled_with_the_training_median_and_counted(pca_workdir, tmp_path):
    rows = _records(10, 4)
    pre = Pipeline.load(pca_workdir).preprocessor
    filled = [list(r) for r in rows]
    rows[3][0], rows[5][2] = "", ""
    filled[3][0], filled[5][2] = repr(float(pre.fill[0])), repr(float(pre.fill[1]))
    summary = score_file(pca_workdir, _write(tmp_path / "m.csv", rows), tmp_path / "m.out")
    score_file(pca_workdir, _write(tmp_path / "f.csv", filled), tmp_path / "f.out")
    assert summary.filled == 2
    np.testing.assert_array_equal(_read(tmp_path / "m.out"), _read(tmp_path / "f.out"))
