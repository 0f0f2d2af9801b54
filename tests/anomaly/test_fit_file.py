"""`aejax anomaly fit`: tables and series from the user's files, with or without labels; every
input error is raised before anything is written."""

import json
import os
import re

import numpy as np
import pytest

from aejax.anomaly.fit_file import fit_file
from aejax.anomaly.pipeline import Pipeline
from aejax.anomaly.records import InputError
from aejax.anomaly.score_file import score_file
from aejax.anomaly.tables import RecordError

QUICK = {"sizing.min_steps": "30", "model.ensemble": "2", "train.epochs": "2"}


def _sensor_csv(path, n, seed, *, label=False, shift_rows=()):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    temp, press = 20 + np.sin(t / 20) + 0.1 * rng.normal(size=n), 1 + 0.1 * np.cos(t / 20) + 0.01 * rng.normal(size=n)
    temp[list(shift_rows)] += 8.0
    mode = rng.choice(["idle", "run"], n)
    header = "temperature,pressure,mode" + (",anomaly" if label else "")
    lines = [header] + [f"{a:.4f},{b:.4f},{m}" + (f",{int(i in shift_rows)}" if label else "")
                        for i, (a, b, m) in enumerate(zip(temp, press, mode))]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_an_unlabelled_table_is_fitted_reported_and_scores_new_records(tmp_path):
    summary = fit_file(_sensor_csv(tmp_path / "train.csv", 400, 0), tmp_path / "run", overrides=QUICK, quiet=True)
    assert (summary.rows, summary.features, summary.series, summary.evaluation) == (400, 3, 0, None)
    assert 0 < summary.flagged <= 8  # the 99th percentile of the training scores
    files = {p.name for p in (tmp_path / "run").iterdir()}
    assert {"pipeline.json", "detector", "config.json", "metrics.jsonl", "train_scores.csv", "report.md",
            "score_histogram.png"} <= files and "checkpoints" not in files
    report = (tmp_path / "run" / "report.md").read_text()
    assert "label column: none" in report and "## Flagged rows" in report and "no labels used" in report
    # the table default: the AE's whitened residuals plus KNN distance
    assert "residuals whitened by their training covariance; scores sum absolute residuals" in report
    assert "0.5 x distance to the 5th nearest training row" in report
    timing = re.search(r"^- time: ([0-9.]+) s to the report; training and calibration ([0-9.]+) s, of which "
                       r"([0-9.]+) s compiled the training programs$", report, re.M)
    compiled = [r["compile_s"] for r in map(json.loads, (tmp_path / "run" / "metrics.jsonl").read_text().splitlines())
                if r.get("event") == "compiled"]
    assert timing and compiled and float(timing[3]) == pytest.approx(sum(compiled), abs=0.06)
    assert 0 < float(timing[3]) <= float(timing[2]) <= float(timing[1])
    scores = np.loadtxt(tmp_path / "run" / "train_scores.csv", delimiter=",", skiprows=1)
    assert scores[:, 0].tolist() == list(range(2, 402)) and scores[:, 2].sum() == summary.flagged
    out = score_file(tmp_path / "run", _sensor_csv(tmp_path / "new.csv", 50, 1, shift_rows=(7,)))
    new = np.loadtxt(out.output, delimiter=",", skiprows=1)
    assert np.argmax(new[:, 1]) == 7 and new[7, 2] == 1


def test_a_label_column_gives_metrics_and_is_never_used_for_fitting(tmp_path):
    path = _sensor_csv(tmp_path / "l.csv", 400, 0, label=True, shift_rows=(50, 51, 300))
    labelled = fit_file(path, tmp_path / "a", label="anomaly", overrides=QUICK, quiet=True)
    ignored = fit_file(path, tmp_path / "b", ignore=("anomaly",), overrides=QUICK, quiet=True)
    assert labelled.evaluation is not None and labelled.evaluation.auroc > 0.9 and ignored.evaluation is None
    a, b = (np.loadtxt(tmp_path / d / "train_scores.csv", delimiter=",", skiprows=1) for d in "ab")
    np.testing.assert_array_equal(a, b)  # the same detector with or without the labels
    assert "## Metrics on the training rows" in (tmp_path / "a" / "report.md").read_text()
    one_class = _sensor_csv(tmp_path / "z.csv", 300, 0, label=True)  # labels all 0: no metrics, no failure
    assert fit_file(one_class, tmp_path / "z", label="anomaly", overrides=QUICK, quiet=True).evaluation is None
    assert "only one class" in (tmp_path / "z" / "report.md").read_text()


def _series_csv(path, units=("u1", "u2"), n=150, seed=0):
    rng = np.random.default_rng(seed)
    lines = ["unit,ts,a,b"]
    for k, unit in enumerate(units):
        t = np.arange(n)
        a, b = np.sin(t / 6 + k), np.cos(t / 6 + k)
        a, b = a + 0.05 * rng.normal(size=n), b + 0.05 * rng.normal(size=n)
        lines += [f"{unit},2024-01-01T{i // 3600:02d}:{(i // 60) % 60:02d}:{i % 60:02d},{x:.4f},{y:.4f}"
                  for i, x, y in zip(t, a, b)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("per_series", [False, True], ids=["pooled", "per-series"])
def test_series_with_time_and_ids_make_a_series_detector(tmp_path, per_series):
    path = _series_csv(tmp_path / "s.csv")
    overrides = {"sizing.min_steps": "20", "train.epochs": "1", "model.channels": "(4, 2)"}
    summary = fit_file(path, tmp_path / "run", time="ts", series_id="unit", window=12, per_series=per_series,
                       overrides=overrides, quiet=True)
    assert summary.series == 2 and summary.rows == 300
    pipeline = Pipeline.load(tmp_path / "run")
    assert pipeline.is_series and pipeline.detector.per_series == per_series
    assert (tmp_path / "run" / "series_scores.png").stat().st_size > 0
    out = score_file(tmp_path / "run", _series_csv(tmp_path / "new.csv", n=40, seed=3), chunk_rows=25)
    scores = np.loadtxt(out.output, delimiter=",", skiprows=1)
    assert scores.shape == (80, 3) and np.all(np.isfinite(scores[:, 1]))


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(label="nope"), InputError, "--label: .* has no column 'nope'"),
    (dict(time="ts"), ValueError, "give the window length with --window N"),
    (dict(window=5), ValueError, "column 'ts' of .* holds timestamps: name it with --time"),
    (dict(ignore=("ts",), categorical=("a",), numeric=("a",)), ValueError, "named both --categorical and --numeric"),
    (dict(ignore=("ts",), numeric=("unit",)), ValueError, "--numeric unit: column 'unit' .* holds text"),
    (dict(ignore=("ts",), label="a"), RecordError, r"row 2, column 3 \('a'\): label .* is not 0 \(normal\) or 1"),
    (dict(time="ts", series_id="unit", window=500), ValueError, "series shorter than --window 500"),
    (dict(time="ts", series_id="unit", window=10), ValueError, "--window 10: .* needs a multiple of 4 steps, e.g. 8 or 12"),
])
def test_input_errors_are_raised_before_anything_is_written(tmp_path, kwargs, error, message):
    path = _series_csv(tmp_path / "s.csv")
    with pytest.raises(error, match=message):
        fit_file(path, tmp_path / "run", overrides=QUICK, quiet=True, **kwargs)
    assert not (tmp_path / "run").exists()


def test_an_existing_detector_is_kept_unless_overwrite(tmp_path):
    path = _sensor_csv(tmp_path / "t.csv", 200, 0)
    fit_file(path, tmp_path / "run", overrides=QUICK, quiet=True)
    with pytest.raises(ValueError, match="already holds a fitted detector"):
        fit_file(path, tmp_path / "run", overrides=QUICK, quiet=True)
    fit_file(path, tmp_path / "run", overrides={**QUICK, "model.ensemble": "1"}, overwrite=True, quiet=True)
    assert json.loads((tmp_path / "run" / "config.json").read_text())["model"]["ensemble"] == 1


def test_an_npz_file_with_features_and_labels(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)) @ rng.normal(size=(4, 4))
    y = np.zeros(300, np.int64)
    x[:5] += 10.0
    y[:5] = 1
    np.savez(tmp_path / "d.npz", X=x, y=y)
    summary = fit_file(tmp_path / "d.npz", tmp_path / "run", label="y", overrides=QUICK, quiet=True)
    assert summary.features == 4 and summary.evaluation.auroc > 0.95


def test_overwrite_keeps_the_users_files_in_the_workdir(tmp_path):
    workdir = tmp_path / "w"
    workdir.mkdir()
    path = _sensor_csv(workdir / "sensors.csv", 200, 0)
    (workdir / "notes.txt").write_text("calibration notes")
    fit_file(path, workdir, overrides=QUICK, quiet=True)
    fit_file(path, workdir, overrides={**QUICK, "model.ensemble": "1"}, overwrite=True, quiet=True)
    assert (workdir / "notes.txt").read_text() == "calibration notes"
    assert path.read_text().startswith("temperature,pressure,mode\n")
    assert json.loads((workdir / "config.json").read_text())["model"]["ensemble"] == 1


def test_overwrite_refuses_a_folder_that_holds_no_detector(tmp_path):
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "thesis.tex").write_text("chapter 1")
    path = _sensor_csv(tmp_path / "t.csv", 200, 0)
    with pytest.raises(ValueError, match="holds no aejax run or detector"):
        fit_file(path, tmp_path / "w", overrides=QUICK, overwrite=True, quiet=True)
    assert [p.name for p in (tmp_path / "w").iterdir() if p.name != ".lock"] == ["thesis.tex"]


def test_a_concurrent_fit_into_the_same_folder_is_refused_naming_the_holder(tmp_path):
    from aejax.run import WorkdirInUseError, workdir_lock

    path = _sensor_csv(tmp_path / "t.csv", 200, 0)
    with workdir_lock(tmp_path / "run"):  # another fit holding the folder
        with pytest.raises(WorkdirInUseError, match=rf"in use by another aejax run \(pid {os.getpid()}"):
            fit_file(path, tmp_path / "run", overrides=QUICK, quiet=True)
    assert not (tmp_path / "run" / "config.json").exists()


def _correlated_sensors_csv(path, n=2000, rate=0.02, seed=0):
    """Sensor readings driven by one load (temperature, pressure and current rise with it) and a text
    mode column that shifts them; anomalous rows redraw the pressure from its own readings: every
    value stays in range, only its correlation with the others breaks (system monitoring, IoT)."""
    rng = np.random.default_rng(seed)
    load = rng.uniform(0, 1, n)
    mode = rng.choice(["idle", "run", "boost"], n)
    offset = np.select([mode == "idle", mode == "run"], [0.0, 0.5], 1.0)
    temp = 40 + 20 * load + 2 * offset + rng.normal(0, 0.5, n)
    press = 1.0 + 0.8 * load + rng.normal(0, 0.02, n)
    current = 5 + 10 * load + 3 * offset + rng.normal(0, 0.3, n)
    bad = rng.choice(n, int(rate * n), replace=False)
    press[bad] = rng.permutation(press)[: len(bad)]
    labels = np.zeros(n, int)
    labels[bad] = 1
    lines = ["temperature,pressure,current,mode,anomaly"] + [
        f"{a:.4f},{b:.5f},{c:.4f},{m},{y}" for a, b, c, m, y in zip(temp, press, current, mode, labels)]
    path.write_text("\n".join(lines) + "\n")
    return path, press[bad], press


def test_the_shipped_default_finds_a_broken_correlation_with_every_value_in_range(tmp_path):
    path, anomalous, pressure = _correlated_sensors_csv(tmp_path / "sensors.csv")
    assert anomalous.min() >= np.percentile(pressure, 0.5) and anomalous.max() <= np.percentile(pressure, 99.5)
    summary = fit_file(path, tmp_path / "run", label="anomaly", quiet=True)  # the shipped default, unchanged
    assert summary.evaluation.auroc >= 0.9
    report = (tmp_path / "run" / "report.md").read_text()
    assert "- detector: default (the shipped default" in report


@pytest.mark.parametrize("detector, kind", [("autoencoder", "autoencoder"), ("iforest", "iforest"), ("knn", "knn"),
                                            ("pca", "pca")])
def test_a_named_detector_is_fitted_saved_and_reported(tmp_path, detector, kind):
    path = _sensor_csv(tmp_path / "t.csv", 300, 0, shift_rows=(5,), label=True)
    summary = fit_file(path, tmp_path / "run", label="anomaly", detector=detector, overrides=QUICK, quiet=True)
    assert Pipeline.load(tmp_path / "run").detector.kind == kind and summary.evaluation.auroc > 0.9
    assert f"- detector: {detector} (" in (tmp_path / "run" / "report.md").read_text()
    with pytest.raises(ValueError, match="unknown detector 'svm'; choose one of default, autoencoder"):
        fit_file(path, tmp_path / "other", detector="svm", quiet=True)


# ----------------------------------------------------------------------- issue 23 (reliability probe)


def _plane_csv(path, n, seed, *, header="a,b,count", edit=None):
    """Rows of two correlated numbers a, b (b = a + noise) and an integer count 0..19; edit(lines)
    may change the text lines (line 1 is the header)."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    lines = [header] + [f"{x:.5f},{x + 0.1 * e:.5f},{c}" for x, e, c in zip(a, rng.normal(size=n), rng.integers(0, 20, n))]
    if edit:
        edit(lines)
    path.write_text("\n".join(lines) + "\n")
    return path


def _set(line_number, column, value):
    def edit(lines):
        fields = lines[line_number - 1].split(",")
        fields[column] = value
        lines[line_number - 1] = ",".join(fields)
    return edit


def _scores(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def test_a_stray_text_cell_is_an_error_naming_it_and_na_values_makes_it_missing(tmp_path):
    """Issue 23.2: one `n/a` in an integer column is an error naming the cell, not a one-hot text
    column; with --na-values it is a missing value filled with the training median, and extreme
    counts in new records are flagged."""
    path = _plane_csv(tmp_path / "t.csv", 400, 0, edit=_set(43, 2, "n/a"))
    with pytest.raises(ValueError, match=r"column 'count' of .* holds 1 cell that is not a number among 399 numbers: "
                                         r"row 43 'n/a'\. If they mean a missing value, give --na-values 'n/a'"):
        fit_file(path, tmp_path / "run", overrides=QUICK, quiet=True)
    assert not (tmp_path / "run").exists()
    summary = fit_file(path, tmp_path / "run", na_values=("n/a",), overrides=QUICK, quiet=True)
    assert summary.features == 3 and Pipeline.load(tmp_path / "run").preprocessor.num_features == 3
    assert "| count | 1 of 400 | " in (tmp_path / "run" / "report.md").read_text()
    new = _plane_csv(tmp_path / "new.csv", 30, 1, edit=lambda lines: [_set(5 + i, 2, v)(lines)
                                                                    for i, v in enumerate(("1000", "100000", "-50", "n/a"))])
    out = score_file(tmp_path / "run", new)
    scores = _scores(out.output)
    assert scores[3:6, 2].tolist() == [1, 1, 1] and out.filled == 1
    assert scores[3:6, 1].min() > scores[np.r_[0:3, 6:30], 1].max()


def test_a_bad_cell_among_many_distinct_numbers_is_named_not_taken_for_an_identifier(tmp_path):
    """Issue 23.12: the message names the cell and advises --na-values or --categorical."""
    path = tmp_path / "ids.csv"
    values = [f"{v:.6f}" for v in np.random.default_rng(0).normal(size=2500)]
    values[1700] = "x"
    path.write_text("reading,other\n" + "".join(f"{v},{i % 7}\n" for i, v in enumerate(values)))
    with pytest.raises(ValueError) as err:
        fit_file(path, tmp_path / "run", overrides=QUICK, quiet=True)
    message = str(err.value)
    assert "row 1702 'x'" in message and "--na-values 'x'" in message and "--categorical reading" in message
    assert "identifier" not in message


def test_true_false_columns_are_categorical_features(tmp_path):
    """Issue 23.12: a true/false column is one-hot encoded, not refused as non-numbers."""
    path = _plane_csv(tmp_path / "b.csv", 300, 0, header="a,b,valve_open",
                      edit=lambda lines: [lines.__setitem__(i, lines[i].rsplit(",", 1)[0] + ("," + ("true" if i % 3 else "false")))
                                          for i in range(1, len(lines))])
    summary = fit_file(path, tmp_path / "run", overrides=QUICK, quiet=True)
    assert summary.features == 3
    assert Pipeline.load(tmp_path / "run").preprocessor.feature_names == ("a", "b", "valve_open=false", "valve_open=true")


def test_an_unfinished_fit_resumes_only_for_the_same_file_and_config(tmp_path, monkeypatch, capsys):
    """Issue 23.3: a fit killed after training (checkpoint saved, no detector) is resumed by the
    same command only; another file or config is refused, --overwrite starts afresh."""
    import aejax.anomaly.fit_file as fit_module

    base, other = _plane_csv(tmp_path / "base.csv", 300, 0), _plane_csv(tmp_path / "other.csv", 300, 1)
    run = tmp_path / "run"

    def killed(self, workdir):
        raise KeyboardInterrupt  # the process dies before the detector is saved

    with monkeypatch.context() as m:
        m.setattr(fit_module.Pipeline, "save", killed)
        with pytest.raises(KeyboardInterrupt):
            fit_file(base, run, overrides=QUICK, quiet=True)
    assert (run / "checkpoints").is_dir() and not (run / "pipeline.json").exists()
    with pytest.raises(ValueError, match=r"holds an unfinished fit of other inputs, whose checkpoints this fit would "
                                         r"resume: training file .*base\.csv .* -> .*other\.csv"):
        fit_file(other, run, overrides=QUICK, quiet=True)
    with pytest.raises(ValueError, match=r"config: threshold\.q: 99\.0 -> 99\.9"):
        fit_file(base, run, overrides={**QUICK, "threshold.q": "99.9"}, quiet=True)
    with pytest.raises(ValueError, match=r"options: na_values: \[\] -> \['\?'\]"):
        fit_file(base, run, na_values=("?",), overrides=QUICK, quiet=True)
    assert (run / "checkpoints").is_dir()  # refusals change nothing
    capsys.readouterr()
    fit_file(base, run, overrides=QUICK)
    assert "resumed from checkpoint at step" in capsys.readouterr().out
    resumed = _scores(run / "train_scores.csv")
    fit_file(base, tmp_path / "fresh", overrides=QUICK, quiet=True)
    np.testing.assert_array_equal(resumed, _scores(tmp_path / "fresh" / "train_scores.csv"))
    fit_file(other, run, overrides=QUICK, overwrite=True)
    assert "resumed" not in capsys.readouterr().out
    assert json.loads((run / "inputs.json").read_text())["train"]["path"] == str(other.resolve())


def test_one_extreme_training_value_does_not_disable_its_column(tmp_path):
    """Issue 23.4: with 1e30 in one training row, an 8-s.d. shift of that column is still flagged
    (robust scaling), and report.md counts the clipped value."""
    edit = _set(101, 0, "1e30")
    path = _plane_csv(tmp_path / "t.csv", 400, 0, edit=edit)
    fit_file(path, tmp_path / "run", overrides=QUICK, quiet=True)
    assert "| a | 0 of 400 | " in (report := (tmp_path / "run" / "report.md").read_text())
    assert re.search(r"\| a \| 0 of 400 \| \S+ \| \S+ \| 1e\+30 \| \S+ \| \S+ \| 0 \| 1 \|", report)

    def shifted(lines):
        for i in range(22, 42):
            fields = lines[i - 1].split(",")
            fields[0] = f"{float(fields[0]) + 8.0:.5f}"
            lines[i - 1] = ",".join(fields)

    new = _plane_csv(tmp_path / "new.csv", 40, 1, edit=shifted)
    scores = _scores(score_file(tmp_path / "run", new).output)
    assert scores[20:, 2].sum() >= 18 and scores[:20, 2].sum() <= 2


@pytest.mark.parametrize("value", ["1e308", "-1e200"])
def test_a_training_value_beyond_float32_is_an_error_naming_the_cell(tmp_path, value):
    path = _plane_csv(tmp_path / "t.csv", 300, 0, edit=_set(57, 1, value))
    with pytest.raises(RecordError, match=re.escape(f"row 57, column 2 ('b'): {float(value):g} is beyond the float32 range")):
        fit_file(path, tmp_path / "run", overrides=QUICK, quiet=True)
    assert not (tmp_path / "run").exists()


def test_a_table_over_the_row_cap_trains_on_a_uniform_sample_and_scores_every_row(tmp_path):
    """Issue 23.9: at most sizing.max_train_rows rows train (a seeded uniform sample, said in the
    report); every row is scored. Rows are file lines after a blank line."""
    path = _plane_csv(tmp_path / "t.csv", 300, 0, edit=lambda lines: lines.insert(50, ""))
    overrides = {**QUICK, "sizing.max_train_rows": "120"}
    summary = fit_file(path, tmp_path / "a", overrides=overrides, quiet=True)
    assert (summary.rows, summary.trained_rows) == (300, 120)
    report = (tmp_path / "a" / "report.md").read_text()
    assert "training rows: 120 of 300 (a uniform sample)" in report and "trained on 120 of the 300 rows" in report
    scores = _scores(tmp_path / "a" / "train_scores.csv")
    assert scores[:, 0].tolist() == list(range(2, 51)) + list(range(52, 303))  # line 51 is blank
    fit_file(path, tmp_path / "b", overrides=overrides, quiet=True)
    np.testing.assert_array_equal(scores, _scores(tmp_path / "b" / "train_scores.csv"))  # the same sample


@pytest.mark.parametrize("key, value, needle", [
    ("train.epochs", "-1", "train.epochs must be >= 1"),
    ("threshold.q", "200", "threshold.q / scale: percentile q=200.0 must lie in [0, 100]"),
    ("threshold.policy", "best_f1", "threshold.policy 'best_f1' needs labels"),
    ("corruption.level", "-0.2", "corruption.level must be >= 0"),
    ("sizing.max_train_rows", "0", "sizing.max_train_rows must be a positive integer"),
])
def test_invalid_config_values_are_refused_before_any_work(tmp_path, key, value, needle):
    """Issue 23.11/23.12: negative epochs and threshold.q=200 are refused before the data is read,
    leaving no checkpoint for a later fit to resume."""
    path = _plane_csv(tmp_path / "t.csv", 300, 0)
    with pytest.raises(ValueError) as err:
        fit_file(path, tmp_path / "run", overrides={**QUICK, key: value}, quiet=True)
    assert needle in str(err.value)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("layout", ["time", "series"])
def test_a_series_file_fitted_as_a_table_is_an_error_naming_the_time_column(tmp_path, layout):
    """Issue 23.12: a time (or row index) column, and series ids with per-series time, are not
    silently features of a table."""
    rng = np.random.default_rng(0)
    if layout == "time":
        rows = [f"{t},{v:.4f},{w:.4f}" for t, v, w in zip(range(1000, 1200), rng.normal(size=200), rng.normal(size=200))]
        header, needle = "t,a,b", r"column 't' of .* increases on every row: a time stamp or a row index\?"
    else:
        rows = [f"{u},{t},{rng.normal():.4f}" for u in ("pump1", "pump2", "pump3") for t in range(80)]
        header, needle = "unit,t,a", r"column 't' of .* increases within each of the 3 runs of rows of column 'unit'"
    path = tmp_path / "s.csv"
    path.write_text("\n".join([header] + rows) + "\n")
    with pytest.raises(ValueError, match=needle + r".* --time t .*--window N; to keep .* --numeric t"):
        fit_file(path, tmp_path / "run", overrides=QUICK, quiet=True)
    summary = fit_file(path, tmp_path / "run", numeric=("t",), overrides=QUICK, quiet=True)
    assert summary.features == 3


def test_time_gaps_in_series_are_reported_when_fitting_and_scoring(tmp_path):
    """Issue 23.12: windows that span a time gap are not bridged silently."""
    def series(path, n, gap_at):
        t = np.arange(n) * 10.0
        t[gap_at:] += 500.0  # 50 missing steps
        a = np.sin(t / 60)
        path.write_text("t,a,b\n" + "".join(f"{x:g},{y:.4f},{-y:.4f}\n" for x, y in zip(t, a)))
        return path

    overrides = {"sizing.min_steps": "20", "train.epochs": "1", "model.channels": "(4, 2)"}
    fit_file(series(tmp_path / "s.csv", 300, 120), tmp_path / "run", time="t", window=12, overrides=overrides,
             quiet=True)
    report = (tmp_path / "run" / "report.md").read_text()
    assert "- warning: series of the file has 1 time gaps (steps of 1.5x the median step 10 or more), the first " \
           "before row 122; windows span them" in report
    out = score_file(tmp_path / "run", series(tmp_path / "new.csv", 100, 40))
    assert (out.gaps, out.first_gap) == (1, 42)


def test_contamination_sets_the_share_of_training_rows_flagged(tmp_path, capsys):
    from aejax import cli

    path = _sensor_csv(tmp_path / "t.csv", 400, 0)
    quick = [f"--config.{k}={v}" for k, v in QUICK.items()]
    assert cli.main(["anomaly", "fit", "--train", str(path), "--workdir", str(tmp_path / "w"), "--contamination", "0.1",
                     *quick]) == 0
    scores = np.loadtxt(tmp_path / "w" / "train_scores.csv", delimiter=",", skiprows=1)[:, 1]
    threshold = Pipeline.load(tmp_path / "w").detector.threshold_.value
    assert threshold == pytest.approx(np.percentile(scores, 90.0), rel=1e-6)  # q = 100 (1 - 0.1), not the default 99
    report = (tmp_path / "w" / "report.md").read_text()
    assert "threshold: percentile {'q': 90.0, " in report and "40 of 400 training rows flagged (a percentile threshold flags 10 %" in report
    capsys.readouterr()
    for bad, needle in ((["--contamination", "0.7"], "--contamination 0.7: expected the fraction of anomalies"),
                        (["--contamination", "0.1", "--config.threshold.q=95"], "drop threshold.q or --contamination")):
        code = cli.main(["anomaly", "fit", "--train", str(path), "--workdir", str(tmp_path / "x"), *bad])
        assert code == 2 and needle in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_columns_constant_in_training_are_named_in_the_report(tmp_path):
    path = _sensor_csv(tmp_path / "t.csv", 300, 0)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",valve"] + [line + ",0" for line in lines[1:]]) + "\n")
    fit_file(path, tmp_path / "w", overrides=QUICK, quiet=True)
    report = (tmp_path / "w" / "report.md").read_text()
    assert "columns constant in training: valve; a change in one scores like a large change" in report
    assert "constant in training: temperature" not in report
