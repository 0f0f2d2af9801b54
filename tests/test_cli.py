import json
import re
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from aejax import cli, config as config_lib, registry

REPO = Path(__file__).resolve().parents[1]


def test_list_shows_both_mnist_experiments(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "mnist/ae" in out and "mnist/tied-ae" in out
    assert cli.main(["list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["mnist/ae"]["metric"] == "test_sse_per_image" and rows["mnist/ae"]["reference"] == 3.0


def test_unknown_experiment_names_it_and_the_closest(capsys):
    assert cli.main(["run", "mnist/aee"]) == 2
    err = capsys.readouterr().err
    assert "mnist/aee" in err and "mnist/ae" in err


def test_unknown_key_names_it_and_the_closest(capsys, tmp_path):
    assert cli.main(["run", "mnist/ae", "--workdir", str(tmp_path), "--config.train.nope=1"]) == 2
    err = capsys.readouterr().err
    assert "train.nope" in err and "closest: train." in err


def test_wrong_type_names_the_key(capsys, tmp_path):
    assert cli.main(["run", "mnist/ae", "--workdir", str(tmp_path), "--config.train.epochs=many"]) == 2
    err = capsys.readouterr().err
    assert "train.epochs" in err and "int" in err


def test_overrides_are_typed_and_validated():
    cfg = registry.load("mnist/ae", overrides={"train.epochs": "3", "model.sizes": "(784, 64, 8)", "model.tied": "true", "train.optimizer.learning_rate": "1"})
    assert cfg.train.epochs == 3 and cfg.model.sizes == (784, 64, 8) and cfg.model.tied is True
    assert cfg.train.optimizer.learning_rate == 1.0 and isinstance(cfg.train.optimizer.learning_rate, float)
    with pytest.raises(ValueError, match="train.batch_size"):
        registry.load("mnist/ae", overrides={"train.batch_size": "0"})


def test_changed_config_on_existing_workdir_is_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({**config_lib.to_dict(registry.get_config("mnist/ae")), "seed": 123}))
    with pytest.raises(cli.UsageError, match=r"different config \(seed: 123 -> 0\)"):
        cli.run_experiment("mnist/ae", tmp_path, quiet=True)


def _aejax(workdir, *extra):
    args = [sys.executable, "-m", "aejax.cli", "run", "mnist/ae", "--quick", "--workdir", str(workdir),
            "--config.model.sizes=(784, 32, 8)", "--config.train.epochs=6", "--config.train.checkpoint_every=100", *extra]
    return subprocess.Popen(args, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _final_params(workdir):
    from aejax.ckpt import Checkpoints

    ckpt = Checkpoints(workdir / "checkpoints")
    step = ckpt.latest_step()
    path = ckpt.directory / str(step) / "state"
    import orbax.checkpoint as ocp

    return step, ocp.StandardCheckpointer().restore(path)["params"]


def test_sigkilled_run_resumes_to_the_same_parameters(tmp_path):
    """Kill a run with SIGKILL after its second checkpoint; rerunning the command finishes it with
    exactly the parameters of an uninterrupted run."""
    straight = _aejax(tmp_path / "straight")
    killed_dir = tmp_path / "killed"
    victim = _aejax(killed_dir)
    deadline = time.time() + 240
    while not (killed_dir / "checkpoints" / "200").exists():
        assert victim.poll() is None, victim.stderr.read()
        assert time.time() < deadline, "no second checkpoint within 240 s"
        time.sleep(0.2)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    _, err = straight.communicate()
    assert straight.returncode == 0, err
    resumed = _aejax(killed_dir)
    out, err = resumed.communicate()
    assert resumed.returncode == 0, err
    assert re.search(r"resumed from checkpoint at step (200|300|400|500) ", out), out
    step_a, a = _final_params(tmp_path / "straight")
    step_b, b = _final_params(killed_dir)
    assert step_a == step_b == 600
    for layer in a:
        for name in a[layer]:
            np.testing.assert_array_equal(a[layer][name], b[layer][name])
