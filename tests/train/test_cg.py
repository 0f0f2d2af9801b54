"""The minimize.m port: step by step against a transcription of minimize.m, against the output
Rasmussen publishes for it, against scipy's nonlinear CG and on quadratics."""

import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize

from aejax.train import cg


def rosenbrock(x):
    return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def test_rosenbrock_matches_scipy_cg_minimum():
    start = np.array([-1.2, 1.0, -0.5, 0.8])
    reference = scipy.optimize.minimize(scipy.optimize.rosen, start, jac=scipy.optimize.rosen_der,
                                        method="CG", options={"gtol": 1e-10})
    with jax.enable_x64(True):
        result = cg.minimize(jax.jit(jax.value_and_grad(rosenbrock)), jnp.asarray(start), 300)
        x = np.asarray(result.x)
    np.testing.assert_allclose(x, reference.x, atol=1e-5)
    np.testing.assert_allclose(x, np.ones(4), atol=1e-5)
    assert result.values[-1] < 1e-10


def test_quadratic_decreases_monotonically_to_the_solution():
    rng = np.random.default_rng(0)
    q = rng.standard_normal((8, 8))
    a = q @ q.T + 8 * np.eye(8)
    b = rng.standard_normal(8)
    with jax.enable_x64(True):
        a_j, b_j = jnp.asarray(a), jnp.asarray(b)
        f = jax.jit(jax.value_and_grad(lambda x: 0.5 * x @ a_j @ x - b_j @ x))
        result = cg.minimize(f, jnp.zeros(8), 30)
        x = np.asarray(result.x)
    values = np.asarray(result.values)
    assert len(values) > 5
    assert np.all(np.diff(values) < 0)
    np.testing.assert_allclose(x, np.linalg.solve(a, b), atol=1e-6)


def test_length_limits_line_searches():
    with jax.enable_x64(True):
        result = cg.minimize(jax.jit(jax.value_and_grad(rosenbrock)), jnp.array([-1.2, 1.0]), 3)
    assert result.line_searches == 3
    assert len(result.values) <= 4
    assert result.values[-1] < result.values[0]
    assert result.evaluations <= 3 * cg.MAX + 1


def test_rejects_nonpositive_length():
    with pytest.raises(ValueError, match="length=0"):
        cg.minimize(jax.value_and_grad(rosenbrock), jnp.ones(2), 0)


def test_minimize_pytree_least_squares_in_float64_keeps_dtypes():
    rng = np.random.default_rng(1)
    inputs = rng.standard_normal((50, 3))
    targets = inputs @ np.array([1.0, -2.0, 0.5]) + 0.3
    params = {"w": jnp.zeros(3, jnp.float32), "b": jnp.zeros((), jnp.float32)}

    def loss(p, x, y):
        return jnp.mean((x @ p["w"] + p["b"] - y) ** 2)

    with jax.enable_x64(True):
        new, result = cg.minimize_pytree(loss, params, jnp.asarray(inputs), jnp.asarray(targets),
                                         length=20, dtype=jnp.float64)
    assert new["w"].dtype == jnp.float32 and new["b"].dtype == jnp.float32
    np.testing.assert_allclose(new["w"], [1.0, -2.0, 0.5], atol=1e-5)
    np.testing.assert_allclose(new["b"], 0.3, atol=1e-5)
    assert result.values[-1] < 1e-9


# --- minimize.m, transcribed -------------------------------------------------------------------
# An independent float64 NumPy transcription of minimize.m (C. E. Rasmussen, the 2006 version that
# recovers from failed evaluations; the one aejax.train.cg ports), written statement by statement
# from the MATLAB source for length > 0 (line searches). MATLAB semantics are kept where Python's
# differ: IEEE division (x/0 = Inf, 0/0 = NaN, then caught by the isnan/isinf tests), a complex
# extrapolation (sqrt of a negative number) counts as "~isreal" and extrapolates the maximum
# amount. A complex *interpolation* point has no real counterpart; the transcription counts it and
# the tests check that it never happens, so every path compared is one MATLAB takes too.

def rosenbrock_m(x):
    """rosenbrock.m: f = sum(100 (x(2:D) - x(1:D-1).^2).^2 + (1 - x(1:D-1)).^2) and its gradient."""
    x = np.asarray(x, dtype=np.float64)
    r = x[1:] - x[:-1] ** 2
    df = np.zeros_like(x)
    df[:-1] = -400 * x[:-1] * r - 2 * (1 - x[:-1])
    df[1:] = df[1:] + 200 * r
    return float(np.sum(100 * r ** 2 + (1 - x[:-1]) ** 2)), df


def _divide(a, b):
    with np.errstate(all="ignore"):
        return float(np.float64(a) / np.float64(b))


def minimize_m(f, X, length, red=1.0):
    """Returns (X, fX, i, evaluations, complex interpolations)."""
    INT, EXT, MAX, RATIO, SIG = 0.1, 3.0, 20, 10.0, 0.1
    RHO = SIG / 2
    realmin = np.finfo(np.float64).tiny
    evaluations = complex_points = 0
    i, ls_failed = 0, False
    f0, df0 = f(X)
    evaluations += 1
    fX = [f0]
    s = -df0
    d0 = -(s @ s)
    x3 = red / (1 - d0)
    x4 = f4 = d4 = None  # set by the first interpolation step before any use, as in MATLAB
    while i < length:
        i += 1
        X0, F0, dF0 = X, f0, df0
        M = MAX
        while True:
            x2, f2, d2, f3, df3 = 0.0, f0, d0, f0, df0
            success = False
            while not success and M > 0:
                M -= 1
                f3, df3 = f(X + x3 * s)
                evaluations += 1
                if math.isnan(f3) or math.isinf(f3) or np.any(np.isnan(df3) | np.isinf(df3)):
                    x3 = (x2 + x3) / 2
                else:
                    success = True
            if f3 < F0:
                X0, F0, dF0 = X + x3 * s, f3, df3
            d3 = df3 @ s
            if d3 > SIG * d0 or f3 > f0 + x3 * RHO * d0 or M == 0:
                break
            x1, f1, d1 = x2, f2, d2
            x2, f2, d2 = x3, f3, d3
            A = 6 * (f1 - f2) + 3 * (d2 + d1) * (x2 - x1)
            B = 3 * (f2 - f1) - (2 * d1 + d2) * (x2 - x1)
            discriminant = B * B - A * d1 * (x2 - x1)
            x3 = math.nan if discriminant < 0 else x1 - _divide(d1 * (x2 - x1) ** 2, B + math.sqrt(discriminant))
            if math.isnan(x3) or math.isinf(x3) or x3 < 0:
                x3 = x2 * EXT
            elif x3 > x2 * EXT:
                x3 = x2 * EXT
            elif x3 < x2 + INT * (x2 - x1):
                x3 = x2 + INT * (x2 - x1)
        while (abs(d3) > -SIG * d0 or f3 > f0 + x3 * RHO * d0) and M > 0:
            if d3 > 0 or f3 > f0 + x3 * RHO * d0:
                x4, f4, d4 = x3, f3, d3
            else:
                x2, f2, d2 = x3, f3, d3
            if f4 > f0:
                x3 = x2 - _divide(0.5 * d2 * (x4 - x2) ** 2, f4 - f2 - d2 * (x4 - x2))
            else:
                A = _divide(6 * (f2 - f4), x4 - x2) + 3 * (d4 + d2)
                B = 3 * (f4 - f2) - (2 * d2 + d4) * (x4 - x2)
                discriminant = B * B - A * d2 * (x4 - x2) ** 2
                complex_points += discriminant < 0
                x3 = math.nan if discriminant < 0 else x2 + _divide(math.sqrt(discriminant) - B, A)
            if math.isnan(x3) or math.isinf(x3):
                x3 = (x2 + x4) / 2
            x3 = max(min(x3, x4 - INT * (x4 - x2)), x2 + INT * (x4 - x2))
            f3, df3 = f(X + x3 * s)
            evaluations += 1
            if f3 < F0:
                X0, F0, dF0 = X + x3 * s, f3, df3
            M -= 1
            d3 = df3 @ s
        if abs(d3) < -SIG * d0 and f3 < f0 + x3 * RHO * d0:
            X, f0 = X + x3 * s, f3
            fX.append(f0)
            s = _divide(df3 @ df3 - df0 @ df3, df0 @ df0) * s - df3
            df0 = df3
            d3, d0 = d0, df0 @ s
            if d0 > 0:
                s = -df0
                d0 = -(s @ s)
            x3 = x3 * min(RATIO, _divide(d3, d0 - realmin))
            ls_failed = False
        else:
            X, f0, df0 = X0, F0, dF0
            if ls_failed or i > length:
                break
            s = -df0
            d0 = -(s @ s)
            x3 = 1 / (1 - d0)
            ls_failed = True
    return X, fX, i, evaluations, complex_points


def _port(f, x0, length, red=1.0):
    """cg.minimize on the NumPy function `f` (the same f and gradient as the transcription), in float64."""
    with jax.enable_x64(True):
        return cg.minimize(lambda x: f(np.asarray(x)), jnp.asarray(x0, jnp.float64), length, red)


# [x fx c] = minimize([0 0]', 'rosenbrock', 25) as printed (format long) on Rasmussen's page for
# this version of minimize.m (learning.eng.cam.ac.uk/carl/code/minimize/): 19 values, c = 20.
PUBLISHED_FX = [1.00000000000000, 0.77160942667725, 0.58224024884105, 0.40492742502160, 0.32466327341368,
                0.28960411147824, 0.07623420070067, 0.06786211944378, 0.03378423679313, 0.00108990808914,
                0.00108795243321, 0.00008974308332, 0.00000012183819, 0.00000000675602]  # then 5 x 0.0...


def test_rosenbrock_follows_minimize_m_step_by_step():
    """Port and transcription take the same path from [0 0]: the 14 values above rounding noise
    (1e-14) agree to 1e-10 relative (5e-15 absolute near the minimum). Below it f and its gradient
    are noise: another CPU, BLAS or thread count rounds the last bits differently, and either may
    take one line search more at machine precision (on one AMD EPYC the transcription made 20 line
    searches with 103 evaluations, the port 19 with 96); both end at the minimum [1 1]."""
    X, fX, i, evaluations, complex_points = minimize_m(rosenbrock_m, np.zeros(2), 25)
    result = _port(rosenbrock_m, np.zeros(2), 25)
    assert complex_points == 0
    above = [v for v in fX if v > 1e-14]
    assert len(above) == 14 and result.values[: len(above)] == pytest.approx(above, rel=1e-10, abs=5e-15)
    assert all(v < 1e-14 for v in list(fX[len(above):]) + list(result.values[len(above):]))
    assert abs(len(result.values) - len(fX)) <= 1 and abs(result.line_searches - i) <= 1
    assert abs(result.evaluations - evaluations) <= 10
    np.testing.assert_allclose(np.asarray(result.x), [1.0, 1.0], rtol=0, atol=1e-14)
    np.testing.assert_allclose(X, [1.0, 1.0], rtol=0, atol=1e-14)


def test_rosenbrock_reproduces_the_published_minimize_m_output():
    """The values Rasmussen publishes, down to 7e-9, to 11 significant digits (MATLAB's dot products
    round differently in the last bits: value 10 differs by 8e-15 of 1.1e-3). Below 1e-14, f and its
    gradient are rounding noise (the published run makes one more successful line search, to 4.9e-32):
    both reach the minimum."""
    result = _port(rosenbrock_m, np.zeros(2), 25)
    np.testing.assert_allclose(result.values[: len(PUBLISHED_FX)], PUBLISHED_FX, rtol=1e-11, atol=5e-15)
    assert all(v < 1e-14 for v in result.values[len(PUBLISHED_FX):])


def test_non_finite_evaluations_are_bisected():
    """f is NaN outside the disc |x| <= 3; a first step of red = 1000 leaves it, so the extrapolation
    halves the step until f is finite (minimize.m's `catch`, here NaN/Inf), then converges."""
    seen = []

    def nan_outside(x):
        x = np.asarray(x, dtype=np.float64)
        value = (float(np.sum((x - 1) ** 2)), 2 * (x - 1)) if np.sum(x ** 2) <= 9 else (math.nan, np.full_like(x, math.nan))
        seen.append(value[0])
        return value

    X, fX, i, evaluations, complex_points = minimize_m(nan_outside, np.array([2.0, -2.0]), 5, red=1000.0)
    bisections_in_transcription = sum(1 for v in seen if math.isnan(v))
    seen.clear()
    result = _port(nan_outside, [2.0, -2.0], 5, red=1000.0)
    assert sum(1 for v in seen if math.isnan(v)) == bisections_in_transcription == 5
    assert complex_points == 0 and result.values == fX and len(fX) == 6
    assert (result.line_searches, result.evaluations) == (i, evaluations) == (5, 18)
    np.testing.assert_allclose(np.asarray(result.x), [1.0, 1.0], atol=1e-8)


def test_two_failed_line_searches_end_the_run_at_the_best_point():
    """A gradient of the wrong sign (a bug in f, as minimize.m's help warns) makes every line search
    fail: the first failure retries along steepest descent, the second ends the run, returning the
    start (the best point seen) after 1 + 20 + 20 evaluations."""
    def wrong_gradient(x):
        x = np.asarray(x, dtype=np.float64)
        return float(np.sum(x ** 2)), -2 * x

    X, fX, i, evaluations, _ = minimize_m(wrong_gradient, np.array([1.0, 2.0]), 10)
    result = _port(wrong_gradient, [1.0, 2.0], 10)
    assert result.values == fX == [5.0]
    assert (result.line_searches, result.evaluations) == (i, evaluations) == (2, 1 + 2 * cg.MAX)
    np.testing.assert_array_equal(np.asarray(result.x), [1.0, 2.0])


def test_host_syncs_count_every_scalar_the_host_reads(monkeypatch):
    """Each f read, dot product and finiteness test is one host round trip; count them by
    wrapping the evaluation and the two jnp functions minimize reads scalars from."""
    reads = {"f": 0, "vdot": 0, "isfinite": 0}
    vdot, isfinite = jnp.vdot, jnp.isfinite

    def counting(name, fn):
        def wrapped(*args):
            reads[name] += 1
            return fn(*args)
        return wrapped

    monkeypatch.setattr(jnp, "vdot", counting("vdot", vdot))
    monkeypatch.setattr(jnp, "isfinite", counting("isfinite", isfinite))
    with jax.enable_x64(True):
        f = counting("f", jax.jit(jax.value_and_grad(rosenbrock)))
        result = cg.minimize(f, jnp.array([-1.2, 1.0, -0.5]), 5)
    assert result.evaluations == reads["f"] > 5
    assert reads["isfinite"] >= 5 and reads["vdot"] >= result.evaluations
    assert result.host_syncs == sum(reads.values())


# A child process running CG fine-tuning (2 epochs of 4 batches, float64, a checkpoint after every
# batch) on a tiny autoencoder; with KILL_AT = k > 0 it SIGKILLs itself as minimize call k starts.
_CG_CHILD = """
import os, signal, sys
import jax, numpy as np
from aejax import losses
from aejax.models.autoencoder import Autoencoder, init_params
from aejax.run import Run
from aejax.train import cg

workdir, kill_at, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
calls, minimize_pytree = [0], cg.minimize_pytree

def minimize_or_die(*args, **kwargs):
    calls[0] += 1
    if calls[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return minimize_pytree(*args, **kwargs)

cg.minimize_pytree = minimize_or_die
model = Autoencoder(sizes=(20, 8, 3))
x = np.random.default_rng(0).uniform(size=(200, 20)).astype(np.float32)

def loss_fn(p, xb):
    return jax.numpy.mean(losses.get("cross_entropy")(model.apply({"params": p}, xb), xb))

params = cg.fit_cg(loss_fn, init_params(model, jax.random.key(0)), x, Run(workdir, quiet=True), epochs=2,
                   batch_size=50, line_searches=2, float64=True, checkpoint_seconds=0.0, key=jax.random.PRNGKey(2),
                   evaluate=lambda p: {"test_sse_per_image": 0.0})
np.savez(out, **{"/".join(k.key for k in path): leaf
                 for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]})
"""


def _cg_child(folder, workdir: str, kill_at: int):
    """Run the child in ``folder / workdir``; returns (completed process, params .npz path). The
    children share the test run's persistent compilation cache (tests/conftest.py), so only the
    first one compiles."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = folder / "cg_child.py"
    script.write_text(_CG_CHILD)
    out = folder / f"{workdir}.npz"
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.run([sys.executable, str(script), str(folder / workdir), str(kill_at), str(out)],
                          env=env, capture_output=True, text=True, timeout=300)
    return proc, out


@pytest.fixture(scope="module")
def cg_uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cg_resume")
    proc, out = _cg_child(folder, "straight", 0)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return folder, out


@pytest.mark.parametrize("kill_at", [3, 5], ids=["mid-epoch", "epoch-boundary"])
def test_cg_fine_tuning_killed_at_a_batch_resumes_bitwise(cg_uninterrupted, kill_at):
    """SIGKILL as batch 3 of epoch 1 (two batches checkpointed) or batch 1 of epoch 2 (the epoch
    just checkpointed) starts; the rerun ends with the bits of an uninterrupted run, and logs each
    epoch once with the same loss."""
    folder, straight_out = cg_uninterrupted
    workdir = f"killed_at_{kill_at}"
    killed, killed_out = _cg_child(folder, workdir, kill_at)
    assert killed.returncode == -9, killed.stderr[-3000:]
    assert not killed_out.exists()
    resumed, resumed_out = _cg_child(folder, workdir, 0)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    a, b = np.load(straight_out), np.load(resumed_out)
    assert sorted(a) == sorted(b) and len(a) == 8
    for name in a:
        assert a[name].dtype == np.float32
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    logs = [[json.loads(line) for line in (folder / d / "metrics.jsonl").read_text().splitlines()]
            for d in ("straight", workdir)]
    epochs = [[r for r in log if r.get("phase") == "finetune"] for log in logs]
    assert [r["epoch"] for r in epochs[1]] == [1, 2]
    assert [r["loss"] for r in epochs[0]] == [r["loss"] for r in epochs[1]]
    assert epochs[1][0]["evaluations_per_batch"] == epochs[0][0]["evaluations_per_batch"] > 2
    checkpoints = [[r["step"] for r in log if r.get("event") == "checkpoint"] for log in logs]
    assert checkpoints[0] == checkpoints[1] == list(range(1, 9))  # one per batch, none twice
