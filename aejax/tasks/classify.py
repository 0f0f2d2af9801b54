"""Classification with a pretrained encoder: frozen, fine-tuned and from scratch, side by side.

Task "classify". The encoder of `config.model` is pretrained greedily without labels
(`aejax.train.stacked`, `config.pretrain`), then `Classifier` (encoder + head + softmax) is
trained with the same architecture, optimizer and number of steps (`config.train`) in three modes:

  frozen:    encoder = pretrained and frozen through optax (zero updates), head trained;
  finetuned: encoder = pretrained, all layers (or the top `classify.finetune_top_k`) trained;
  scratch:   the same network from random initialisation, all layers trained.

Model selection uses the validation split only (default the last 10,000 MNIST training images):
the epoch (best validation error, kept in a "best" checkpoint), the learning rate
(`classify.learning_rates`) and the pretraining noise level (`classify.noise_levels`). The test
split is evaluated once per mode, with the selected model.
"""
from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp
import optax
from ml_collections import ConfigDict

from aejax import corruption, data, tasks
from aejax.configs.classify import MODES
from aejax.models import classifier as classifier_lib
from aejax.train import stacked
from aejax.train import loop, optim
from aejax.train.state import TrainState
from aejax.train.steps import batched_map, make_train_step

def build_classifier(cfg) -> classifier_lib.Classifier:
    c = cfg.classify
    return classifier_lib.Classifier(
        encoder_sizes=tuple(cfg.model.sizes), encoder_activations=stacked.layer_activations(cfg.model),
        head_sizes=tuple(c.head_sizes), head_activation=c.head_activation, num_classes=c.num_classes,
    )


def classification_loss(model, corrupt=None):
    """`loss_fn(params, (x, y), rng)`: mean softmax cross-entropy of integer labels y [B]
    (inputs corrupted by `corrupt(rng, x)` when given); aux = batch error rate."""

    def loss_fn(params, batch, rng):
        x, y = batch
        if corrupt is not None:
            x = corrupt(rng, x)
        logits = model.apply({"params": params}, x).astype(jnp.float32)
        loss = jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, y))
        return loss, {"batch_error": jnp.mean(jnp.argmax(logits, -1) != y)}

    return loss_fn


def make_predict(model, batch_size: int = 1000):
    """Jitted `predict(params, x [N, D]) -> classes [N]`, compiled once per input shape."""
    return jax.jit(lambda p, xs: batched_map(lambda b: jnp.argmax(model.apply({"params": p}, b), -1), xs, batch_size))


def error_percent(predict, params, x, y) -> float:
    """Classification error in % of `predict` (from `make_predict`) on (x [N, D], y [N])."""
    return float(100.0 * np.mean(np.asarray(predict(params, jnp.asarray(x))) != np.asarray(y)))


def train_classifier(cfg, run, model, params: dict, trainable_encoder_layers: int | None, train, val, *,
                     learning_rate: float, phase: str, seed: int, loss_fn=None, data_=None) -> tuple[dict, dict]:
    """Train `params` (only the head and the top `trainable_encoder_layers` encoder layers) on
    `train` = (x, y) with `config.train`, validating on `val` = (x, y) every
    `config.eval.every_epochs` epochs; returns (params with the lowest validation error,
    {"val_error", "epoch", "steps"}).

    `loss_fn` / `data_` replace the default labelled cross-entropy over `train` (e.g. a
    semi-supervised objective); checkpoints live in `phase`/last and `phase`/best.
    """
    opt_cfg = ConfigDict(cfg.train.optimizer.to_dict())
    opt_cfg.learning_rate = learning_rate
    fit_data = (jnp.asarray(train[0]), jnp.asarray(train[1])) if data_ is None else data_
    steps_per_epoch = jax.tree_util.tree_leaves(fit_data)[0].shape[0] // cfg.train.batch_size
    labels = classifier_lib.trainable_labels(params, trainable_encoder_layers)
    tx = classifier_lib.masked_optimizer(optim.make_optimizer(opt_cfg, cfg.train.epochs * steps_per_epoch), labels)
    # fit donates the state's buffers: train a copy, so `params` stays usable by the caller.
    state = TrainState.create(params=jax.tree_util.tree_map(lambda a: jnp.array(a, copy=True), params), tx=tx,
                              rng=jax.random.PRNGKey(seed))
    if loss_fn is None:
        num_layers = len(model.encoder_sizes) - 1
        frozen = num_layers - (num_layers if trainable_encoder_layers is None else trainable_encoder_layers)
        loss_fn = classification_loss(model.clone(frozen_layers=frozen), corruption.from_config(cfg.classify.input_corruption))
    best_ckpt = run.checkpoints(f"{phase}/best", max_to_keep=1)
    best = {"val_error": float("inf"), "epoch": 0}
    if best_ckpt.latest_step() is not None:
        _, meta = best_ckpt.restore(params)
        best.update(meta)
    val_x, val_y = jnp.asarray(val[0]), np.asarray(val[1])
    predict = make_predict(model, cfg.eval.batch_size)

    def evaluate(state):
        err = error_percent(predict, state.params, val_x, val_y)
        epoch = int(state.step) // steps_per_epoch
        if err < best["val_error"]:
            best.update(val_error=err, epoch=epoch)
            best_ckpt.save(int(state.step), state.params, dict(best))
        return {"val_error": err}

    state, _ = loop.fit(state, make_train_step(loss_fn, grad_norm=cfg.train.log_grad_norm), fit_data, epochs=cfg.train.epochs, batch_size=cfg.train.batch_size,
                     run=run, checkpoints=run.checkpoints(f"{phase}/last"), checkpoint_every=cfg.train.checkpoint_every,
                     log_every=cfg.train.log_every, evaluate=evaluate, eval_every_epochs=cfg.eval.every_epochs,
                     desc=phase, phase=phase)
    best_params, _ = best_ckpt.restore(params)
    return best_params, {**best, "steps": int(state.step)}


def _trainable(cfg, mode: str) -> int | None:
    if mode == "frozen":
        return 0
    if mode == "finetuned" and cfg.classify.finetune_top_k >= 0:
        return int(cfg.classify.finetune_top_k)
    return None


def _check(cfg) -> None:
    c = cfg.classify
    unknown = [m for m in c.modes if m not in MODES]
    if unknown or not c.modes:
        raise ValueError(f"classify.modes {tuple(c.modes)}: choose a non-empty subset of {MODES}")
    if c.finetune_from not in ("pretrained", "frozen"):
        raise ValueError(f"classify.finetune_from {c.finetune_from!r}: choose 'pretrained' or 'frozen'")
    if c.finetune_from == "frozen" and "frozen" not in c.modes:
        raise ValueError("classify.finetune_from='frozen' needs 'frozen' in classify.modes")
    if cfg.pretrain.kind == "none" and set(c.modes) - {"scratch"}:
        raise ValueError("pretrain.kind='none' leaves nothing to freeze or fine-tune; set classify.modes=('scratch',)")
    if not c.learning_rates:
        raise ValueError("classify.learning_rates is empty; give at least one learning rate")


def _grid_table(rows: list[dict]) -> str:
    lines = ["| mode | noise level | learning rate | best epoch | validation error % |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {r['mode']} | {r['level']} | {r['learning_rate']:g} | {r['epoch']} | {r['val_error']:.2f} |" for r in rows]
    return "\n".join(lines)


def _modes_table(selected: dict) -> str:
    lines = ["| mode | test error % | validation error % | noise level | learning rate | epoch |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {m} | {s['test_error']:.2f} | {s['val_error']:.2f} | {s['level']} | {s['learning_rate']:g} | {s['epoch']} |" for m, s in selected.items()]
    return "\n".join(lines)


@tasks.register("classify")
def run_classify(cfg, run) -> dict:
    _check(cfg)
    c = cfg.classify
    train = data.load(cfg.data.name, c.train_split, data_dir=cfg.data.data_dir)
    val = data.load(cfg.data.name, c.val_split, data_dir=cfg.data.data_dir)
    test = data.load(cfg.data.name, c.test_split, data_dir=cfg.data.data_dir)
    model = build_classifier(cfg)
    init = classifier_lib.init_params(model, jax.random.PRNGKey(cfg.seed + 2))
    levels = tuple(c.noise_levels) or (float(cfg.pretrain.corruption.level),)
    grid: list[dict] = []
    results: dict[str, list[tuple[dict, dict]]] = {m: [] for m in c.modes}

    def fit(mode, params, lr, level, tag):
        best_params, info = train_classifier(cfg, run, model, params, _trainable(cfg, mode), (train.x, train.y),
                                             (val.x, val.y), learning_rate=lr, phase=f"{mode}/{tag}lr={lr:g}", seed=cfg.seed + 3)
        row = {"mode": mode, "level": level, "learning_rate": lr, **info}
        grid.append(row)
        results[mode].append((row, best_params))
        return best_params

    if "scratch" in c.modes:
        for lr in c.learning_rates:
            fit("scratch", init, lr, "-", "")
    if set(c.modes) & {"frozen", "finetuned"}:
        x = jnp.asarray(train.x)
        for level in levels:
            subdir = "pretrain" if len(levels) == 1 else f"pretrain/level={level:g}"
            encoder = stacked.pretrain_stack(cfg, run, x, level=level, subdir=subdir)
            pretrained = classifier_lib.with_encoder(init, encoder)
            tag = "" if len(levels) == 1 else f"level={level:g}/"
            for lr in c.learning_rates:
                start = pretrained
                if "frozen" in c.modes:
                    frozen = fit("frozen", pretrained, lr, level, tag)
                    start = frozen if c.finetune_from == "frozen" else pretrained
                if "finetuned" in c.modes:
                    fit("finetuned", start, lr, level, tag)

    selected, predict = {}, make_predict(model, cfg.eval.batch_size)
    for mode in c.modes:
        row, params = min(results[mode], key=lambda rp: rp[0]["val_error"])
        selected[mode] = {**row, "test_error": error_percent(predict, params, test.x, test.y)}
    metrics = {}
    for mode, s in selected.items():
        metrics[f"test_error_{mode}"] = s["test_error"]
        metrics[f"val_error_{mode}"] = s["val_error"]
        metrics[f"epoch_{mode}"] = s["epoch"]
        metrics[f"learning_rate_{mode}"] = s["learning_rate"]
        if s["level"] != "-":
            metrics[f"noise_level_{mode}"] = s["level"]
    notes = [f"Training split {c.train_split} ({len(train.y)} images), selection on {c.val_split} "
             f"({len(val.y)} images), test {c.test_split} ({len(test.y)} images). Same architecture "
             f"{tuple(cfg.model.sizes)} + head {tuple(c.head_sizes)} + {c.num_classes}, same optimizer and "
             f"{cfg.train.epochs} epochs in every mode; the epoch, learning rate and noise level of each mode "
             "were selected on validation error."]
    tables = {"Frozen vs fine-tuned vs from scratch (selected on validation)": _modes_table(selected),
              "Validation grid": _grid_table(grid)}
    return {"metrics": metrics, "tables": tables, "notes": notes}
