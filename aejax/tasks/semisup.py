"""Semi-supervised MNIST with few labels: unsupervised pretraining, then a classifier on N labels.

Task "semisup". The stacked (denoising) autoencoder of `config.pretrain` is trained on all
training images without labels (`semisup.unlabelled_split`). For each seed in `semisup.seeds`
a class-balanced subset of `semisup.labels` images is drawn from `semisup.label_pool` (disjoint
from the validation split) and two networks of the same architecture get the same number of steps:

  pretrained:  the pretrained encoder + head, all layers fine-tuned on
               cross-entropy(labelled, inputs corrupted by `semisup.input_corruption`)
               + recon_weight * denoising reconstruction error of an unlabelled batch
                 (per input feature; keeps the autoencoder as a regulariser; the decoder
                 starts from the pretrained one)
               + entropy_weight * mean prediction entropy on the unlabelled batch;
  supervised:  the same network from random initialisation on the labelled cross-entropy only
               (same input corruption): the supervised-only baseline.

An epoch is one pass over the unlabelled images, each step taking `train.batch_size` labelled
examples (the labelled subset repeated) and as many unlabelled ones. The epoch of each network is
selected on the validation split; test error is reported as mean and standard deviation over
the seeds, beside the published anchors.

Task "semisup/joint": one network trained from scratch on labelled and unlabelled batches at
once by `train_autoencoder` with the config's model and objective (e.g. model and objective
"ladder"). Per seed, the class-balanced labels (all of `semisup.label_pool` when `semisup.labels`
is its size or more) and the unlabelled images (in an order drawn from the seed, so that a
labelled and an unlabelled example side by side differ when both are the whole training set) form
the batches {"x", "y", "u"}; an epoch is one pass over the larger of the two. Test error of the
model's `classify` (evaluation mode) after the last epoch, mean and s.d. over the seeds.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax

from aejax import corruption, data, evals, losses, tasks
from aejax.configs.semisup import ANCHORS
from aejax.models import classifier as classifier_lib
from aejax.tasks import classify
from aejax.train import fit, stacked

def balanced_subset(labels: np.ndarray, n: int, seed: int, num_classes: int = 10) -> np.ndarray:
    """Sorted indices into `labels` [N] of n examples, n / num_classes of each class, drawn
    without replacement by `np.random.default_rng(seed)`."""
    if n % num_classes:
        raise ValueError(f"semisup.labels={n} is not a multiple of the {num_classes} classes; a balanced draw needs one")
    per_class = n // num_classes
    rng = np.random.default_rng(seed)
    picks = []
    for c in range(num_classes):
        members = np.flatnonzero(labels == c)
        if len(members) < per_class:
            raise ValueError(f"class {c} has {len(members)} examples, fewer than the {per_class} a balanced draw of {n} needs")
        picks.append(rng.choice(members, per_class, replace=False))
    return np.sort(np.concatenate(picks))


def semisup_loss(model, ae_model, *, input_corrupt, recon_corrupt, recon_weight: float, entropy_weight: float):
    """`loss_fn(params, batch, rng)` on batch {"x", "y", "u"}: labelled inputs [B, D] and labels
    [B], unlabelled inputs [B, D]. `params` holds the classifier's entries and, when
    recon_weight > 0, the decoder's dec_i (the autoencoder reads the classifier's enc_i)."""

    def loss_fn(params, batch, rng):
        in_rng, recon_rng = jax.random.split(rng)
        x = input_corrupt(in_rng, batch["x"]) if input_corrupt is not None else batch["x"]
        logits = model.apply({"params": params}, x).astype(jnp.float32)
        ce = jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]))
        aux = {"cross_entropy": ce, "batch_error": jnp.mean(jnp.argmax(logits, -1) != batch["y"])}
        loss = ce
        if recon_weight > 0:
            u = batch["u"]
            noisy = recon_corrupt(recon_rng, u) if recon_corrupt is not None else u
            out = ae_model.apply({"params": params}, noisy).astype(jnp.float32)
            recon = jnp.mean(losses.sigmoid_cross_entropy(out, u)) / u.shape[-1]
            loss, aux["reconstruction"] = loss + recon_weight * recon, recon
        if entropy_weight > 0:
            logp = jax.nn.log_softmax(model.apply({"params": params}, batch["u"]).astype(jnp.float32))
            entropy = -jnp.mean(jnp.sum(jnp.exp(logp) * logp, -1))
            loss, aux["entropy"] = loss + entropy_weight * entropy, entropy
        return loss, aux

    return loss_fn


def _classifier(cfg) -> classifier_lib.Classifier:
    s = cfg.semisup
    return classifier_lib.Classifier(encoder_sizes=tuple(cfg.model.sizes), encoder_activations=stacked.layer_activations(cfg.model),
                                     head_sizes=tuple(s.head_sizes), head_activation=s.head_activation, num_classes=s.num_classes)


def _fit_data(x_l, y_l, unlabelled) -> dict:
    """Labelled subset and unlabelled images side by side, the smaller one repeated to the
    length of the larger (one epoch = one pass over the larger)."""
    n = max(len(y_l), unlabelled.shape[0])
    reps_l, reps_u = np.arange(n) % len(y_l), np.arange(n) % unlabelled.shape[0]
    u = unlabelled if n == unlabelled.shape[0] else jnp.asarray(unlabelled)[reps_u]
    return {"x": jnp.asarray(x_l[reps_l]), "y": jnp.asarray(y_l[reps_l]), "u": u}


def _mean_std(values) -> tuple[float, float]:
    return float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


@tasks.register("semisup")
def run_semisup(cfg, run) -> dict:
    s = cfg.semisup
    if cfg.pretrain.kind == "none":
        raise ValueError("semisup needs pretraining; set pretrain.kind to 'ae' or 'rbm'")
    if s.recon_weight > 0 and cfg.pretrain.kind != "ae":
        raise ValueError("semisup.recon_weight > 0 needs the autoencoder's decoder; set pretrain.kind='ae'")
    load = lambda split: data.load(cfg.data.name, split, data_dir=cfg.data.data_dir)  # noqa: E731
    unlabelled, pool, val, test = load(s.unlabelled_split), load(s.label_pool), load(s.val_split), load(s.test_split)
    u = jnp.asarray(unlabelled.x)
    ae_params = stacked.pretrain_stack(cfg, run, u)
    model, ae_model = _classifier(cfg), stacked.stacked_autoencoder(cfg)
    init = classifier_lib.init_params(model, jax.random.PRNGKey(cfg.seed + 2))
    pretrained = classifier_lib.with_encoder(init, ae_params)
    if s.recon_weight > 0:
        pretrained.update({k: v for k, v in ae_params.items() if k.startswith("dec_")})
    input_corrupt = corruption.from_config(s.input_corruption)
    semi_loss = semisup_loss(model, ae_model, input_corrupt=input_corrupt,
                             recon_corrupt=corruption.from_config(cfg.pretrain.corruption),
                             recon_weight=s.recon_weight, entropy_weight=s.entropy_weight)
    supervised_loss = semisup_loss(model, ae_model, input_corrupt=input_corrupt, recon_corrupt=None, recon_weight=0.0, entropy_weight=0.0)
    predict = classify.make_predict(model, cfg.eval.batch_size)
    rows = []
    for seed in s.seeds:
        idx = balanced_subset(pool.y, s.labels, seed, s.num_classes)
        fit_data = _fit_data(pool.x[idx], pool.y[idx], u)
        row = {"seed": seed}
        for name, params, loss_fn in (("pretrained", pretrained, semi_loss), ("supervised", init, supervised_loss)):
            best, info = classify.train_classifier(cfg, run, model, params, None, None, (val.x, val.y), learning_rate=s.learning_rate,
                                                   phase=f"seed={seed}/{name}", seed=cfg.seed + 100 + seed, loss_fn=loss_fn, data_=fit_data)
            row[name] = {"test_error": classify.error_percent(predict, best, test.x, test.y), **info}
        rows.append(row)
        run.print(f"[semisup] seed {seed}: pretrained {row['pretrained']['test_error']:.2f} %, supervised {row['supervised']['test_error']:.2f} %")
    mean, std = _mean_std([r["pretrained"]["test_error"] for r in rows])
    sup_mean, sup_std = _mean_std([r["supervised"]["test_error"] for r in rows])
    metrics = {"test_error_mean": mean, "test_error_std": std, "test_error_supervised_mean": sup_mean,
               "test_error_supervised_std": sup_std, "labels": s.labels, "seeds": len(rows)}
    for r in rows:
        metrics[f"test_error_seed{r['seed']}"] = r["pretrained"]["test_error"]
        metrics[f"test_error_supervised_seed{r['seed']}"] = r["supervised"]["test_error"]
    lines = ["| method | test error % (mean ± std) |", "|---|---:|",
             f"| ours: pretrained + fine-tuned ({len(rows)} label draws) | {mean:.2f} ± {std:.2f} |",
             f"| ours: supervised only, same network and steps | {sup_mean:.2f} ± {sup_std:.2f} |"]
    lines += [f"| {name} (published) | {values[s.labels]:.2f} |" for name, values in ANCHORS.items() if s.labels in values]
    seeds = ["| seed | pretrained test % | val % | epoch | supervised test % | val % | epoch |", "|---:|---:|---:|---:|---:|---:|---:|"]
    seeds += [f"| {r['seed']} | {r['pretrained']['test_error']:.2f} | {r['pretrained']['val_error']:.2f} | {r['pretrained']['epoch']} | "
              f"{r['supervised']['test_error']:.2f} | {r['supervised']['val_error']:.2f} | {r['supervised']['epoch']} |" for r in rows]
    notes = [f"{s.labels} labelled images drawn class-balanced from {s.label_pool} per seed; pretraining on {s.unlabelled_split} "
             f"({len(unlabelled.x)} images, no labels); epochs selected on {s.val_split} ({len(val.y)} labelled images, as in "
             "Kingma et al. 2014 and Rasmus et al. 2015, a known caveat of this benchmark); test on "
             f"{s.test_split}. recon_weight={s.recon_weight}, entropy_weight={s.entropy_weight}, "
             f"input corruption {s.input_corruption.name} {s.input_corruption.level}."]
    return {"metrics": metrics, "tables": {"Test error beside published anchors": "\n".join(lines), "Per label draw": "\n".join(seeds)},
            "notes": notes}


@tasks.register("semisup/joint")
def run_joint(cfg, run) -> dict:
    s = cfg.semisup
    load = lambda split: data.load(cfg.data.name, split, data_dir=cfg.data.data_dir)  # noqa: E731
    unlabelled, pool = load(s.unlabelled_split), load(s.label_pool)
    model = fit.build_model(cfg, unlabelled.image_shape or unlabelled.x.shape[1:])
    test_error = evals.get("classification_error")(cfg, model, split=s.test_split)
    rows = []
    for seed in s.seeds:
        idx = np.arange(len(pool.y)) if s.labels >= len(pool.y) else balanced_subset(pool.y, s.labels, seed, s.num_classes)
        order = np.random.default_rng(seed).permutation(len(unlabelled.x))
        init_rng, rng = jax.random.split(jax.random.PRNGKey(cfg.seed + seed))
        trained = fit.train_autoencoder(cfg, _fit_data(pool.x[idx], pool.y[idx], unlabelled.x[order]), model=model,
                                        rng=rng, init_rng=init_rng, run=run, checkpoints=f"seed{seed}/checkpoints",
                                        phase=f"seed={seed}", evaluators=[("test", cfg.eval.every_epochs, test_error)])
        rows.append({"seed": seed, "test_error": test_error(trained.state)["error"], "steps": int(trained.state.step)})
        run.print(f"[semisup/joint] seed {seed}: test error {rows[-1]['test_error']:.2f} %")
    mean, std = _mean_std([r["test_error"] for r in rows])
    metrics = {"test_error_mean": mean, "test_error_std": std, "labels": min(s.labels, len(pool.y)), "seeds": len(rows),
               "steps": rows[-1]["steps"], **{f"test_error_seed{r['seed']}": r["test_error"] for r in rows}}
    lines = ["| method | test error % |", "|---|---:|", f"| ours ({len(rows)} label draws, mean ± s.d.) | {mean:.2f} ± {std:.2f} |"]
    lines += [f"| {name} (published) | {values[s.labels]:.2f} |" for name, values in ANCHORS.items() if s.labels in values]
    seeds = ["| seed | test error % | steps |", "|---:|---:|---:|"] + [f"| {r['seed']} | {r['test_error']:.2f} | {r['steps']} |" for r in rows]
    notes = [f"{metrics['labels']} labelled images from {s.label_pool} per seed (class-balanced unless all), unlabelled: "
             f"{s.unlabelled_split} ({len(unlabelled.x)} images); test error on {s.test_split} after the last epoch, "
             f"no selection on a validation split."]
    return {"metrics": metrics, "tables": {"Test error beside published anchors": "\n".join(lines), "Per label draw": "\n".join(seeds)},
            "notes": notes}
