"""The reliability suite (issue 13): one test per failure a trusted tool must survive, through
the CLI as a user meets it. The cache items (1, 6: corrupt source files, killed prepares, md5s
before generation) live in tests/data/test_cache_integrity.py.

A tiny experiment on scikit-learn's 8x8 digits (15 steps per epoch, a checkpoint per epoch) is
written into a folder of the user's own experiments, so every run here takes seconds.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from aejax import cli

REPO = Path(__file__).resolve().parents[1]
TINY = '''"""Tiny digits autoencoder for the reliability tests."""
from aejax.config import base_config


def get_config(arg=None):
    c = base_config()
    c.data.name = "digits"
    c.model.sizes = (64, 32, 8)
    c.train.epochs = 6
    c.train.log_every = 5
    c.train.checkpoint_every = 15
    c.eval.batch_size = 297
    return c
'''
# sgd whose learning rate grows 1e6-fold over the run: fine for two epochs, infinite loss in the third
DIVERGING = ["--config.loss=squared_error", "--config.model.output_activation=linear", "--config.train.optimizer.name=sgd",
             "--config.train.optimizer.momentum=0", "--config.train.optimizer.learning_rate=0.01",
             "--config.train.optimizer.schedule=exponential", "--config.train.optimizer.decay_rate=1e6"]
# Runs `aejax ARGS...`, pausing for good just before the checkpoint of step $PAUSE_BEFORE_SAVE is
# saved (its steps already logged), after writing its PID to $PAUSE_MARKER: a deterministic point
# for a second run to collide with and for SIGKILL to strike.
PAUSING_AEJAX = """
import os, sys, time
from pathlib import Path
from aejax import ckpt, cli
save, pause_at = ckpt.Checkpoints.save, int(os.environ["PAUSE_BEFORE_SAVE"])
def save_or_pause(self, step, *args, **kwargs):
    if step == pause_at:
        Path(os.environ["PAUSE_MARKER"]).write_text(str(os.getpid()))
        time.sleep(3600)
    return save(self, step, *args, **kwargs)
ckpt.Checkpoints.save = save_or_pause
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def experiments(tmp_path_factory):
    root = tmp_path_factory.mktemp("my-experiments")
    (root / "tiny").mkdir()
    (root / "tiny" / "digits.py").write_text(TINY)
    return root


def _run_args(experiments, workdir, *extra):
    return ["run", "tiny/digits", "--experiments", str(experiments), "--workdir", str(workdir), *extra]


def _spawn(args, code=None, **env):
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "aejax.cli", *args]
    return subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _params(workdir):
    import orbax.checkpoint as ocp

    from aejax.ckpt import Checkpoints

    ckpt = Checkpoints(workdir / "checkpoints")
    step = ckpt.latest_step()
    ckpt.close()
    return step, ocp.StandardCheckpointer().restore(ckpt.directory / str(step) / "state")["params"]


def _step_records(workdir):
    lines = [json.loads(s) for s in (workdir / "metrics.jsonl").read_text().splitlines()]
    return [r["step"] for r in lines if "param_norm" in r]


# The four tests of one crash scenario share it. `pytest -n N --dist loadfile` (the README's test
# command) runs a module's tests on one worker, so the scenario runs once. (`--dist loadgroup` with
# xdist_group marks does not group under pytest 9.2: pytest-xdist issue 1386.)
@pytest.fixture(scope="module")
def crash_scenario(experiments, tmp_path_factory):
    """An uninterrupted run beside one paused before its step-60 checkpoint (45 saved, 46-60
    logged); a second run on the paused one's work directory; SIGKILL; the same command again."""
    root = tmp_path_factory.mktemp("crash")
    straight = _spawn(_run_args(experiments, root / "straight"))
    marker = root / "paused"
    victim = _spawn(_run_args(experiments, root / "killed"), PAUSING_AEJAX, PAUSE_BEFORE_SAVE="60", PAUSE_MARKER=str(marker))
    deadline = time.time() + 600
    while not marker.exists():
        assert victim.poll() is None, victim.communicate()
        assert time.time() < deadline, "the run did not reach step 60 in 600 s"
        time.sleep(0.2)
    logged_before = (root / "killed" / "metrics.jsonl").read_text()
    second = _spawn(_run_args(experiments, root / "killed"))
    second_out, second_err = second.communicate(timeout=600)
    logged_after = (root / "killed" / "metrics.jsonl").read_text()
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    steps_at_kill = _step_records(root / "killed")
    rerun = _spawn(_run_args(experiments, root / "killed"))
    rerun_out, rerun_err = rerun.communicate(timeout=600)
    straight_out, straight_err = straight.communicate(timeout=600)
    assert straight.returncode == 0, straight_err[-3000:]
    return {
        "root": root, "victim_pid": marker.read_text(), "second": (second.returncode, second_out, second_err),
        "log_untouched_by_second": logged_before == logged_after, "steps_at_kill": steps_at_kill,
        "rerun": (rerun.returncode, rerun_out, rerun_err),
    }


def test_second_run_on_a_busy_workdir_is_refused_naming_the_holder(crash_scenario):
    code, _, err = crash_scenario["second"]
    assert code == 2
    assert f"in use by another aejax run (pid {crash_scenario['victim_pid']} on " in err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("aejax run: error: ")
    assert crash_scenario["log_untouched_by_second"]


def test_lock_of_a_sigkilled_run_does_not_block_the_rerun(crash_scenario):
    code, out, err = crash_scenario["rerun"]
    assert code == 0, err[-3000:]
    assert "resumed from checkpoint at step 45 " in out


def test_sigkill_then_resume_ends_with_the_uninterrupted_parameters_bit_for_bit(crash_scenario):
    step_a, straight = _params(crash_scenario["root"] / "straight")
    step_b, resumed = _params(crash_scenario["root"] / "killed")
    assert step_a == step_b == 90
    for layer in straight:
        for name in straight[layer]:
            np.testing.assert_array_equal(straight[layer][name], resumed[layer][name])


def test_resumed_run_logs_each_step_once(crash_scenario):
    """Steps 50-60 were logged before the kill but never checkpointed; the resumed run logs them
    again from checkpoint 45, and metrics.jsonl holds each step once, as the uninterrupted run's."""
    assert crash_scenario["steps_at_kill"][-1] == 60
    steps = _step_records(crash_scenario["root"] / "killed")
    assert steps == _step_records(crash_scenario["root"] / "straight")
    assert len(steps) == len(set(steps)) and steps[-1] == 90


def _cli(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(err: str, command: str) -> str:
    """The error line, which must end stderr (above it only progress bars) with no traceback."""
    lines = err.strip().splitlines()
    errors = [line for line in lines if line.startswith(f"aejax {command}: error: ")]
    assert errors == lines[-1:] and "Traceback" not in err, err
    return errors[0]


@pytest.mark.parametrize("key, value, needle", [
    ("train.log_every", "0", "train.log_every must be >= 1"),
    ("train.checkpoint_every", "-3", "train.checkpoint_every must be >= 0"),
    ("train.epochs", "0", "train.epochs must be >= 1"),
])
def test_invalid_train_settings_fail_before_any_work(experiments, tmp_path, capsys, key, value, needle):
    workdir = tmp_path / "w"
    code, _, err = _cli(capsys, *_run_args(experiments, workdir, f"--config.{key}={value}"))
    assert code == 2 and needle in _one_line_error(err, "run")
    assert not workdir.exists()  # refused before the work directory, the data or the model


def test_divergence_is_a_one_line_error_and_continues_with_a_changed_optimizer(experiments, tmp_path, capsys):
    workdir = tmp_path / "w"
    code, _, err = _cli(capsys, *_run_args(experiments, workdir, *DIVERGING))
    line = _one_line_error(err, "run")
    assert code == 1
    assert "loss became inf at step 38 (epoch 3)" in line and "(step 30)" in line
    assert f"--workdir {workdir} --experiments {experiments} --continue" in line
    # The advice as given: the same command with a lower setting is refused, naming the leaf key...
    code, _, err = _cli(capsys, *_run_args(experiments, workdir, *DIVERGING[:-1], "--config.train.optimizer.decay_rate=1.0"))
    assert code == 2 and "train.optimizer.decay_rate: 1000000.0 -> 1.0" in _one_line_error(err, "run")
    # ...and --continue goes on from the kept checkpoint with only the changed key given.
    code, out, err = _cli(capsys, *_run_args(experiments, workdir, "--continue", "--config.train.optimizer.decay_rate=1"))
    assert code == 0, err
    assert "resumed from checkpoint at step 30 " in out
    history = [json.loads(line) for line in (workdir / "config_history.jsonl").read_text().splitlines()]
    assert history[0]["config"]["train"]["optimizer"]["decay_rate"] == 1e6
    assert history[1]["changes"] == {"train.optimizer.decay_rate": [1e6, 1.0]}
    assert json.loads((workdir / "config.json").read_text())["train"]["optimizer"]["decay_rate"] == 1.0
    results = json.loads((workdir / "results.json").read_text())
    assert results["config"]["loss"] == "squared_error" and np.isfinite(results["metrics"]["test_sse_per_image"])
    assert _step_records(workdir) == list(range(5, 91, 5))  # steps 31-35 of the diverged epoch are not kept


def test_continue_may_not_change_the_model(experiments, tmp_path, capsys):
    workdir = tmp_path / "w"
    assert _cli(capsys, *_run_args(experiments, workdir, "--config.train.epochs=1"))[0] == 0
    code, _, err = _cli(capsys, *_run_args(experiments, workdir, "--continue", "--config.model.sizes=(64, 16, 8)"))
    assert code == 2 and "--continue may change only train.* keys; model.sizes" in _one_line_error(err, "run")


def test_a_run_that_fails_before_starting_leaves_no_config(experiments, tmp_path, capsys):
    """A missing data folder: exit 2, and no config.json to refuse the corrected command."""
    workdir = tmp_path / "w"
    code, _, err = _cli(capsys, *_run_args(experiments, workdir, "--config.data.name=mnist", "--data-dir", str(tmp_path / "none")))
    assert code == 2 and "data files not found" in _one_line_error(err, "run")
    assert not (workdir / "config.json").exists()
    assert _cli(capsys, *_run_args(experiments, workdir, "--config.train.epochs=1"))[0] == 0


def test_cli_errors_are_one_line_with_exit_code_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my.csv").write_text("a,b\n1,2\n")
    code, _, err = _cli(capsys, "data", "prepare", "nosuchdataset")
    assert code == 2 and "Unknown dataset 'nosuchdataset'" in _one_line_error(err, "data prepare")
    code, _, err = _cli(capsys, "data", "prepare", "my.csv")
    assert code == 2 and "'my.csv' looks like a file" in _one_line_error(err, "data prepare")
    code, _, err = _cli(capsys, "run", "../../x")
    assert code == 2 and "not a name inside the experiments folders" in _one_line_error(err, "run")
    code, _, err = _cli(capsys, "run", "mnist/ae", "--bogus")
    assert code == 2 and "unrecognised argument '--bogus'" in _one_line_error(err, "run")


def test_report_errors_change_nothing(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    results = {"experiment": "x/y", "metrics": {"m": 1.0}, "reference": {}}
    (run / "results.json").write_text(json.dumps(results))
    (run / "report.md").write_text("kept\n")
    code, _, err = _cli(capsys, "report", str(run), "--out", str(tmp_path / "missing" / "t.md"))
    assert code == 2 and "the folder" in _one_line_error(err, "report")
    code, _, err = _cli(capsys, "report", str(run), "--out", str(tmp_path))
    assert code == 2 and "that is a folder" in _one_line_error(err, "report")
    assert (run / "report.md").read_text() == "kept\n"
    (run / "results.json").write_text('{"experiment": "x/y", "metrics": {')
    code, _, err = _cli(capsys, "report", str(run))
    assert code == 2 and "results.json is not valid JSON" in _one_line_error(err, "report")
    assert (run / "report.md").read_text() == "kept\n"


def test_overwrite_deletes_only_what_aejax_wrote(experiments, tmp_path, capsys):
    """--overwrite on a folder holding no run is refused; on a run, the user's files stay."""
    workdir = tmp_path / "w"
    workdir.mkdir()
    (workdir / "thesis.tex").write_text("chapter 1")
    code, _, err = _cli(capsys, *_run_args(experiments, workdir, "--overwrite", "--config.train.epochs=1"))
    assert code == 2 and "holds no aejax run or detector" in _one_line_error(err, "run")
    assert sorted(p.name for p in workdir.iterdir()) == [".lock", "thesis.tex"]
    (workdir / "thesis.tex").unlink()
    assert _cli(capsys, *_run_args(experiments, workdir, "--config.train.epochs=1"))[0] == 0
    (workdir / "thesis.tex").write_text("chapter 1")
    assert _cli(capsys, *_run_args(experiments, workdir, "--overwrite", "--config.train.epochs=2"))[0] == 0
    assert (workdir / "thesis.tex").read_text() == "chapter 1"
    assert json.loads((workdir / "config.json").read_text())["train"]["epochs"] == 2


# ------------------------------------------------------------ issue 23.11: one error contract


def test_anomaly_fit_and_score_errors_are_one_line_and_tracebacks_on_request(tmp_path, capsys, monkeypatch):
    from aejax.anomaly.records import InputError

    train = tmp_path / "train.csv"
    train.write_text("a,b\n" + "".join(f"{i % 7},{i % 5}\n" for i in range(100)))
    commands = {"anomaly fit": ["anomaly", "fit", "--train", str(tmp_path / "none.csv"), "--workdir", str(tmp_path / "w")],
                "score": ["score", "--workdir", str(tmp_path / "w"), "--input", str(train)]}
    needles = {"anomaly fit": "none.csv: no such file", "score": "does not exist: it holds no fitted detector"}
    for command, args in commands.items():
        code, _, err = _cli(capsys, *args)
        assert code == 2 and needles[command] in _one_line_error(err, command)
    code, _, err = _cli(capsys, "anomaly", "fit", "--train", str(train), "--workdir", str(tmp_path / "w"),
                        "--config.train.epochs=-1")
    assert code == 2 and "invalid config: train.epochs must be >= 1" in _one_line_error(err, "anomaly fit")
    assert not (tmp_path / "w").exists()  # validated before any work
    monkeypatch.setenv("AEJAX_TRACEBACK", "1")
    with pytest.raises(InputError, match="no such file"):
        cli.main(commands["anomaly fit"])
    with pytest.raises(FileNotFoundError, match="holds no fitted detector"):
        cli.main(commands["score"])


def test_bench_option_errors_follow_the_error_contract(capsys):
    for option, needle in (("--batch-sizes=0", "--batch-sizes: expected positive integers like 100,1000; got '0'"),
                           ("--batch-sizes=a", "--batch-sizes: expected comma-separated integers"),
                           ("--steps=0", "--steps must be a positive integer, got 0")):
        code, _, err = _cli(capsys, "bench", "mnist/ae", option)
        assert code == 2 and needle in _one_line_error(err, "bench")


def test_an_unforeseen_failure_is_one_line_with_exit_code_1(tmp_path, capsys, monkeypatch):
    from aejax.anomaly import commands

    def broken(args):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(commands, "_cmd_score", broken)
    code, _, err = _cli(capsys, "score", "--workdir", str(tmp_path), "--input", str(tmp_path / "x.csv"))
    assert code == 1
    assert "RuntimeError: the disk is on fire (AEJAX_TRACEBACK=1 shows where)" in _one_line_error(err, "score")
    monkeypatch.setenv("AEJAX_TRACEBACK", "1")
    with pytest.raises(RuntimeError, match="on fire"):
        cli.main(["score", "--workdir", str(tmp_path), "--input", str(tmp_path / "x.csv")])
