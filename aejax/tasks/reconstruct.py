"""Train an autoencoder on a dataset and report its reconstruction error (H&S's metric)."""
import jax
import jax.numpy as jnp
import numpy as np

from aejax import data, losses, params as params_lib, plots, tasks
from aejax.models import autoencoder
from aejax.train import loop, optim
from aejax.train.state import TrainState
from aejax.train.steps import batched_map, make_train_step, num_batches, reconstruction_loss

COMPUTE_DTYPES = {"float32": None, "bfloat16": jnp.bfloat16, "float16": jnp.float16}


def check_output_matches_loss(cfg) -> None:
    want = losses.OUTPUT_ACTIVATION[cfg.loss]
    if cfg.model.output_activation != want:
        raise ValueError(
            f"model.output_activation {cfg.model.output_activation!r} does not match loss {cfg.loss!r}, "
            f"which needs {want!r}; set --config.model.output_activation={want}"
        )


def sse_per_example(model, params, x: jax.Array, batch_size: int) -> jax.Array:
    """Per-example sum of squared errors of the deterministic reconstruction: [N, D] -> [N]."""
    fn = jax.jit(lambda p, xs: batched_map(lambda b: losses.sse(model.apply({"params": p}, b, method="reconstruct").astype(jnp.float32), b), xs, batch_size))
    return fn(params, x)


def train_autoencoder(cfg, run, train_x: jax.Array, *, evaluate=None, params=None, phase=None, checkpoints=None):
    """Build the model of `cfg.model`, fit it on `train_x` [N, D] and return (model, state).

    `params` starts from given parameters (e.g. unrolled RBMs) instead of a fresh init.
    """
    check_output_matches_loss(cfg)
    model = autoencoder.from_config(cfg.model, dtype=COMPUTE_DTYPES[cfg.train.compute_dtype])
    init_rng, train_rng = jax.random.split(jax.random.PRNGKey(cfg.seed))
    params = autoencoder.init_params(model, init_rng) if params is None else params
    total_steps = cfg.train.epochs * num_batches(train_x, cfg.train.batch_size)
    state = TrainState.create(params=params, tx=optim.make_optimizer(cfg.train.optimizer, total_steps), rng=train_rng)
    step = make_train_step(reconstruction_loss(model, cfg.loss), grad_norm=cfg.train.log_grad_norm)
    state = loop.fit(
        state,
        step,
        train_x,
        epochs=cfg.train.epochs,
        batch_size=cfg.train.batch_size,
        run=run,
        checkpoints=run.checkpoints() if checkpoints is None else checkpoints,
        checkpoint_every=cfg.train.checkpoint_every,
        log_every=cfg.train.log_every,
        evaluate=evaluate,
        eval_every_epochs=cfg.eval.every_epochs,
        phase=phase,
    )
    return model, state


@tasks.register("reconstruct")
def run_reconstruct(cfg, run) -> dict:
    train = data.load(cfg.data.name, cfg.data.train_split, data_dir=cfg.data.data_dir)
    test = data.load(cfg.data.name, cfg.data.test_split, data_dir=cfg.data.data_dir)
    train_x, test_x = jax.device_put(train.x), jax.device_put(test.x)
    check_output_matches_loss(cfg)
    model = autoencoder.from_config(cfg.model)
    run.print(params_lib.table(autoencoder.init_params(model, jax.random.PRNGKey(0))))

    def evaluate(state):
        return {"test_sse_per_image": float(jnp.mean(sse_per_example(model, state.params, test_x, cfg.eval.batch_size)))}

    model, state = train_autoencoder(cfg, run, train_x, evaluate=evaluate)
    train_sse = sse_per_example(model, state.params, train_x, cfg.eval.batch_size)
    test_sse = sse_per_example(model, state.params, test_x, cfg.eval.batch_size)
    metrics = {
        "test_sse_per_image": float(jnp.mean(test_sse)),
        "train_sse_per_image": float(jnp.mean(train_sse)),
        "num_params": params_lib.count(state.params),
        "steps": int(state.step),
    }
    return {"metrics": metrics, "figures": write_figures(run, model, state.params, test.x, cfg)}


def write_figures(run, model, params, test_x: np.ndarray, cfg) -> list[str]:
    """A grid of test images over their reconstructions, and the loss curves."""
    shown = np.asarray(test_x[:12])
    recon = np.asarray(model.apply({"params": params}, shown, method="reconstruct"), dtype=np.float32)
    side = int(round(np.sqrt(shown.shape[1])))
    figures = []
    if side * side == shown.shape[1]:
        plots.image_rows(run.workdir / "reconstructions.png", {"test image": shown, "autoencoder": recon}, (side, side))
        figures.append("reconstructions.png")
    history = run.history()
    train_pts = [(r["step"], r["loss"]) for r in history if "loss" in r and "examples_per_s" in r]
    eval_pts = [(r["step"], r["test_sse_per_image"]) for r in history if "test_sse_per_image" in r]
    series = {}
    if train_pts:
        series[f"train {cfg.loss} (per example)"] = tuple(zip(*train_pts))
    if eval_pts:
        series["test SSE per image"] = tuple(zip(*eval_pts))
    if series:
        plots.curves(run.workdir / "loss_curves.png", series)
        figures.append("loss_curves.png")
    return figures
