"""The epoch as one scan against one compiled program per step, on CPU, in one process.

    PYTHONPATH=. python benchmarks/conv_epoch.py [--epochs 3]

XLA:CPU runs a convolution's training step several times slower inside a loop body than outside
one (jax-ml/jax#12868), so `aejax.train.loop.compile_epoch` dispatches a convolutional step batch
by batch on CPU and keeps the scan otherwise. For three models, examples/s of `make_epoch`'s scan
("scan") and of the epoch `compile_epoch` gives `fit` ("fit"), best of `--epochs` interleaved
epochs after a warm-up, and their ratio:

- conv1d: the series detector's 1-D conv AE (32-16 channels, kernel 7) on windows of 32 x 55,
  batch 64;
- conv2d: mnist/conv-ae's 2-D conv AE (16-32-64 channels, stride 2) on 28 x 28 images, batch 100;
- mlp: the 784-1000-500-250-30 autoencoder, batch 100 (a scan in both rows).
"""
import argparse
import time

import jax
import optax

from aejax import distributed, models
from aejax.objectives import reconstruction
from aejax.train.loop import compile_epoch
from aejax.train.state import TrainState
from aejax.train.steps import make_epoch, make_train_step

CASES = {
    "conv1d": (dict(name="conv1d", channels=(32, 16), kernel_size=7, hidden_activation="relu",
                    output_activation="linear"), (32, 55), 64, "squared_error", 3200),
    "conv2d": (dict(name="conv2d", channels=(16, 32, 64), code_size=30, kernel_size=3, stride=2,
                    hidden_activation="relu", output_activation="sigmoid"), (28, 28, 1), 100, "cross_entropy", 2000),
    "mlp": (dict(name="mlp", sizes=(784, 1000, 500, 250, 30)), (784,), 100, "cross_entropy", 5000),
}


def rates(case: str, epochs: int) -> dict:
    config, shape, batch_size, loss, n = CASES[case]
    model = models.build(config, shape)
    x = jax.random.uniform(jax.random.PRNGKey(0), (n, *shape))
    tx = optax.adam(1e-3)
    state = TrainState.create(params=model.init(jax.random.PRNGKey(1), x[:1])["params"], tx=tx,
                              rng=jax.random.PRNGKey(2))
    step = make_train_step(reconstruction(model, loss))
    epochs_by_row = {"scan": jax.jit(make_epoch(step, batch_size), donate_argnums=0),
                     "fit": compile_epoch(step, batch_size, state, x, distributed.current_mesh())}
    states = {row: jax.tree_util.tree_map(lambda a: a.copy(), state) for row in epochs_by_row}
    best = {row: float("inf") for row in epochs_by_row}
    for window in range(epochs + 1):  # the first is the warm-up
        for row, epoch in epochs_by_row.items():
            t = time.perf_counter()
            states[row], metrics = epoch(states[row], x)
            jax.block_until_ready(metrics)
            if window:
                best[row] = min(best[row], time.perf_counter() - t)
    examples = n // batch_size * batch_size
    return {row: examples / seconds for row, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES))
    args = parser.parse_args()
    print("| model | scan (examples/s) | fit's epoch (examples/s) | fit / scan |")
    print("|---|---:|---:|---:|")
    for case in args.cases.split(","):
        r = rates(case, args.epochs)
        print(f"| {case} | {r['scan']:,.0f} | {r['fit']:,.0f} | {r['fit'] / r['scan']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
