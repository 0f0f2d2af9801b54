"""`aejax anomaly fit`: tables and series from the user's files, with or without labels; every
input error is raised before anything is written."""

import json
import os

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
    assert "residuals standardised per feature; scores sum absolute residuals" in report  # the table default
    scores = np.loadtxt(tmp_path / "run" / "train_scores.csv", delimiter=",", skiprows=1)
    assert scores[:, 0].tolist() == list(range(2, 402)) and scores[:, 2].sum() == summary.flagged
    out = score_file(tmp_path / "run", _sensor_csv(tmp_path / "new.csv", 50, 1, shift_rows=(7,)))
    new = np.loadtxt(out.output, delimiter=",", skiprows=1)
    assert np.argmax(new[:, 1]) == 7 and new[7, 2] == 1


def test_a_label_column_gives_metrics_and_is_never_used_for_fitting(tmp_path):
    path = _sensor_csv(tmp_path / "l.csv", 400, 0, label=True, shift_rows=(50, 51, 300))
    labelled = fit_file(path, tmp_path / "a", label="anomaly", overrides=QUICK, quiet=True)
    ignored = fit_file(path, tmp_path / "b", ignore=("anomaly",), overrides=QUICK, quiet=True)
    assert labelled.evaluation is not None and labelled.evaluation.auroc > 0.9
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
