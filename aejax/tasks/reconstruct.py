"""Train an autoencoder on a dataset and report its reconstruction error (H&S's metric).

Task "reconstruct": `train_autoencoder` with the config's model, objective, regularisers,
corruption and evaluators; metrics: test and train SSE per image and the evaluators' numbers.
Returns, besides the metrics, figures and tables, the `Trained` result ("trained"), so a task that
wraps this one reads the trained state without a checkpoint.
"""
import jax.numpy as jnp
import numpy as np

from aejax import data, eval as eval_lib, objectives, params as params_lib, plots, tasks
from aejax.train import fit


@tasks.register("reconstruct")
def run_reconstruct(cfg, run) -> dict:
    train = data.load(cfg.data.name, cfg.data.train_split, data_dir=cfg.data.data_dir)
    test = data.load(cfg.data.name, cfg.data.test_split, data_dir=cfg.data.data_dir)
    test_x = jnp.asarray(test.x)
    model = fit.build_model(cfg, train.image_shape)

    def sse(state, x):
        return eval_lib.sse_per_image(model, state.params, x, batch_size=cfg.eval.batch_size, collections=state.collections)

    test_sse = ("test", cfg.eval.every_epochs, lambda state: {"sse_per_image": sse(state, test_x)})
    trained = fit.train_autoencoder(cfg, train, model=model, run=run, checkpoints="checkpoints", evaluators=[test_sse])
    run.print(params_lib.table(trained.params))
    metrics = {
        "test_sse_per_image": sse(trained.state, test_x),
        "train_sse_per_image": sse(trained.state, train.x),
        "num_params": params_lib.count(trained.params),
        "steps": int(trained.state.step),
        **trained.evals,
    }
    return {"metrics": metrics, "figures": write_figures(run, model, trained.state, test, cfg),
            "tables": {"Training objective (last logged step)": terms_table(run.history())}, "trained": trained}


STEP_KEYS = ("step", "epoch", "phase", "examples_per_s", "param_norm", "grad_norm")


def terms_table(history: list[dict]) -> str:
    """The loss and each named term of the objective at the last logged train step."""
    steps = [r for r in history if "examples_per_s" in r]
    if not steps:
        return "(no train steps logged)"
    last = steps[-1]
    terms = ["loss", *sorted(k for k in last if k not in STEP_KEYS and k != "loss")]
    rows = [f"| {k} | {last[k]:.6g} |" for k in terms]
    return "\n".join([f"At step {last['step']}:", "", "| term | value |", "|---|---:|", *rows])


def write_figures(run, model, state, test: data.Split, cfg) -> list[str]:
    """A grid of test images over their reconstructions, and the curves of the loss, of each
    term of the objective and of the test SSE."""
    shown = np.asarray(test.x[:12])
    recon = np.asarray(eval_lib.reconstruct(model, state.params, shown, collections=state.collections))
    figures = []
    if len(test.image_shape) >= 2 and test.image_shape[2:] in ((), (1,)):
        plots.image_rows(run.path("reconstructions.png"), {"test image": shown, "autoencoder": recon}, test.image_shape[:2])
        figures.append("reconstructions.png")
    history = run.history()
    steps = [r for r in history if "examples_per_s" in r]
    terms = [k for k in (steps[-1] if steps else {}) if k not in STEP_KEYS]
    series = {}
    for term in terms:
        pts = [(r["step"], r[term]) for r in steps if term in r]
        series[f"train loss: {objectives.label(cfg)}" if term == "loss" else f"train {term}"] = tuple(zip(*pts))
    eval_pts = [(r["step"], r["test/sse_per_image"]) for r in history if "test/sse_per_image" in r]
    if eval_pts:
        series["test SSE per image"] = tuple(zip(*eval_pts))
    if series:
        plots.curves(run.path("loss_curves.png"), series)
        figures.append("loss_curves.png")
    return figures
