"""`aejax bench` on tiny registered experiments: finite positive numbers, FLOPs = 6 x params x batch,
the run's context in the JSON, conv models and config overrides, and the benched step is the
training step (same loss on the same batch, with an objective, corruption and regulariser)."""
import json
import math
import os
import subprocess
import sys

import flax
import jax
import numpy as np
import pytest

from aejax import bench, cli

TINY = '''
from aejax.config import base_config


def get_config(arg=None):
    c = base_config()
    c.data.name = "digits"
    c.model.sizes = (64, 64, 64, 8)
    return c
'''

VAE = '''
from ml_collections import ConfigDict

from aejax.config import base_config


def get_config(arg=None):
    c = base_config()
    c.data.name = "digits"
    c.model = ConfigDict(dict(name="vae", hidden=(32,), latent=4))
    c.objective = ConfigDict(dict(name="elbo", binarize=True))
    c.corruption = ConfigDict(dict(name="masking", level=0.25))
    c.regularizers = ConfigDict(dict(l1_activity=dict(weight=0.01)))
    c.train.batch_size, c.train.epochs = 16, 1
    return c
'''

CONV = '''
from ml_collections import ConfigDict

from aejax.config import base_config


def get_config(arg=None):
    c = base_config()
    c.data.name = "digits"
    c.model = ConfigDict(dict(name="conv2d", channels=(4, 8), code_size=6))
    return c
'''


@pytest.fixture
def tiny_experiment(tmp_path, monkeypatch):
    root = tmp_path / "experiments"
    (root / "tiny").mkdir(parents=True)
    (root / "tiny" / "ae.py").write_text(TINY)
    (root / "tiny" / "vae.py").write_text(VAE)
    (root / "tiny" / "conv.py").write_text(CONV)
    monkeypatch.setenv("AEJAX_EXPERIMENTS", str(root))
    return "tiny/ae"


def test_bench_reports_finite_numbers_and_dense_flops(tiny_experiment, tmp_path, capsys):
    out = tmp_path / "bench"
    code = cli.main(["bench", tiny_experiment, "--batch-sizes", "32,128", "--steps", "4", "--windows", "2", "--out", str(out)])
    assert code == 0
    rows = json.loads((out / "bench.json").read_text())
    assert [(r["devices"], r["batch_size"]) for r in rows] == [(1, 32), (1, 128)]
    sizes = (64, 64, 64, 8)
    kernels = 2 * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    biases = sum(sizes[1:]) + sum(sizes[:-1])
    for r in rows:
        assert r["num_params"] == kernels + biases
        for key in ("compile_s", "step_ms", "examples_per_s", "flops_per_step", "achieved_tflops", "peak_measured_tflops",
                    "peak_tflops", "utilisation", "memory_xla_estimate_mb"):
            assert math.isfinite(r[key]) and r[key] > 0, (key, r[key])
        assert r["memory_peak_measured_mb"] is None  # the CPU backend keeps no count
        assert (r["device_kind"], r["device_count"], r["dtype"]) == ("cpu", jax.device_count(), "float32")
        assert {r["jax_version"], r["flax_version"]} == {jax.__version__, flax.__version__} and r["jaxlib_version"]
        assert len(r["git_commit"].removesuffix("-dirty")) == 40 and len(r["host_load"]) == 3
        assert r["xla_flags"] == os.environ.get("XLA_FLAGS", "") and r["objective"] == "cross_entropy (per example)"
        assert r["utilisation"] <= 1 and r["error"] is None and r["peak_tflops"] == r["peak_measured_tflops"]
        assert r["step_ms_spread"] >= 0
        assert r["examples_per_s"] == pytest.approx(r["batch_size"] / (r["step_ms"] / 1e3))
        # forward 2PB + backward 4PB multiply-adds of the dense layers
        assert r["flops_per_step"] == pytest.approx(6 * r["num_params"] * r["batch_size"], rel=0.10)
    table = capsys.readouterr().out
    assert "| devices | batch |" in table and "peak: measured (best matmul probe" in table
    assert (out / "bench.md").read_text() in table
    assert (out / "bench.png").stat().st_size > 1000


def test_device_counts_beyond_the_machine_are_skipped(tiny_experiment, capsys):
    rows = bench.run_bench(tiny_experiment, batch_sizes=[16], devices=[jax.device_count() + 1], steps=2, windows=1)
    assert rows == []
    assert "skipping --devices" in capsys.readouterr().err


def test_known_peaks_match_datasheets():
    assert bench.known_peak_tflops("NVIDIA H100 80GB HBM3", "bfloat16") == 989.4
    assert bench.known_peak_tflops("NVIDIA A100-SXM4-40GB", "float32") == 156.0
    assert bench.known_peak_tflops("TPU v5 lite", "bfloat16") == 197.0
    assert bench.known_peak_tflops("cpu", "float32") is None


def test_conv_models_are_benched_with_config_overrides(tiny_experiment, tmp_path):
    out = tmp_path / "bench"
    code = cli.main(["bench", "tiny/conv", "--batch-sizes", "16", "--steps", "2", "--windows", "1", "--out", str(out),
                     "--config.model.channels=(2, 4)", "--config.model.code_size=3"])
    assert code == 0
    (row,) = json.loads((out / "bench.json").read_text())
    assert row["overrides"] == {"model.channels": "(2, 4)", "model.code_size": "3"}
    # 3x3 convolutions 1->2->4 and their adjoints (8x8 -> 4x4 -> 2x2), a dense code 16->3 and back
    assert row["num_params"] == 2 * (9 * 1 * 2 + 9 * 2 * 4) + (2 + 1) + (4 + 2) + (16 * 3 + 3) + (3 * 16 + 16)
    assert math.isfinite(row["flops_per_step"]) and row["flops_per_step"] > 0
    assert cli.main(["bench", "tiny/conv", "--steps", "1", "--config.model.chanels=(2,)"]) == 2


def test_the_benched_step_is_the_training_step(tiny_experiment):
    """A VAE with the ELBO, masking corruption and an L1 regulariser: bench's step on the trainer's
    first batch gives the loss the trainer logged for step 1."""
    from aejax import data, registry
    from aejax.train.fit import train_autoencoder

    cfg = registry.load("tiny/vae")
    cfg.train.log_every = 1
    _, state, step, x = bench.training_setup(cfg, "float32")
    rng, perm = jax.random.split(state.rng)  # what an epoch does before its first step
    batch = x[jax.random.permutation(perm, x.shape[0])[: cfg.train.batch_size]]
    _, metrics = jax.jit(step)(state.replace(rng=rng), batch)
    trained = train_autoencoder(cfg, data.load("digits", "train"))
    first = next(r for r in trained.history if r.get("step") == 1)
    assert {"loss", "reconstruction", "kl", "l1_activity"} <= set(first)
    for key in ("loss", "reconstruction", "kl", "l1_activity"):
        np.testing.assert_allclose(float(metrics[key]), first[key], rtol=1e-5)


def test_bfloat16_compute_keeps_float32_params_and_loss(tiny_experiment):
    import jax.numpy as jnp

    from aejax import registry

    cfg = registry.load(tiny_experiment)
    _, state, step, x = bench.training_setup(cfg, "bfloat16")
    batch = x[:8]
    jaxpr = str(jax.make_jaxpr(step)(state, batch))
    assert "dot_general" in jaxpr and "preferred_element_type=bfloat16" in jaxpr
    new_state, metrics = jax.jit(step)(state, batch)
    assert metrics["loss"].dtype == jnp.float32
    assert {leaf.dtype for leaf in jax.tree_util.tree_leaves(new_state.params)} == {jnp.dtype(jnp.float32)}
    assert new_state.params["enc_0"]["kernel"].dtype == jnp.float32


def test_published_peak_is_used_where_the_device_kind_is_known():
    assert bench.choose_peak("NVIDIA H100 80GB HBM3", "bfloat16", 0.5, 2) == (2 * 989.4, "published (NVIDIA H100 80GB HBM3, dense bfloat16, datasheet table)")
    peak, source = bench.choose_peak("cpu", "float32", 0.3, 1)
    assert peak == 0.3 and source.startswith("measured")


def test_utilisation_above_100_percent_is_an_error_not_a_figure():
    assert bench.utilisation(0.1, 0.2) == (0.5, None)
    assert bench.utilisation(0.2, 0.2) == (1.0, None)
    value, error = bench.utilisation(0.192, 0.126)  # the numbers of issue 13
    assert value is None and "exceeds the peak 0.126" in error and "152.4%" in error
    assert bench.utilisation(0.1, None) == (None, None)


def test_probe_shapes_take_the_widest_layer_at_the_per_device_batch():
    from aejax.models.autoencoder import Autoencoder, init_params

    params = init_params(Autoencoder((784, 1000, 500, 250, 30)), jax.random.PRNGKey(0))
    assert bench.probe_shapes(params, 100) == [(100, 1000, 784), (512, 512, 512)]  # dec_0 comes first of the two widest
    assert bench.probe_shapes({"conv": {"kernel": np.zeros((3, 3, 1, 4))}}, 100) == [(512, 512, 512)]
    rate = bench.matmul_probe("float32", 8, 16, 4, 3)()
    assert math.isfinite(rate) and rate > 0


def _fake_probes(monkeypatch, rates):
    """Every probe returns the next of `rates` (TFLOP/s); returns the list of probe calls."""
    calls, it = [], iter(rates)

    def fake_matmul_probe(dtype, m, k, n, repeats):
        def probe():
            calls.append((m, k, n))
            return next(it)
        return probe

    monkeypatch.setattr(bench, "matmul_probe", fake_matmul_probe)
    return calls


def test_peaks_measured_between_windows_and_published_for_a_known_kind(tiny_experiment, monkeypatch):
    """Fake probe rates and a fake A100: the measured peak is the best probe, each probe runs
    before every window, and utilisation uses the published peak, as the report says."""
    from aejax import registry

    calls = _fake_probes(monkeypatch, [1.0, 2.0, 5.0, 3.0, 4.0, 0.5])
    monkeypatch.setattr(bench, "_device_kind", lambda device: "NVIDIA A100-SXM4-80GB")
    row = bench.measure(registry.load(tiny_experiment), batch_size=32, devices=1, steps=2, windows=3)
    assert calls == [(32, 64, 64), (512, 512, 512)] * 3
    assert row["peak_measured_tflops"] == 5.0 and row["peak_probe"] == "[32x64] x [64x64] float32, best of 3"
    assert (row["peak_tflops"], row["peak_published_tflops"]) == (156.0, 156.0)
    assert row["utilisation"] == pytest.approx(row["achieved_tflops"] / 156.0)
    assert "peak: published (NVIDIA A100-SXM4-80GB, dense float32" in bench.markdown([row])


def test_a_peak_below_the_achieved_rate_is_reported_as_an_error(tiny_experiment, monkeypatch):
    from aejax import registry

    _fake_probes(monkeypatch, [1e-9] * 4)  # a probe far slower than the step
    row = bench.measure(registry.load(tiny_experiment), batch_size=32, devices=1, steps=2, windows=2)
    assert row["utilisation"] is None and "exceeds the peak" in row["error"]
    table = bench.markdown([row])
    assert "| error 1 |" in table and f"- error, 1 device(s), batch 32: {row['error']}" in table
    assert not any(cell.strip().endswith("%") for line in table.splitlines() if line.startswith("| 1 ") for cell in line.split("|"))


def test_flops_count_the_whole_step_on_every_device_count(tiny_experiment, tmp_path):
    # the compiled program of a sharded step costs one device's share; the lowered one is the whole
    # step, so FLOPs per step must not shrink with the device count (2 simulated CPU devices)
    out = tmp_path / "bench"
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    subprocess.run([sys.executable, "-m", "aejax.cli", "bench", tiny_experiment, "--batch-sizes", "64", "--devices",
                    "1,2", "--steps", "2", "--windows", "1", "--out", str(out)], env=env, check=True, capture_output=True)
    rows = json.loads((out / "bench.json").read_text())
    assert [r["devices"] for r in rows] == [1, 2]
    for r in rows:
        assert r["flops_per_step"] == pytest.approx(6 * r["num_params"] * 64, rel=0.10)
