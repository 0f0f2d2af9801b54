"""Where does the training step's time go? Engine rate vs the bare matrix products, in one process.

    PYTHONPATH=. python benchmarks/engine_speed.py --batch-sizes 1000,100 [--dtype bfloat16]

Every rate is examples/s of a compiled scan over `--steps` steps (one window), from the best of
`--windows` interleaved windows after a warm-up ("best"), their median ("median"), and
examples per process-CPU-second ("cpu", insensitive to other processes' load), all in this
process, so ratios between rows are meaningful on a shared, noisy machine. Rows:

- bare: only the matrix products of one step of the 784-1000-500-250-30 autoencoder (forward,
  input gradients except the first layer's, weight gradients) chained so none can be skipped,
  plus a plain SGD update; no nonlinearity, no loss, no RNG, no gather.
- engine: `aejax.train.loop.compile_epoch` with the cross-entropy loss and Adam, exactly as `fit` runs it.
- engine_no_norms: the same without the grad_norm / param_norm metrics.
- engine_no_permutation: the same step over consecutive batches (no permutation, no gather).
- engine_sgd: the engine step with SGD instead of Adam (cost of the optimizer update).
- rbm_bare: the five matrix products of one CD-1 update of the 784-1000 binary RBM (v0 W,
  h0 W^T, v1 W, v0^T p0, v1^T p1) plus a plain momentum update; no sigmoid, no sampling.
- rbm: `aejax.train.rbm.compile_epoch`, the CD-1 epoch `rbm.train` runs (fixed minibatches).
  Ratios of rbm are against rbm_bare ("rbm/rbm_bare").
"""
import argparse
import json
import statistics
import time

import jax
import jax.numpy as jnp
import optax
from ml_collections import ConfigDict

from aejax import distributed
from aejax.models import autoencoder, rbm
from aejax.train import rbm as rbm_training
from aejax.train import loop, optim
from aejax.train.state import TrainState
from aejax.objectives import reconstruction
from aejax.train.steps import make_train_step

SIZES = (784, 1000, 500, 250, 30)
DTYPES = {"float32": jnp.float32, "bfloat16": jnp.bfloat16}


def time_round_robin(variants: dict, windows: int) -> dict:
    """Per variant: best and median wall seconds, and median process CPU seconds, of one call.

    Windows are interleaved (variant A, B, C, A, B, C, ...) after one warm-up call each, so a
    burst of load from other processes hits every variant alike; the best window is the least
    disturbed one.
    """
    state = {name: jax.block_until_ready(fn(*args)) for name, (fn, args) in variants.items()}
    wall = {name: [] for name in variants}
    cpu = {name: [] for name in variants}
    for _ in range(windows):
        for name, (fn, _) in variants.items():
            w, c = time.perf_counter(), time.process_time()
            state[name] = jax.block_until_ready(fn(*state[name]))
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
    return {name: (min(wall[name]), statistics.median(wall[name]), statistics.median(cpu[name])) for name in variants}


def bare_products(batch_size: int, steps: int, dtype, data):
    """Scan of the bare matrix products of one training step; returns (fn, args)."""
    dims = list(zip(SIZES[:-1], SIZES[1:]))
    dims = dims + [(b, a) for a, b in reversed(dims)]
    keys = jax.random.split(jax.random.PRNGKey(0), len(dims))
    weights = [jax.random.normal(k, d, jnp.float32) * 0.01 for k, d in zip(keys, dims)]

    def body(weights, x):
        ws = [w.astype(dtype) for w in weights]
        hs = [x.astype(dtype)]
        for w in ws:
            hs.append(hs[-1] @ w)
        g = hs[-1]
        grads = [None] * len(ws)
        for i in reversed(range(len(ws))):
            grads[i] = (hs[i].T @ g).astype(jnp.float32)
            if i > 0:
                g = g @ ws[i].T
        return [w - 1e-9 * gw for w, gw in zip(weights, grads)], None

    def epoch(weights, data):
        batches = data.reshape(steps, batch_size, -1)
        weights, _ = jax.lax.scan(body, weights, batches)
        return weights, data

    return jax.jit(epoch, donate_argnums=0), (weights, data)


def rbm_bare_products(batch_size: int, steps: int, data):
    """Scan of the bare matrix products of CD-1 for the first (784-1000) RBM; returns (fn, args)."""
    w = jax.random.normal(jax.random.PRNGKey(0), (SIZES[0], SIZES[1]), jnp.float32) * 0.01

    def body(carry, v0):
        w, inc = carry
        p0 = v0 @ w
        v1 = p0 @ w.T
        p1 = v1 @ w
        inc = 0.9 * inc + 1e-9 * (v0.T @ p0 - v1.T @ p1)
        return (w + inc, inc), None

    def epoch(carry, data):
        carry, _ = jax.lax.scan(body, carry, data.reshape(steps, batch_size, -1))
        return carry, data

    return jax.jit(epoch, donate_argnums=0), ((w, jnp.zeros_like(w)), data)


def rbm_epoch(batch_size: int, steps: int, data):
    """The CD-1 epoch of `rbm.train` for the 784-1000 binary RBM; returns (fn, args)."""
    config = rbm.CDConfig()
    params = rbm.init_params(jax.random.PRNGKey(0), SIZES[0], SIZES[1])
    epoch = rbm_training.compile_epoch(params, data.reshape(steps, batch_size, -1), config, distributed.make_mesh(1))
    key, momentum = jax.random.PRNGKey(1), jnp.float32(0.9)

    def run(carry, data):
        return epoch(*carry, key, momentum)[:2], data

    return run, ((params, rbm.init_increments(params)), data)


def train_state(tx, dtype):
    model = autoencoder.Autoencoder(SIZES, dtype=None if dtype == jnp.float32 else dtype)
    params = autoencoder.init_params(model, jax.random.PRNGKey(0))
    return model, TrainState.create(params=params, tx=tx, rng=jax.random.PRNGKey(1))


def step_without_norms(loss_fn):
    def step(state, batch):
        rng, step_rng = jax.random.split(state.rng)
        (loss, _), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params, batch, step_rng)
        return state.apply_gradients(grads).replace(rng=rng), {"loss": loss}

    return step


def engine(batch_size, data, dtype, *, tx=None, norms=True):
    tx = tx or optim.make_optimizer(ConfigDict(dict(name="adam", learning_rate=1e-3)))
    model, state = train_state(tx, dtype)
    loss_fn = reconstruction(model, "cross_entropy")
    step = make_train_step(loss_fn) if norms else step_without_norms(loss_fn)
    mesh = distributed.make_mesh(1)
    state, data = distributed.put_replicated(state, mesh), distributed.put_examples(data, mesh)
    epoch = loop.compile_epoch(step, batch_size, state, data, mesh)
    return lambda s, d: (epoch(s, d)[0], d), (state, data)


def engine_no_permutation(batch_size, steps, data, dtype):
    tx = optim.make_optimizer(ConfigDict(dict(name="adam", learning_rate=1e-3)))
    model, state = train_state(tx, dtype)
    step = make_train_step(reconstruction(model, "cross_entropy"))

    def epoch(state, data):
        state, _ = jax.lax.scan(step, state, data.reshape(steps, batch_size, -1))
        return state, data

    return jax.jit(epoch, donate_argnums=0), (state, data)


def _rounded(tree):
    if isinstance(tree, dict):
        return {k: _rounded(v) for k, v in tree.items()}
    return round(tree, 3) if isinstance(tree, float) else tree


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-sizes", default="1000,100")
    parser.add_argument("--steps", type=int, default=0, help="steps per window (default: 10000 examples)")
    parser.add_argument("--windows", type=int, default=5)
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float32")
    parser.add_argument("--variants", default="bare,engine,engine_no_norms,engine_no_permutation,engine_sgd")
    args = parser.parse_args()
    dtype = DTYPES[args.dtype]
    results = []
    for batch_size in [int(b) for b in args.batch_sizes.split(",")]:
        steps = args.steps or max(1, 10_000 // batch_size)
        data = jax.random.uniform(jax.random.PRNGKey(3), (steps * batch_size, SIZES[0]), jnp.float32)
        builders = {
            "bare": lambda: bare_products(batch_size, steps, dtype, data),
            "engine": lambda: engine(batch_size, data, dtype),
            "engine_no_norms": lambda: engine(batch_size, data, dtype, norms=False),
            "engine_no_permutation": lambda: engine_no_permutation(batch_size, steps, data, dtype),
            "engine_sgd": lambda: engine(batch_size, data, dtype, tx=optax.sgd(1e-3)),
            "rbm_bare": lambda: rbm_bare_products(batch_size, steps, data),
            "rbm": lambda: rbm_epoch(batch_size, steps, data),
        }
        names = args.variants.split(",")
        timings = time_round_robin({name: builders[name]() for name in names}, args.windows)
        examples = steps * batch_size
        row = {"batch_size": batch_size, "dtype": args.dtype}
        for name, (best, median, cpu) in timings.items():
            row[name] = {"best": examples / best, "median": examples / median, "cpu": examples / cpu}
        for name in names:
            base = "rbm_bare" if name.startswith("rbm") else "bare"
            if base in timings and name != base:
                row[f"{name}/{base}"] = {k: row[name][k] / row[base][k] for k in ("best", "median", "cpu")}
        results.append(row)
        print(json.dumps(_rounded(row)), flush=True)
    return results


if __name__ == "__main__":
    main()
