"""Runner for Hinton & Salakhutdinov (2006): RBM pretraining, unrolling, fine-tuning, baselines.

Task "hinton2006". Steps, each logged to metrics.jsonl with a "phase" tag:

1. data (MNIST / CURVES through ``aejax.data``; FACES patches, 20 Newsgroups and RCV1 counts
   through ``aejax.tasks.hinton2006_data``);
2. baselines: mean image, mean-centred PCA-k, logistic PCA-k (``aejax.baselines``);
3. greedy RBM pretraining (``aejax.train.pretrain``), checkpointed stage by stage, unrolled into
   the autoencoder (or a random initialisation when ``pretrain.enabled`` is False);
4. fine-tuning with the paper's conjugate gradients (``finetune.protocol="cg"``) or an optax
   optimizer with minibatches (``"optax"``, ``config.train``), checkpointed and resumable;
5. evaluation: test / train SSE per image (mean over images of the per-image summed squared
   error), 2-D code scatter plots with k-nearest-neighbour accuracies, document retrieval
   (autoencoder codes, LSA and raw counts), figures.
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree
from tqdm.auto import tqdm

from aejax import data, eval as eval_lib, losses, params as params_lib, plots, tasks
from aejax.baselines import logistic_pca, pca as pca_lib
from aejax.models import autoencoder
from aejax.models import rbm
from aejax.tasks import hinton2006_data
from aejax.train import cg, fit, pretrain


# ---------------------------------------------------------------------------------------- data
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


# ----------------------------------------------------------------------------------- metrics
def make_sse_per_image(model, batch_size: int, counts: bool = False):
    """A jitted ``(params, x [N, D]) -> float``: mean over images of the summed squared error
    of the deterministic reconstruction (the paper's metric). With ``counts`` the inputs are
    word counts, the reconstruction is softmax(logits) and the target the word probabilities."""
    target = dict(output="softmax", target=losses.word_probabilities) if counts else {}
    return lambda params, x: eval_lib.sse_per_image(model, params, x, batch_size=batch_size, **target)


def make_codes(model, batch_size: int):
    """A jitted ``(params, x [N, D]) -> codes [N, code size]`` (numpy)."""
    return lambda params, x: np.asarray(eval_lib.encode(model, params, x, batch_size=batch_size))


def retrieval_accuracy(codes_: np.ndarray, labels: np.ndarray, counts=(1, 3, 7, 15, 31, 63),
                       chunk: int = 1024) -> dict[int, float]:
    """For each document as a query against all the others (cosine similarity of codes), the
    fraction of the n most similar documents sharing its label, averaged over queries."""
    unit = codes_ / np.maximum(np.linalg.norm(codes_, axis=1, keepdims=True), 1e-12)
    n_max = min(max(counts), len(unit) - 1)
    hits = np.zeros(n_max)
    for start in range(0, len(unit), chunk):
        sim = unit[start:start + chunk] @ unit.T
        rows = np.arange(sim.shape[0])
        sim[rows, start + rows] = -np.inf
        top = np.argsort(-sim, axis=1, kind="stable")[:, :n_max]
        hits += (labels[top] == labels[start:start + chunk, None]).sum(0)
    cumulative = np.cumsum(hits) / len(unit)
    return {n: float(cumulative[n - 1] / n) for n in counts if n <= n_max}


def lsa_codes(train_counts: np.ndarray, test_counts: np.ndarray, k: int) -> np.ndarray:
    """LSA: the test documents' coordinates on the top-k right singular vectors of the training
    log(1 + count) matrix."""
    _, _, vt = np.linalg.svd(np.log1p(train_counts.astype(np.float64)), full_matrices=False)
    return np.log1p(test_counts.astype(np.float64)) @ vt[:k].T


def knn_accuracy(train_codes, train_y, test_codes, test_y, n_neighbors: int) -> float:
    """Test accuracy of a k-nearest-neighbour classifier fitted on the training codes."""
    from sklearn.neighbors import KNeighborsClassifier

    clf = KNeighborsClassifier(n_neighbors=n_neighbors).fit(train_codes, train_y)
    return float(clf.score(test_codes, test_y))


# -------------------------------------------------------------------------------------- model
def build_model(cfg) -> autoencoder.Autoencoder:
    return autoencoder.from_config(cfg.model)


def random_init(model, key, scale: float) -> dict:
    """The module's default init, or (scale > 0) kernels ~ scale * N(0, 1) and zero biases."""
    params = autoencoder.init_params(model, key)
    if scale <= 0:
        return params
    leaves, treedef = jax.tree_util.tree_flatten_with_path(params)
    keys = jax.random.split(key, len(leaves))
    new = [scale * jax.random.normal(k, leaf.shape, leaf.dtype) if path[-1].key == "kernel"
           else jnp.zeros_like(leaf) for k, (path, leaf) in zip(keys, leaves)]
    return jax.tree_util.tree_unflatten(treedef, new)


def make_stages(cfg) -> list[pretrain.RBMStage]:
    p = cfg.pretrain
    return pretrain.rbm_stages(
        tuple(cfg.model.sizes), p.epochs, batch_size=p.batch_size, visible=p.visible,
        code_units="gaussian" if cfg.model.code_activation == "linear" else "binary",
        learning_rate=p.learning_rate, code_learning_rate=p.code_learning_rate,
        first_learning_rate=p.get("first_learning_rate"), first_epochs=p.get("first_epochs"),
        weight_cost=p.weight_cost, k=p.cd_k)


# --------------------------------------------------------------------------------- fine-tuning
def finetune_optax(cfg, run, model, params, train_x, evaluate):
    """Minibatch fine-tuning with the optax optimizer of ``cfg.train`` (resumable)."""
    return fit.train_autoencoder(cfg, train_x, model=model, params=params, rng=jax.random.PRNGKey(cfg.seed + 1),
                                 run=run, checkpoints="finetune", evaluate=evaluate, desc="fine-tune",
                                 phase="finetune").params


def finetune_cg(cfg, run, model, params, train_x, evaluate):
    """The paper's protocol: fixed batches of ``finetune.cg.batch_size`` (1000), ``line_searches``
    (3) line searches of ``minimize`` per batch, restarted per batch; optionally float64.

    CG keeps no state from one batch to the next, so the training state is the parameters in the
    working precision plus the position (epoch, batch, the epoch's losses so far). It is
    checkpointed at every epoch end and, within epochs, after the first batch that ends
    ``checkpoint_seconds`` of wall time after the last save (0: after every batch); a rerun
    resumes at the next batch and ends with exactly the parameters of an uninterrupted run.
    Each epoch's record also counts the function evaluations and host round trips of its
    ``minimize`` calls (the line search is driven from the host; on an accelerator every round
    trip is a device synchronisation)."""
    c = cfg.finetune.cg
    objective = losses.get(cfg.loss)
    dtype = jnp.float64 if c.float64 else jnp.float32
    ckpts = run.checkpoints("finetune_cg")
    with jax.enable_x64(c.float64):
        batches = rbm.make_batches(jnp.asarray(train_x, dtype), c.batch_size,
                                   jax.random.PRNGKey(cfg.seed + 2))
        n_batches = batches.shape[0]
        work = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype), params)
        at = _cg_position(0)
        if ckpts.latest_step() is not None:
            work, saved = ckpts.restore(work)
            at.update(saved)
            run.print(f"[cg] resumed at epoch {at['epoch'] + 1}, batch {at['batch']} of {n_batches}")
        _, unravel = ravel_pytree(work)

        def loss_fn(p, x):
            return jnp.mean(objective(model.apply({"params": p}, x), x))

        def as_params(w):
            return jax.tree_util.tree_map(lambda new, old: jnp.asarray(new, old.dtype), w, params)

        value_and_grad = cg.make_flat_value_and_grad(loss_fn, unravel)
        bar = tqdm(total=c.epochs * n_batches, initial=at["epoch"] * n_batches + at["batch"],
                   desc="fine-tune (CG)", unit="batch", disable=run.quiet)
        postfix = _last_test_sse(run)
        last_save = time.perf_counter()
        try:
            while at["epoch"] < c.epochs:
                t = time.perf_counter()
                work, result = cg.minimize_pytree(loss_fn, work, batches[at["batch"]],
                                                  length=c.line_searches,
                                                  value_and_grad=value_and_grad)
                at["values"].append(result.values[-1])
                at["evaluations"] += result.evaluations
                at["host_syncs"] += result.host_syncs
                at["batch"] += 1
                at["seconds"] += time.perf_counter() - t
                if at["batch"] == n_batches:
                    record = _cg_epoch_record(at, n_batches)
                    done = at["epoch"] + 1
                    if done % cfg.eval.every_epochs == 0 or done == c.epochs:
                        record.update(evaluate(as_params(work)))
                        postfix = {k: v for k, v in record.items() if k.startswith("test_")}
                    run.log(record)
                    run.print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                       for k, v in record.items()))
                    at = _cg_position(done)
                bar.set_postfix({"epoch": at["epoch"] + 1, "loss": f"{result.values[-1]:.4g}",
                                 **{k: f"{v:.4g}" for k, v in postfix.items()}}, refresh=False)
                bar.update(1)
                if at["batch"] == 0 or time.perf_counter() - last_save >= c.checkpoint_seconds:
                    ckpts.save(at["epoch"] * n_batches + at["batch"], work, at)
                    last_save = time.perf_counter()
        finally:
            bar.close()
        return as_params(work)


def _cg_position(epochs_done: int) -> dict:
    """The CG fine-tuning position at the start of epoch ``epochs_done + 1``: the checkpoint's
    JSON record (with the epoch's losses, evaluations, host round trips and seconds so far)."""
    return {"epoch": epochs_done, "batch": 0, "values": [], "evaluations": 0, "host_syncs": 0,
            "seconds": 0.0}


def _cg_epoch_record(at: dict, n_batches: int) -> dict:
    """The metrics line of a finished CG epoch (``at``: its position after the last batch)."""
    return {"phase": "finetune", "epoch": at["epoch"] + 1, "loss": float(np.mean(at["values"])),
            "epoch_seconds": at["seconds"],
            "evaluations_per_batch": at["evaluations"] / n_batches,
            "host_syncs_per_batch": at["host_syncs"] / n_batches}


def _last_test_sse(run) -> dict:
    """The test metrics of the last fine-tuning evaluation logged in ``run`` (for a resumed
    progress bar), or {}."""
    for record in reversed(run.history()):
        if record.get("phase") == "finetune" and "test_sse_per_image" in record:
            return {"test_sse_per_image": record["test_sse_per_image"]}
    return {}


# ------------------------------------------------------------------------------------ figures
def _display(rows: dict) -> dict:
    """Rows of images scaled to [0, 1] for display (FACES are zero-mean, unit variance): each
    column by its test image's range, so a reconstruction shows on its original's scale."""
    shown = np.asarray(next(iter(rows.values())))
    lo, hi = shown.min(axis=1, keepdims=True), shown.max(axis=1, keepdims=True)
    return {k: (np.asarray(v) - lo) / np.maximum(hi - lo, 1e-8) for k, v in rows.items()}


def scatter_figure(path, panels: dict, labels: np.ndarray, per_class: int, seed: int = 0,
                   class_names=None) -> None:
    """Side-by-side 2-D scatter plots (one panel per entry), ``per_class`` points of each class,
    coloured by class (up to 20 classes; ``class_names`` label them)."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    chosen = rng.permutation(np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:per_class]
                                             for c in classes]))  # no class drawn over all others
    n_colours = 10 if classes.max() < 10 else 20
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 5.5), squeeze=False)
    for ax, (title, points) in zip(axes[0], panels.items()):
        sc = ax.scatter(points[chosen, 0], points[chosen, 1], c=labels[chosen], cmap=f"tab{n_colours}",
                        s=3, vmin=-0.5, vmax=n_colours - 0.5)
        ax.set_title(title)
    bar = fig.colorbar(sc, ax=axes[0].tolist(), ticks=classes, label="class")
    if class_names is not None:
        bar.set_ticklabels([class_names[c] for c in classes], fontsize=7)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def retrieval_figure(path, curves: dict) -> None:
    """Retrieval accuracy against the number of documents retrieved (log scale), one line per
    method (label -> {n: accuracy}), as SOM Fig. S5."""
    plots.curves(path, {label: (list(by_n), list(by_n.values())) for label, by_n in curves.items()},
                 xlabel="number of retrieved documents", ylabel="accuracy (same newsgroup)",
                 log_x=True, log_y=False)


def curve_figures(run, sizes, paper_test_sse: float | None = None) -> list[str]:
    history = run.history()
    figures = []
    series = {}
    for i in range(len(sizes) - 1):
        pts = [(r["epoch"], r["rbm_recon_sse_per_example"]) for r in history
               if r.get("phase") == f"pretrain/enc_{i}" and "rbm_recon_sse_per_example" in r]
        if pts:
            series[f"RBM {sizes[i]}-{sizes[i + 1]}"] = tuple(zip(*pts))
    if series:
        plots.curves(run.path("pretraining_curves.png"), series, xlabel="epoch",
                     ylabel="reconstruction SSE per example")
        figures.append("pretraining_curves.png")
    series = {}
    for key, label in (("test_sse_per_image", "test"), ("train_sse_per_image", "train")):
        pts = [(r["epoch"], r[key]) for r in history if r.get("phase") == "finetune" and key in r]
        if pts:
            series[f"{label} SSE per image"] = tuple(zip(*pts))
    if series:
        levels = {f"paper (test) {paper_test_sse:g}": paper_test_sse} if paper_test_sse else None
        plots.curves(run.path("finetuning_curves.png"), series, xlabel="fine-tuning epoch",
                     ylabel="SSE per image", levels=levels)
        figures.append("finetuning_curves.png")
    return figures


# ------------------------------------------------------------------------------------- runner
@tasks.register("hinton2006")
def run_hinton2006(cfg, run) -> dict:
    t_start = time.perf_counter()
    protocol = cfg.finetune.protocol
    if protocol not in ("cg", "optax"):
        raise ValueError(f"finetune.protocol={protocol!r}: choose 'cg' (paper) or 'optax' (modern).")
    d = load_data(cfg, run.workdir)
    notes = list(d["notes"])
    train_np, test_np = d["train_x"], d["test_x"]
    if counts_input(cfg):
        if cfg.loss != "softmax_cross_entropy":
            raise ValueError(f"loss={cfg.loss!r} with count inputs (pretrain.visible='softmax'); "
                             "use loss='softmax_cross_entropy' (targets: word probabilities).")
        notes.append("Net input: word counts (first RBM: softmax visible units, hidden input from "
                     "the counts, reconstruction L * softmax); fine-tuning target: word "
                     f"probabilities, loss {cfg.loss}; SSE metrics compare softmax outputs with "
                     "word probabilities.")
    net_train, net_test = ((d["train_counts"], d["test_counts"]) if counts_input(cfg)
                           else (train_np, test_np))
    train_x, test_x = jax.device_put(net_train), jax.device_put(net_test)
    sizes = tuple(cfg.model.sizes)
    if train_np.shape[1] != sizes[0]:
        raise ValueError(f"model.sizes[0]={sizes[0]} but the data have {train_np.shape[1]} features; "
                         f"set --config.model.sizes to start with {train_np.shape[1]}.")
    metrics: dict[str, float] = {}
    eval_bs = cfg.eval.batch_size

    # Baselines.
    mean_image = train_np.mean(axis=0)
    metrics["mean_image_test_sse_per_image"] = float(np.mean(np.sum((test_np - mean_image) ** 2, 1)))
    recon_rows = {}
    shown = test_np[np.linspace(0, len(test_np) - 1, cfg.eval.num_shown).astype(int)]  # spread out
    for k in cfg.baselines.pca:
        fitted = pca_lib.fit(train_np, k)
        metrics[f"pca_{k}_test_sse_per_image"] = pca_lib.sse_per_example(fitted, test_np)
        recon_rows[f"PCA-{k}"] = pca_lib.reconstruct(fitted, shown)
    base_train_x, base_test_x = ((jax.device_put(train_np), jax.device_put(test_np))
                                 if counts_input(cfg) else (train_x, test_x))
    for k in cfg.baselines.logistic_pca:
        net, lp_params = logistic_pca.fit(
            base_train_x, k, epochs=cfg.baselines.logistic_pca_epochs,
            batch_size=cfg.baselines.logistic_pca_batch_size,
            learning_rate=cfg.baselines.logistic_pca_learning_rate, seed=cfg.seed, run=run,
            phase=f"logistic_pca_{k}")
        metrics[f"logistic_pca_{k}_test_sse_per_image"] = logistic_pca.sse_per_example(
            net, lp_params, base_test_x, eval_bs)
        recon_rows[f"logistic PCA-{k}"] = np.asarray(
            net.apply({"params": lp_params}, shown, method="reconstruct"))
    metrics["baselines_seconds"] = time.perf_counter() - t_start
    run.print({k: round(v, 4) for k, v in metrics.items()})

    # Pretraining (or random initialisation) and unrolling.
    model = build_model(cfg)
    t = time.perf_counter()
    if cfg.pretrain.enabled:
        layers = pretrain.pretrain(make_stages(cfg), train_x, jax.random.PRNGKey(cfg.seed),
                                   checkpoints=run.checkpoints("pretrain", max_to_keep=1),
                                   log=run.log, print_fn=run.print)
        params = pretrain.unroll(layers, tied=cfg.model.tied)
        notes.append("Next-layer RBM data: hidden probabilities from a fresh pass with the final "
                     "weights of the layer below.")
    else:
        params = random_init(model, jax.random.PRNGKey(cfg.seed), cfg.model.init_scale)
        notes.append("No pretraining: " + (f"kernels ~ {cfg.model.init_scale} N(0, 1), zero biases."
                                           if cfg.model.init_scale > 0 else "default init."))
    metrics["pretrain_seconds"] = time.perf_counter() - t
    sse_per_image = make_sse_per_image(model, eval_bs, counts=counts_input(cfg))
    metrics["initial_test_sse_per_image"] = sse_per_image(params, test_x)
    run.print(params_lib.table(params))
    run.print(f"before fine-tuning: test SSE per image {metrics['initial_test_sse_per_image']:.4f}")

    def evaluate(p):
        out = {"test_sse_per_image": sse_per_image(p, test_x)}
        if cfg.eval.train_error:
            out["train_sse_per_image"] = sse_per_image(p, train_x)
        out["elapsed_seconds"] = time.perf_counter() - t_start  # wall time since the run started
        return out

    # Fine-tuning.
    t = time.perf_counter()
    if protocol == "cg":
        params = finetune_cg(cfg, run, model, params, net_train, evaluate)
        notes.append(f"Fine-tuning: conjugate gradients (minimize.m port), {cfg.finetune.cg.epochs} "
                     f"epochs of {cfg.finetune.cg.batch_size}-case batches, "
                     f"{cfg.finetune.cg.line_searches} line searches per batch, "
                     f"{'float64' if cfg.finetune.cg.float64 else 'float32'}.")
    elif protocol == "optax":
        params = finetune_optax(cfg, run, model, params, train_x, evaluate)
        o = cfg.train.optimizer
        notes.append(f"Fine-tuning: {o.name} lr {o.learning_rate} ({o.schedule}), "
                     f"{cfg.train.epochs} epochs, batch {cfg.train.batch_size}.")
    metrics["finetune_seconds"] = time.perf_counter() - t
    metrics["test_sse_per_image"] = sse_per_image(params, test_x)
    metrics["train_sse_per_image"] = sse_per_image(params, train_x)
    metrics["num_params"] = float(params_lib.count(params))
    if cfg.eval.ratio_to_pca:
        k = sizes[-1]
        metrics[f"test_sse_ratio_to_pca_{k}"] = (metrics["test_sse_per_image"]
                                                 / metrics[f"pca_{k}_test_sse_per_image"])

    # Figures.
    figures = []
    ae_rows = {"test image": shown,
               f"autoencoder-{sizes[-1]}": np.asarray(model.apply({"params": params}, shown,
                                                                  method="reconstruct"))}
    rows = {**ae_rows, **recon_rows}
    if not d.get("unit_range", True):
        rows = _display(rows)
    if len(d["image_shape"]) == 2:
        plots.image_rows(run.path("reconstructions.png"), rows, d["image_shape"])
        figures.append("reconstructions.png")
    paper = cfg.reference.get("test_sse_per_image")
    figures += curve_figures(run, sizes, paper.value if paper else None)
    codes = make_codes(model, eval_bs)
    if sizes[-1] == 2 and d["test_y"] is not None:
        ae_train, ae_test = codes(params, train_x), codes(params, test_x)
        if counts_input(cfg):
            base, title = "lsa", "LSA: 2-D codes"
            base_train, base_test = (lsa_codes(d["train_counts"], c, 2)
                                     for c in (d["train_counts"], d["test_counts"]))
        else:
            base, title = "pca", "PCA: first two components"
            pca2 = pca_lib.fit(train_np, 2)
            base_train, base_test = pca_lib.encode(pca2, train_np), pca_lib.encode(pca2, test_np)
        n = cfg.eval.knn_neighbors
        metrics["knn_accuracy_autoencoder_2d"] = knn_accuracy(ae_train, d["train_y"], ae_test,
                                                              d["test_y"], n)
        metrics[f"knn_accuracy_{base}_2d"] = knn_accuracy(base_train, d["train_y"], base_test,
                                                           d["test_y"], n)
        metrics["knn_accuracy_gain_2d"] = (metrics["knn_accuracy_autoencoder_2d"]
                                           - metrics[f"knn_accuracy_{base}_2d"])
        scatter_figure(run.path("codes_2d.png"), {title: base_test, "autoencoder 2-D codes": ae_test},
                       d["test_y"], cfg.eval.scatter_per_class, class_names=d.get("class_names"))
        figures.append("codes_2d.png")
        notes.append(f"kNN accuracy: {n}-nearest-neighbour classifier fitted on the training "
                     "codes, scored on the test codes.")
    if cfg.eval.retrieval:
        k = sizes[-1]
        by_method = {"autoencoder": codes(params, test_x),
                     "lsa": lsa_codes(d["train_counts"], d["test_counts"], k),
                     "counts": d["test_counts"]}
        curves = {label: retrieval_accuracy(c, d["test_y"], tuple(cfg.eval.retrieval_counts))
                  for label, c in by_method.items()}
        for label, by_n in curves.items():
            for n, acc in by_n.items():
                metrics[f"retrieval_accuracy_at_{n}_{label}"] = acc
        for other in ("lsa", "counts"):
            metrics[f"retrieval_gain_over_{other}"] = min(
                curves["autoencoder"][n] - curves[other][n] for n in curves[other])
        retrieval_figure(run.path("retrieval.png"),
                         {f"autoencoder-{k}": curves["autoencoder"], f"LSA-{k}": curves["lsa"],
                          f"raw counts ({d['test_counts'].shape[1]}-D)": curves["counts"]})
        figures.append("retrieval.png")
        notes.append(f"Retrieval: each of the {len(d['test_y'])} test documents queries all other test "
                     f"documents by cosine similarity of {k}-D codes (or of the raw count vectors); "
                     "accuracy = fraction of the n retrieved sharing its label, averaged over queries. "
                     "LSA = SVD of log(1 + counts) fitted on the training split. "
                     "retrieval_gain_over_X = min over n of (autoencoder - X).")
    return {"metrics": metrics, "figures": figures, "notes": notes}
