"""aejax.run: the work-directory lock, lazy config, and metrics.jsonl cut back on resume."""
import json

import jax
import numpy as np
import optax
import pytest

from aejax import run as run_lib
from aejax.models.autoencoder import Autoencoder, init_params
from aejax.run import ForeignWorkdirError, Run, clear_workdir
from aejax.train.loop import fit
from aejax.train.state import TrainState
from aejax.objectives import reconstruction
from aejax.train.steps import make_train_step

X = jax.random.uniform(jax.random.PRNGKey(5), (96, 12))  # 6 steps per epoch at batch 16


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def _records(workdir):
    return [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]


def test_lock_refuses_a_second_holder_and_frees_on_exit(tmp_path):
    with run_lib.workdir_lock(tmp_path):
        with pytest.raises(run_lib.WorkdirInUseError, match=r"in use by another aejax run \(pid \d+ on "):
            with run_lib.workdir_lock(tmp_path):
                pass
    with run_lib.workdir_lock(tmp_path):  # released: taken again
        pass


def test_config_is_written_at_the_first_record_with_its_history(tmp_path):
    run = Run(tmp_path, quiet=True, config={"a": 1}, preamble=({"event": "mesh"},))
    assert not (tmp_path / "config.json").exists()
    run.log({"step": 1})
    assert json.loads((tmp_path / "config.json").read_text()) == {"a": 1}
    assert [r.get("event", r.get("step")) for r in _records(tmp_path)] == ["start", "mesh", 1]
    Run(tmp_path, quiet=True, config={"a": 2}, changes={"a": [1, 2]}).log({"step": 2})
    history = [json.loads(line) for line in (tmp_path / "config_history.jsonl").read_text().splitlines()]
    assert history[0]["config"] == {"a": 1} and history[1]["changes"] == {"a": [1, 2]}
    silent = tmp_path / "silent"
    Run(silent, quiet=True, config={"b": 1}).start()  # a task that never logs: written when it returns
    assert json.loads((silent / "config.json").read_text()) == {"b": 1}


def test_truncate_keeps_the_log_up_to_the_last_checkpoint_on_disk(tmp_path):
    (tmp_path / "ck" / "6").mkdir(parents=True)  # 12 was announced, then the kill came mid-save
    _write(tmp_path / "metrics.jsonl", [
        {"event": "start"}, {"step": 6}, {"event": "checkpoint", "checkpoints": "ck", "step": 6},
        {"step": 12}, {"event": "checkpoint", "checkpoints": "ck", "step": 12}, {"step": 13},
    ])
    assert run_lib.truncate_to_last_checkpoint(tmp_path) == 3
    assert _records(tmp_path)[-1] == {"event": "checkpoint", "checkpoints": "ck", "step": 6}


def test_truncate_without_a_checkpoint_drops_the_attempts_and_leaves_older_logs(tmp_path):
    _write(tmp_path / "metrics.jsonl", [{"step": 100}, {"event": "start"}, {"step": 1}, {"event": "start"}, {"step": 1}])
    assert run_lib.truncate_to_last_checkpoint(tmp_path) == 4
    assert _records(tmp_path) == [{"step": 100}]  # written before run-start events existed: kept
    _write(tmp_path / "metrics.jsonl", [{"step": 100}])
    assert run_lib.truncate_to_last_checkpoint(tmp_path) == 0


def test_rewind_drops_only_earlier_attempts_records_of_the_phase_past_the_step(tmp_path):
    _write(tmp_path / "metrics.jsonl", [
        {"phase": "a", "step": 5}, {"phase": "a", "step": 10}, {"phase": "b", "step": 10},
        {"event": "checkpoint", "checkpoints": "x", "step": 10},
    ])
    run = Run(tmp_path, quiet=True)
    run.log({"phase": "a", "step": 6})  # this attempt's own record stays
    run.rewind("a", 5)
    assert _records(tmp_path) == [{"phase": "a", "step": 5}, {"phase": "b", "step": 10},
                                  {"event": "checkpoint", "checkpoints": "x", "step": 10}, {"phase": "a", "step": 6}]


class Killed(Exception):
    pass


def test_resume_from_an_older_checkpoint_than_the_last_saved_logs_each_step_once(tmp_path):
    """A best-so-far checkpoint saved after the last resume point (as classify keeps one) is the
    last on disk; the steps after the resume point are still logged once after the restart."""
    model = Autoencoder((12, 6, 3))
    step = make_train_step(reconstruction(model, "cross_entropy"))

    def state():
        return TrainState.create(params=init_params(model, jax.random.PRNGKey(0)), tx=optax.adam(1e-2), rng=jax.random.PRNGKey(1))

    def attempt(kill_at_epoch=None):
        run = Run(tmp_path, quiet=True)
        best = run.checkpoints("best", max_to_keep=1)

        def evaluate(s):
            if int(s.step) not in best.all_steps():
                best.save(int(s.step), s.params)
            if int(s.step) == 6 * (kill_at_epoch or 0):
                raise Killed
            return {}

        try:
            return fit(state(), step, X, epochs=4, batch_size=16, run=run, checkpoints=run.checkpoints("last"),
                       checkpoint_every=12, log_every=3, evaluate=evaluate, phase="ae")
        finally:
            run.close()

    with pytest.raises(Killed):
        attempt(kill_at_epoch=3)  # "last" holds step 12; steps 15 and 18 logged, "best" holds 18
    run_lib.truncate_to_last_checkpoint(tmp_path)
    assert [r["step"] for r in _records(tmp_path) if "examples_per_s" in r][-2:] == [15, 18]
    final = attempt()
    steps = [r["step"] for r in _records(tmp_path) if "examples_per_s" in r]
    assert steps == [3, 6, 9, 12, 15, 18, 21, 24]
    straight = fit(state(), step, X, epochs=4, batch_size=16)
    for a, b in zip(jax.tree_util.tree_leaves(final.params), jax.tree_util.tree_leaves(straight.params)):
        np.testing.assert_array_equal(a, b)


def test_clear_workdir_removes_only_what_aejax_wrote(tmp_path):
    (tmp_path / "thesis.tex").write_text("my thesis")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv").write_text("a\n1\n")
    run = Run(tmp_path, quiet=True, config={"seed": 0})
    run.log({"step": 1, "loss": 1.0})
    run.checkpoints("checkpoints").save(1, {"w": np.zeros(2)}, {})
    run.path("loss_curves.png").write_bytes(b"png")
    run.close()
    clear_workdir(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "thesis.tex"]
    assert (tmp_path / "thesis.tex").read_text() == "my thesis" and (tmp_path / "data" / "train.csv").is_file()


def test_clear_workdir_refuses_a_folder_holding_no_aejax_run_and_deletes_nothing(tmp_path):
    (tmp_path / "thesis.tex").write_text("my thesis")
    with pytest.raises(ForeignWorkdirError, match=r"holds no aejax run or detector.*thesis\.tex"):
        clear_workdir(tmp_path)
    assert (tmp_path / "thesis.tex").read_text() == "my thesis"
    empty = tmp_path / "empty"
    empty.mkdir()
    clear_workdir(empty)  # nothing to delete: allowed
    assert list(empty.iterdir()) == []


def test_clear_workdir_of_a_run_written_before_manifests_keeps_other_files(tmp_path):
    for name in ("config.json", "metrics.jsonl", "results.json", "report.md", "curves.png", "notes.txt"):
        (tmp_path / name).write_text("{}" if name != "results.json" else '{"figures": ["curves.png"]}')
    (tmp_path / "finetune").mkdir()
    (tmp_path / "metrics.jsonl").write_text('{"event": "checkpoint", "checkpoints": "finetune", "step": 3}\n')
    clear_workdir(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
