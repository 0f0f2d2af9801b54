"""Data parallelism: 8 forced CPU devices vs 1, checkpoint portability, and a 2-process run.

Device counts are fixed when JAX starts, so each scenario runs in a fresh Python process.
"""
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

# Shared by every scenario: a tiny autoencoder trained with Adam on fixed random data.
COMMON = textwrap.dedent(
    """
    import sys, json
    import numpy as np
    import jax
    from ml_collections import ConfigDict
    from aejax import distributed
    from aejax.ckpt import Checkpoints
    from aejax.models import autoencoder
    from aejax.train import loop, optim
    from aejax.train.state import TrainState
    from aejax.objectives import reconstruction
    from aejax.train.steps import make_train_step

    SIZES = (16, 8, 4)

    def examples(n):
        return np.random.default_rng(0).uniform(size=(n, SIZES[0])).astype(np.float32)

    def fresh_state():
        model = autoencoder.Autoencoder(SIZES)
        params = autoencoder.init_params(model, jax.random.PRNGKey(1))
        tx = optim.make_optimizer(ConfigDict(dict(name="adam", learning_rate=1e-2)))
        return model, TrainState.create(params=params, tx=tx, rng=jax.random.PRNGKey(2))

    def train(data, *, epochs, batch_size, mesh, checkpoints=None):
        model, state = fresh_state()
        step = make_train_step(reconstruction(model, "cross_entropy"))
        state, _ = loop.fit(state, step, data, epochs=epochs, batch_size=batch_size, mesh=mesh, checkpoints=checkpoints)
        return state

    def flat(state):
        return {"/".join(str(k.key) for k in path): np.asarray(v).tolist()
                for path, v in jax.tree_util.tree_leaves_with_path(state.params)}
    """
)

EIGHT_VS_ONE = COMMON + textwrap.dedent(
    """
    out, ckpt_dir = sys.argv[1], sys.argv[2]
    assert jax.device_count() == 8, jax.devices()
    result = {}
    for n, batch_size in ((64, 16), (60, 12)):  # even shards; uneven (replicated data, padded batch)
        data = examples(n)
        checkpoints = Checkpoints(ckpt_dir) if n == 64 else None
        eight = train(data, epochs=2, batch_size=batch_size, mesh=distributed.make_mesh(8), checkpoints=checkpoints)
        one = train(data, epochs=2, batch_size=batch_size, mesh=distributed.make_mesh(1))
        result[f"{n}/{batch_size}"] = {"eight": flat(eight), "one": flat(one), "step": int(eight.step),
                                        "devices": len(eight.params["enc_0"]["kernel"].sharding.device_set)}
    result["straight"] = flat(train(examples(64), epochs=4, batch_size=16, mesh=distributed.make_mesh(1)))
    from aejax.models import rbm
    from aejax.train.rbm import train as train_rbm
    rbms = {m: train_rbm(jax.random.PRNGKey(3), examples(64), 6, rbm.CDConfig(), epochs=7, batch_size=16,
                         mesh=distributed.make_mesh(m)) for m in (8, 1)}
    result["rbm"] = {m: {k: np.asarray(v).tolist() for k, v in p.items()} for m, (p, _) in rbms.items()}
    result["rbm_devices"] = len(rbms[8][0]["kernel"].sharding.device_set)
    json.dump(result, open(out, "w"))
    """
)

RESUME_ON_ONE = COMMON + textwrap.dedent(
    """
    out, ckpt_dir = sys.argv[1], sys.argv[2]
    assert jax.device_count() == 1, jax.devices()
    checkpoints = Checkpoints(ckpt_dir)
    resumed_from = checkpoints.latest_step()
    resumed = train(examples(64), epochs=4, batch_size=16, mesh=distributed.make_mesh(1), checkpoints=checkpoints)
    json.dump({"resumed_from": resumed_from, "step": int(resumed.step), "resumed": flat(resumed)}, open(out, "w"))
    """
)

MULTI_PROCESS = COMMON + textwrap.dedent(
    """
    out, ckpt_dir, coordinator, num_processes, process_id = sys.argv[1:6]
    distributed.initialize(coordinator, int(num_processes), int(process_id))
    mesh = distributed.make_mesh()
    n = 64
    rows = distributed.process_rows(n, mesh)
    local = examples(n)[rows]  # this process's own shard only
    data = distributed.global_examples(local, n, mesh)
    state = train(data, epochs=2, batch_size=16, mesh=mesh, checkpoints=Checkpoints(ckpt_dir))
    record = {"rows": [rows.start, rows.stop], "processes": jax.process_count(), "devices": jax.device_count(),
              "params": flat(state), "step": int(state.step)}
    json.dump(record, open(f"{out}.{process_id}", "w"))
    """
)


def _python(script: str, tmp_path: Path, *args: str, devices: int = 1, timeout: int = 120) -> subprocess.Popen:
    path = tmp_path / f"script_{abs(hash(script))}.py"
    path.write_text(script)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_COORDINATOR", "JAX_NUM_PROCESSES", "JAX_PROCESS_ID"))}
    env.update(JAX_PLATFORMS="cpu", PYTHONPATH=str(ROOT), XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}")
    return subprocess.Popen([sys.executable, str(path), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(proc: subprocess.Popen, timeout: int = 180) -> str:
    output, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, output[-4000:]
    return output


def _assert_params_close(a: dict, b: dict, rtol: float = 1e-5):
    assert a.keys() == b.keys()
    for name in a:
        x, y = np.asarray(a[name]), np.asarray(b[name])
        error = np.linalg.norm(x - y) / np.linalg.norm(y)
        assert error <= rtol, f"{name}: relative difference {error:.3g} > {rtol}; max abs {np.abs(x - y).max():.3g}"


@pytest.fixture(scope="module")
def eight_device_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("eight")
    out, ckpt = tmp / "out.json", tmp / "ckpt"
    _finish(_python(EIGHT_VS_ONE, tmp, str(out), str(ckpt), devices=8))
    return json.loads(out.read_text()), ckpt, tmp


@pytest.mark.parametrize("case", ["64/16", "60/12"])
def test_eight_devices_match_one_device(eight_device_run, case):
    result = eight_device_run[0][case]
    n, batch_size = map(int, case.split("/"))
    assert result["devices"] == 8  # replicated over the 8-device mesh
    assert result["step"] == 2 * (n // batch_size)
    _assert_params_close(result["eight"], result["one"])


def test_rbm_cd1_on_eight_devices_matches_one_device(eight_device_run):
    result = eight_device_run[0]
    assert result["rbm_devices"] == 8
    _assert_params_close(result["rbm"]["8"], result["rbm"]["1"])


def test_checkpoint_from_eight_devices_resumes_on_one(eight_device_run):
    _, ckpt, tmp = eight_device_run
    out = tmp / "resume.json"
    _finish(_python(RESUME_ON_ONE, tmp, str(out), str(ckpt), devices=1))
    result = json.loads(out.read_text())
    assert result["resumed_from"] == 2 * 4  # 2 epochs of 64 // 16 steps, written on 8 devices
    assert result["step"] == 4 * 4
    _assert_params_close(result["resumed"], eight_device_run[0]["straight"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def test_two_processes_match_one_process(eight_device_run, tmp_path):
    out, ckpt = tmp_path / "mp.json", tmp_path / "ckpt"
    coordinator = f"localhost:{_free_port()}"
    procs = [_python(MULTI_PROCESS, tmp_path, str(out), str(ckpt), coordinator, "2", str(i)) for i in range(2)]
    for proc in procs:
        _finish(proc)
    first, second = (json.loads(Path(f"{out}.{i}").read_text()) for i in range(2))
    single = eight_device_run[0]["64/16"]  # the same training in one process on one device
    assert (first["processes"], first["devices"]) == (2, 2)
    assert first["rows"] == [0, 32] and second["rows"] == [32, 64]  # each process held only its half
    assert first["step"] == single["step"] == 2 * 4
    _assert_params_close(first["params"], single["one"])
    _assert_params_close(second["params"], first["params"], rtol=0)
    assert [p.name for p in ckpt.iterdir() if p.name.isdigit()] == ["8"]  # one checkpoint, written once
