"""`aejax bench` on a tiny registered experiment: finite positive numbers, FLOPs = 6 x params x batch."""
import json
import math

import pytest

from aejax import bench, cli

TINY = '''
from aejax.config import base_config


def get_config(arg=None):
    c = base_config()
    c.model.sizes = (16, 64, 64, 8)
    return c
'''


@pytest.fixture
def tiny_experiment(tmp_path, monkeypatch):
    root = tmp_path / "experiments"
    (root / "tiny").mkdir(parents=True)
    (root / "tiny" / "ae.py").write_text(TINY)
    monkeypatch.setenv("AEJAX_EXPERIMENTS", str(root))
    return "tiny/ae"


def test_bench_reports_finite_numbers_and_dense_flops(tiny_experiment, tmp_path, capsys):
    out = tmp_path / "bench"
    code = cli.main(["bench", tiny_experiment, "--batch-sizes", "32,128", "--steps", "4", "--windows", "2", "--out", str(out)])
    assert code == 0
    rows = json.loads((out / "bench.json").read_text())
    assert [(r["devices"], r["batch_size"]) for r in rows] == [(1, 32), (1, 128)]
    sizes = (16, 64, 64, 8)
    kernels = 2 * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    biases = sum(sizes[1:]) + sum(sizes[:-1])
    for r in rows:
        assert r["num_params"] == kernels + biases
        for key in ("compile_s", "step_ms", "examples_per_s", "flops_per_step", "achieved_tflops", "peak_tflops", "utilisation", "peak_memory_mb"):
            assert math.isfinite(r[key]) and r[key] > 0, (key, r[key])
        assert r["step_ms_spread"] >= 0
        assert r["examples_per_s"] == pytest.approx(r["batch_size"] / (r["step_ms"] / 1e3))
        # forward 2PB + backward 4PB multiply-adds of the dense layers
        assert r["flops_per_step"] == pytest.approx(6 * r["num_params"] * r["batch_size"], rel=0.10)
    table = capsys.readouterr().out
    assert "| devices | batch |" in table and "matmul probe" in table
    assert (out / "bench.md").read_text() in table
    assert (out / "bench.png").stat().st_size > 1000


def test_device_counts_beyond_the_machine_are_skipped(tiny_experiment, capsys):
    import jax

    rows = bench.run_bench(tiny_experiment, batch_sizes=[16], devices=[jax.device_count() + 1], steps=2, windows=1)
    assert rows == []
    assert "skipping --devices" in capsys.readouterr().err


def test_known_peaks_match_datasheets():
    assert bench.known_peak_tflops("NVIDIA H100 80GB HBM3", "bfloat16") == 989.4
    assert bench.known_peak_tflops("NVIDIA A100-SXM4-40GB", "float32") == 156.0
    assert bench.known_peak_tflops("TPU v5 lite", "bfloat16") == 197.0
    assert bench.known_peak_tflops("cpu", "float32") is None


def test_experiment_without_mlp_sizes_is_a_clear_error(tmp_path, monkeypatch, capsys):
    root = tmp_path / "experiments" / "odd"
    root.mkdir(parents=True)
    (root / "conv.py").write_text("from aejax.config import base_config\n\ndef get_config(arg=None):\n    c = base_config()\n    del c.model['sizes']\n    return c\n")
    monkeypatch.setenv("AEJAX_EXPERIMENTS", str(tmp_path / "experiments"))
    assert cli.main(["bench", "odd/conv", "--steps", "2"]) == 2
    assert "model has `sizes`" in capsys.readouterr().err


def test_bfloat16_compute_keeps_float32_params_and_loss(tiny_experiment):
    import jax
    import jax.numpy as jnp

    from aejax import registry

    cfg = registry.load(tiny_experiment)
    _, state, step = bench.training_setup(cfg, "bfloat16")
    batch = jax.random.uniform(jax.random.PRNGKey(0), (8, 16))
    jaxpr = str(jax.make_jaxpr(step)(state, batch))
    assert "dot_general" in jaxpr and "preferred_element_type=bfloat16" in jaxpr
    new_state, metrics = jax.jit(step)(state, batch)
    assert metrics["loss"].dtype == jnp.float32
    assert {leaf.dtype for leaf in jax.tree_util.tree_leaves(new_state.params)} == {jnp.dtype(jnp.float32)}
    assert new_state.params["enc_0"]["kernel"].dtype == jnp.float32
