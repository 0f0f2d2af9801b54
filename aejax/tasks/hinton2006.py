"""Task "hinton2006": Hinton & Salakhutdinov (2006) end to end, each step logged to metrics.jsonl
with a "phase" tag: data (MNIST / CURVES through `aejax.data`, FACES patches and document counts
through `aejax.data.hinton2006`); baselines (mean image, PCA-k, logistic PCA-k); greedy RBM
pretraining (`aejax.train.pretrain`) unrolled into the autoencoder, or a random initialisation;
fine-tuning with the paper's conjugate gradients (`aejax.train.cg.fit_cg`) or an optax optimizer
(`aejax.train.fit`), both resumable; test / train SSE per image, 2-D codes with kNN accuracies,
document retrieval against LSA (`aejax.eval`), figures (`aejax.plots`).
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np

from aejax import data, eval as eval_lib, losses, params as params_lib, plots, tasks
from aejax.baselines import logistic_pca, pca as pca_lib
from aejax.data import hinton2006 as hinton2006_data
from aejax.models import autoencoder
from aejax.train import cg, fit, pretrain


def load_data(cfg, workdir) -> dict:
    """{"train_x", "test_x" float32 [N, D], "train_y", "test_y" int32, "image_shape", "notes"}."""
    name = cfg.data.name
    if name in hinton2006_data.LOADERS:
        return hinton2006_data.LOADERS[name](cfg.data, workdir)
    train = data.load(name, cfg.data.train_split, data_dir=cfg.data.data_dir)
    test = data.load(name, cfg.data.test_split, data_dir=cfg.data.data_dir)
    side = int(round(np.sqrt(train.x.shape[1])))
    return {"train_x": train.x, "train_y": train.y, "test_x": test.x, "test_y": test.y,
            "image_shape": (side, side), "notes": []}


def counts_input(cfg) -> bool:
    """Whether the net reads word counts: the first RBM has softmax (count) visible units."""
    return cfg.pretrain.visible == "softmax"


def baselines(cfg, run, d, shown) -> tuple[dict, dict]:
    """(metrics, reconstruction rows of `shown`) of the mean image, PCA-k and logistic PCA-k; with
    eval.train_error also PCA-k's error on the training examples."""
    train_np, test_np = d["train_x"], d["test_x"]
    mean_image = train_np.mean(axis=0)
    metrics = {"mean_image_test_sse_per_image": float(np.mean(np.sum((test_np - mean_image) ** 2, 1)))}
    rows = {}
    for k in cfg.baselines.pca:
        fitted = pca_lib.fit(train_np, k)
        metrics[f"pca_{k}_test_sse_per_image"] = pca_lib.sse_per_example(fitted, test_np)
        if cfg.eval.train_error:  # PCA's generalisation gap beside the autoencoder's train_sse_per_image
            metrics[f"pca_{k}_train_sse_per_image"] = pca_lib.sse_per_example(fitted, train_np)
        rows[f"PCA-{k}"] = pca_lib.reconstruct(fitted, shown)
    train_x, test_x = jax.device_put(train_np), jax.device_put(test_np)
    for k in cfg.baselines.logistic_pca:
        net, lp_params = logistic_pca.fit(
            train_x, k, epochs=cfg.baselines.logistic_pca_epochs, batch_size=cfg.baselines.logistic_pca_batch_size,
            learning_rate=cfg.baselines.logistic_pca_learning_rate, seed=cfg.seed, run=run, phase=f"logistic_pca_{k}")
        metrics[f"logistic_pca_{k}_test_sse_per_image"] = logistic_pca.sse_per_example(
            net, lp_params, test_x, cfg.eval.batch_size)
        rows[f"logistic PCA-{k}"] = np.asarray(net.apply({"params": lp_params}, shown, method="reconstruct"))
    return metrics, rows


def finetune_seconds(cfg, run, model, train_x) -> float:
    """Estimated seconds of minibatch fine-tuning (`finetune.protocol="optax"`; 0 for "cg"): its
    steps times the seconds per step of a timed short epoch (`fit.seconds_per_step`), printed;
    the pretraining bar adds it to its own ETA."""
    if cfg.finetune.protocol != "optax":
        return 0.0
    steps = cfg.train.epochs * (len(train_x) // cfg.train.batch_size)
    seconds = steps * fit.seconds_per_step(cfg, train_x, model=model)
    run.print(f"fine-tuning: {steps} steps, about {seconds:.0f} s at this machine's current speed (timed steps)")
    return seconds


def initial_params(cfg, run, model, train_x, notes: list) -> dict:
    """The RBM stack unrolled into the autoencoder (`pretrain.enabled`), else its default
    initialisation or (`model.init_scale` > 0) kernels ~ scale N(0, 1) with zero biases."""
    if cfg.pretrain.enabled:
        layers = pretrain.pretrain(pretrain.rbm_stages_from_config(cfg), train_x, jax.random.PRNGKey(cfg.seed),
                                   checkpoints=run.checkpoints("pretrain", max_to_keep=1),
                                   log=run.log, print_fn=run.print, progress=not run.quiet,
                                   then_seconds=lambda: finetune_seconds(cfg, run, model, train_x))
        notes.append("Next-layer RBM data: hidden probabilities from a fresh pass with the final "
                     "weights of the layer below.")
        return pretrain.unroll(layers, tied=cfg.model.tied)
    key, scale = jax.random.PRNGKey(cfg.seed), cfg.model.init_scale
    params = autoencoder.init_params(model, key)
    notes.append("No pretraining: " + (f"kernels ~ {scale} N(0, 1), zero biases." if scale > 0 else "default init."))
    return autoencoder.normal_init(params, key, scale) if scale > 0 else params


def finetune(cfg, run, model, params, net_train, train_x, evaluate, notes: list) -> dict:
    """The paper's conjugate gradients (`finetune.protocol="cg"`) or minibatch optax (`"optax"`)."""
    if cfg.finetune.protocol == "cg":
        c, objective = cfg.finetune.cg, losses.get(cfg.loss)
        params = cg.fit_cg(lambda p, x: jnp.mean(objective(model.apply({"params": p}, x), x)), params, net_train, run,
                           epochs=c.epochs, batch_size=c.batch_size, line_searches=c.line_searches, float64=c.float64,
                           checkpoint_seconds=c.checkpoint_seconds, key=jax.random.PRNGKey(cfg.seed + 2),
                           evaluate=evaluate, eval_every_epochs=cfg.eval.every_epochs)
        notes.append(f"Fine-tuning: conjugate gradients (minimize.m port), {c.epochs} epochs of {c.batch_size}-case "
                     f"batches, {c.line_searches} line searches per batch, {'float64' if c.float64 else 'float32'}.")
        return params
    o = cfg.train.optimizer
    notes.append(f"Fine-tuning: {o.name} lr {o.learning_rate} ({o.schedule}), {cfg.train.epochs} epochs, "
                 f"batch {cfg.train.batch_size}.")
    return fit.train_autoencoder(cfg, train_x, model=model, params=params, rng=jax.random.PRNGKey(cfg.seed + 1),
                                 run=run, checkpoints="finetune", evaluate=evaluate, desc="fine-tune",
                                 phase="finetune").params


def codes_2d(cfg, run, d, model, params, train_x, test_x, notes: list) -> tuple[dict, list]:
    """kNN accuracies of 2-D autoencoder codes against PCA (images) or LSA (documents), and
    codes_2d.png."""
    def codes(x):
        return np.asarray(eval_lib.encode(model, params, x, batch_size=cfg.eval.batch_size))

    ae_train, ae_test = codes(train_x), codes(test_x)
    if counts_input(cfg):
        base, title = "lsa", "LSA: 2-D codes"
        base_train, base_test = (eval_lib.lsa_codes(d["train_counts"], c, 2) for c in (d["train_counts"], d["test_counts"]))
    else:
        base, title = "pca", "PCA: first two components"
        pca2 = pca_lib.fit(d["train_x"], 2)
        base_train, base_test = pca_lib.encode(pca2, d["train_x"]), pca_lib.encode(pca2, d["test_x"])
    n = cfg.eval.knn_neighbors
    metrics = {"knn_accuracy_autoencoder_2d": eval_lib.knn_accuracy(ae_train, d["train_y"], ae_test, d["test_y"], n),
               f"knn_accuracy_{base}_2d": eval_lib.knn_accuracy(base_train, d["train_y"], base_test, d["test_y"], n)}
    metrics["knn_accuracy_gain_2d"] = metrics["knn_accuracy_autoencoder_2d"] - metrics[f"knn_accuracy_{base}_2d"]
    plots.scatter(run.path("codes_2d.png"), {title: base_test, "autoencoder 2-D codes": ae_test}, d["test_y"],
                  cfg.eval.scatter_per_class, class_names=d.get("class_names"))
    notes.append(f"kNN accuracy: {n}-nearest-neighbour classifier fitted on the training codes, scored on the test codes.")
    return metrics, ["codes_2d.png"]


def retrieval(cfg, run, d, model, params, test_x, notes: list) -> tuple[dict, list]:
    """Retrieval accuracies of autoencoder codes, LSA codes and raw counts, and retrieval.png."""
    k = cfg.model.sizes[-1]
    by_method = {"autoencoder": np.asarray(eval_lib.encode(model, params, test_x, batch_size=cfg.eval.batch_size)),
                 "lsa": eval_lib.lsa_codes(d["train_counts"], d["test_counts"], k), "counts": d["test_counts"]}
    curves = {label: eval_lib.retrieval_accuracy(c, d["test_y"], tuple(cfg.eval.retrieval_counts))
              for label, c in by_method.items()}
    metrics = {f"retrieval_accuracy_at_{n}_{label}": acc for label, by_n in curves.items() for n, acc in by_n.items()}
    for other in ("lsa", "counts"):
        metrics[f"retrieval_gain_over_{other}"] = min(curves["autoencoder"][n] - curves[other][n] for n in curves[other])
    plots.retrieval(run.path("retrieval.png"), {f"autoencoder-{k}": curves["autoencoder"], f"LSA-{k}": curves["lsa"],
                                                f"raw counts ({d['test_counts'].shape[1]}-D)": curves["counts"]})
    notes.append(f"Retrieval: each of the {len(d['test_y'])} test documents queries all other test documents by cosine "
                 f"similarity of {k}-D codes (or of the raw count vectors); accuracy = fraction of the n retrieved "
                 "sharing its label, averaged over queries. LSA = SVD of log(1 + counts) fitted on the training split. "
                 "retrieval_gain_over_X = min over n of (autoencoder - X).")
    return metrics, ["retrieval.png"]


@tasks.register("hinton2006")
def run_hinton2006(cfg, run) -> dict:
    t_start = time.perf_counter()
    if cfg.finetune.protocol not in ("cg", "optax"):
        raise ValueError(f"finetune.protocol={cfg.finetune.protocol!r}: choose 'cg' (paper) or 'optax' (modern).")
    d = load_data(cfg, run.workdir)
    notes = list(d["notes"])
    if counts_input(cfg):
        if cfg.loss != "softmax_cross_entropy":
            raise ValueError(f"loss={cfg.loss!r} with count inputs (pretrain.visible='softmax'); "
                             "use loss='softmax_cross_entropy' (targets: word probabilities).")
        notes.append("Net input: word counts (first RBM: softmax visible units, hidden input from the counts, "
                     f"reconstruction L * softmax); fine-tuning target: word probabilities, loss {cfg.loss}; SSE "
                     "metrics compare softmax outputs with word probabilities.")
    net_train, net_test = (d["train_counts"], d["test_counts"]) if counts_input(cfg) else (d["train_x"], d["test_x"])
    train_x, test_x = jax.device_put(net_train), jax.device_put(net_test)
    sizes = tuple(cfg.model.sizes)
    if d["train_x"].shape[1] != sizes[0]:
        raise ValueError(f"model.sizes[0]={sizes[0]} but the data have {d['train_x'].shape[1]} features; "
                         f"set --config.model.sizes to start with {d['train_x'].shape[1]}.")
    shown = d["test_x"][np.linspace(0, len(d["test_x"]) - 1, cfg.eval.num_shown).astype(int)]  # spread out
    metrics, recon_rows = baselines(cfg, run, d, shown)
    metrics["baselines_seconds"] = time.perf_counter() - t_start
    run.print({k: round(v, 4) for k, v in metrics.items()})

    model = autoencoder.from_config(cfg.model)
    t = time.perf_counter()
    params = initial_params(cfg, run, model, train_x, notes)
    metrics["pretrain_seconds"] = time.perf_counter() - t
    target = dict(output="softmax", target=losses.word_probabilities) if counts_input(cfg) else {}

    def sse_per_image(p, x):
        return eval_lib.sse_per_image(model, p, x, batch_size=cfg.eval.batch_size, **target)

    metrics["initial_test_sse_per_image"] = sse_per_image(params, test_x)
    run.print(params_lib.table(params))
    run.print(f"before fine-tuning: test SSE per image {metrics['initial_test_sse_per_image']:.4f}")

    def evaluate(p):
        out = {"test_sse_per_image": sse_per_image(p, test_x)}
        if cfg.eval.train_error:
            out["train_sse_per_image"] = sse_per_image(p, train_x)
        out["elapsed_seconds"] = time.perf_counter() - t_start  # wall time since the run started
        return out

    t = time.perf_counter()
    params = finetune(cfg, run, model, params, net_train, train_x, evaluate, notes)
    metrics["finetune_seconds"] = time.perf_counter() - t
    metrics["test_sse_per_image"] = sse_per_image(params, test_x)
    metrics["train_sse_per_image"] = sse_per_image(params, train_x)
    metrics["num_params"] = float(params_lib.count(params))
    if cfg.eval.ratio_to_pca:
        metrics[f"test_sse_ratio_to_pca_{sizes[-1]}"] = (metrics["test_sse_per_image"]
                                                         / metrics[f"pca_{sizes[-1]}_test_sse_per_image"])

    figures = []
    rows = {"test image": shown, f"autoencoder-{sizes[-1]}": np.asarray(model.apply({"params": params}, shown,
                                                                                      method="reconstruct")),
            **recon_rows}
    if len(d["image_shape"]) == 2:
        plots.image_rows(run.path("reconstructions.png"), rows if d.get("unit_range", True)
                         else plots.unit_range_rows(rows), d["image_shape"])
        figures.append("reconstructions.png")
    history, paper = run.history(), cfg.reference.get("test_sse_per_image")
    if plots.pretraining_curves(run.path("pretraining_curves.png"), history, sizes):
        figures.append("pretraining_curves.png")
    if plots.finetuning_curves(run.path("finetuning_curves.png"), history, paper.value if paper else None):
        figures.append("finetuning_curves.png")
    if sizes[-1] == 2 and d["test_y"] is not None:
        extra, names = codes_2d(cfg, run, d, model, params, train_x, test_x, notes)
        metrics.update(extra)
        figures += names
    if cfg.eval.retrieval:
        extra, names = retrieval(cfg, run, d, model, params, test_x, notes)
        metrics.update(extra)
        figures += names
    return {"metrics": metrics, "figures": figures, "notes": notes}
