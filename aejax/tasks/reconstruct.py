"""Train an autoencoder on a dataset and report its reconstruction error (H&S's metric)."""
import jax.numpy as jnp
import numpy as np

from aejax import data, eval as eval_lib, params as params_lib, plots, tasks
from aejax.train import fit


@tasks.register("reconstruct")
def run_reconstruct(cfg, run) -> dict:
    train = data.load(cfg.data.name, cfg.data.train_split, data_dir=cfg.data.data_dir)
    test = data.load(cfg.data.name, cfg.data.test_split, data_dir=cfg.data.data_dir)
    test_x = jnp.asarray(test.x)
    model = fit.build_model(cfg, train.image_shape)

    def sse(params, x):
        return eval_lib.sse_per_image(model, params, x, batch_size=cfg.eval.batch_size)

    trained = fit.train_autoencoder(cfg, train, model=model, run=run, checkpoints="checkpoints",
                                    evaluate=lambda params: {"test_sse_per_image": sse(params, test_x)})
    run.print(params_lib.table(trained.params))
    metrics = {
        "test_sse_per_image": sse(trained.params, test_x),
        "train_sse_per_image": sse(trained.params, train.x),
        "num_params": params_lib.count(trained.params),
        "steps": int(trained.state.step),
    }
    return {"metrics": metrics, "figures": write_figures(run, model, trained.params, test, cfg)}


def write_figures(run, model, params, test: data.Split, cfg) -> list[str]:
    """A grid of test images over their reconstructions, and the loss curves."""
    shown = np.asarray(test.x[:12])
    recon = np.asarray(eval_lib.reconstruct(model, params, shown))
    figures = []
    if len(test.image_shape) >= 2 and test.image_shape[2:] in ((), (1,)):
        plots.image_rows(run.path("reconstructions.png"), {"test image": shown, "autoencoder": recon}, test.image_shape[:2])
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
        plots.curves(run.path("loss_curves.png"), series)
        figures.append("loss_curves.png")
    return figures
