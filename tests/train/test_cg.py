"""The minimize.m port against scipy's nonlinear CG and on quadratics."""

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
