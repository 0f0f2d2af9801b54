"""Stacked (denoising) autoencoders and stacked RBMs, greedy layer-wise, for the downstream tasks.

One mechanism for both kinds: `aejax.train.pretrain.pretrain` runs the stages bottom-up with a
checkpoint after every stage (a killed run resumes at its stage); the stages are AE stages
(`aejax.train.ae_stage`, Vincent et al. 2010) or RBM stages (Hinton & Salakhutdinov 2006).
The stack is unrolled into `Autoencoder` params and optionally fine-tuned end to end as a
(denoising) autoencoder. Config, `config.pretrain`:

  kind: "ae" | "rbm" | "none"; epochs, batch_size: per stage; tied: AE stages' decoders;
  corruption: {name, level} of the AE stages (see aejax.corruption);
  optimizer: optax settings of the AE stages (as config.train.optimizer);
  rbm: {learning_rate, code_learning_rate, weight_cost, cd_k} of the RBM stages;
  finetune: {epochs, corrupt, optimizer}: end-to-end autoencoder fine-tuning (0 epochs: none);
  regularizers (optional): {name: {weight, ...}} added to every AE stage's objective
  (`aejax.objectives`: a sparse or contractive stack).

Layer sizes and activations come from `config.model` (sizes, hidden_activation, code_activation).
"""
from __future__ import annotations

import jax

from aejax import corruption, objectives
from aejax.models import autoencoder
from aejax.train import fit, pretrain
from aejax.train.ae_stage import ae_stages

KINDS = ("ae", "rbm", "none")


def layer_activations(model_cfg) -> tuple[str, ...]:
    """One activation per encoder layer: hidden_activation below the code, code_activation on top."""
    return autoencoder.default_activations(len(model_cfg.sizes) - 1, model_cfg.hidden_activation, model_cfg.code_activation)


def stacked_autoencoder(cfg) -> autoencoder.Autoencoder:
    """The autoencoder the stack unrolls into (sigmoid output: data in [0, 1])."""
    return autoencoder.Autoencoder(sizes=tuple(cfg.model.sizes), activations=layer_activations(cfg.model),
                                   output="sigmoid", tied=bool(cfg.pretrain.tied))


def make_stages(cfg, level: float, *, quiet: bool) -> list:
    """The greedy stages of `cfg.pretrain` for the encoder of `cfg.model` at noise `level`."""
    p, sizes, acts = cfg.pretrain, tuple(cfg.model.sizes), layer_activations(cfg.model)
    if p.kind == "ae":
        return ae_stages(sizes, acts, epochs=p.epochs, batch_size=p.batch_size,
                         optimizer=p.optimizer.to_dict(),
                         corruption_name=p.corruption.name, corruption_level=level, tied=bool(p.tied),
                         regularizers=p.get("regularizers"), quiet=quiet)
    if p.kind == "rbm":
        if any(a not in ("sigmoid", "logistic") for a in acts[:-1]) or acts[-1] not in ("sigmoid", "logistic", "linear"):
            raise ValueError(f"RBM stages need logistic hidden layers and a logistic or linear code; got {acts}")
        return pretrain.rbm_stages(sizes, p.epochs, batch_size=p.batch_size,
                                   code_units="binary" if acts[-1] != "linear" else "gaussian",
                                   learning_rate=p.rbm.learning_rate, code_learning_rate=p.rbm.code_learning_rate,
                                   weight_cost=p.rbm.weight_cost, k=p.rbm.cd_k)
    raise ValueError(f"pretrain.kind {p.kind!r} trains no stages; choose one of {list(KINDS)}")


def pretrain_stack(cfg, run, x: jax.Array, *, level: float | None = None, subdir: str = "pretrain") -> dict | None:
    """Greedy layer-wise pretraining on `x` [N, D] (clean inputs), then optional end-to-end
    fine-tuning; returns `Autoencoder` params (enc_i, dec_i), or None for kind "none".

    Checkpoints live in `run.workdir/subdir` (stages) and `subdir`-finetune; a rerun resumes.
    """
    p = cfg.pretrain
    if p.kind not in KINDS:
        raise ValueError(f"pretrain.kind {p.kind!r} is not one of {list(KINDS)}")
    if p.kind == "none":
        return None
    level = float(p.corruption.level if level is None else level)
    stages = make_stages(cfg, level, quiet=run.quiet)
    layers = pretrain.pretrain(stages, x, jax.random.PRNGKey(cfg.seed), checkpoints=run.checkpoints(subdir),
                               log=run.log, print_fn=run.print, progress=not run.quiet)
    params = pretrain.unroll(layers, tied=bool(p.tied))
    if p.finetune.epochs > 0:
        params = finetune_autoencoder(cfg, run, params, x, level=level, subdir=subdir + "-finetune")
    return params


def finetune_autoencoder(cfg, run, params: dict, x: jax.Array, *, level: float, subdir: str) -> dict:
    """End-to-end (denoising) autoencoder training of the unrolled stack; returns its params."""
    f = cfg.pretrain.finetune
    model = stacked_autoencoder(cfg)
    corrupt = corruption.make(cfg.pretrain.corruption.name, level) if f.corrupt else None
    return fit.train_autoencoder(
        cfg, x, model=model, objective=objectives.reconstruction(model, "cross_entropy", corrupt=corrupt), params=params,
        train={**f, "log_grad_norm": cfg.train.log_grad_norm}, rng=jax.random.PRNGKey(cfg.seed + 1), run=run,
        checkpoints=subdir, desc="AE fine-tune", phase="pretrain/finetune").params
