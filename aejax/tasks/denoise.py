"""Denoising autoencoders: one per corruption type, trained on corrupted inputs against the clean ones.

Task "denoise". For each entry name -> level of `denoise.corruptions` (see `aejax.corruption`) an
autoencoder of `config.model` is trained with the engine on `denoise.train_split`, the corruption
drawn inside each jitted step from the step's RNG key. On `denoise.test_split` (corrupted once,
with a fixed key per type) it reports, as SSE per image against the clean image:

  <type>_sse_corrupted_input:  the corrupted input itself (the error with no denoising);
  <type>_sse_from_corrupted:   the reconstruction of the corrupted input;
  <type>_sse_from_clean:       the reconstruction of the clean input;
  <type>_plain_ae_sse_from_corrupted: the same for an autoencoder trained without noise
                               (`denoise.plain_baseline`), whose clean error is plain_ae_sse_from_clean.

The figure denoising.png shows noisy / denoised / clean test images for every type.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from aejax import corruption, data, losses, plots, tasks
from aejax.models import autoencoder
from aejax.tasks.reconstruct import check_output_matches_loss
from aejax.train import loop, optim
from aejax.train.state import TrainState
from aejax.train.steps import batched_map, make_train_step, num_batches, reconstruction_loss


def train_denoiser(cfg, run, model, train_x: jax.Array, corrupt, name: str) -> dict:
    """Fit `model` to reconstruct clean `train_x` [N, D] from `corrupt(rng, x)`; returns params.
    Checkpoints in run.workdir/<name> (a rerun resumes)."""
    init_rng, train_rng = jax.random.split(jax.random.PRNGKey(cfg.seed))
    total = cfg.train.epochs * num_batches(train_x, cfg.train.batch_size)
    state = TrainState.create(params=autoencoder.init_params(model, init_rng),
                              tx=optim.make_optimizer(cfg.train.optimizer, total), rng=train_rng)
    state = loop.fit(state, make_train_step(reconstruction_loss(model, cfg.loss, corrupt), grad_norm=cfg.train.log_grad_norm), train_x,
                     epochs=cfg.train.epochs, batch_size=cfg.train.batch_size, run=run, checkpoints=run.checkpoints(name),
                     checkpoint_every=cfg.train.checkpoint_every, log_every=cfg.train.log_every, desc=name, phase=name)
    return state.params


def make_reconstruct(model, batch_size: int):
    """Jitted `reconstruct(params, x [N, D]) -> reconstructions [N, D]`."""
    return jax.jit(lambda p, xs: batched_map(lambda b: model.apply({"params": p}, b, method="reconstruct").astype(jnp.float32), xs, batch_size))


def sse_per_image(recon, clean) -> float:
    """Mean over images of the per-image sum of squared errors."""
    return float(jnp.mean(losses.sse(jnp.asarray(recon), jnp.asarray(clean))))


@tasks.register("denoise")
def run_denoise(cfg, run) -> dict:
    check_output_matches_loss(cfg)
    d = cfg.denoise
    if not d.corruptions:
        raise ValueError("denoise.corruptions is empty; give at least one name: level (e.g. masking=0.25)")
    train = data.load(cfg.data.name, d.train_split, data_dir=cfg.data.data_dir)
    test = data.load(cfg.data.name, d.test_split, data_dir=cfg.data.data_dir)
    low, high = float(train.x.min()), float(train.x.max())
    train_x, clean = jnp.asarray(train.x), jnp.asarray(test.x)
    model = autoencoder.from_config(cfg.model)
    reconstruct = make_reconstruct(model, cfg.eval.batch_size)
    noisy = {}
    for i, (name, level) in enumerate(d.corruptions.items()):
        corrupt = corruption.make(name, float(level), low=low, high=high)
        if corrupt is None:
            raise ValueError(f"denoise.corruptions.{name}={level} adds no noise; give a level > 0")
        noisy[name] = (corrupt, jax.jit(corrupt)(jax.random.PRNGKey(cfg.seed + 1000 + i), clean))
    metrics, shown = {}, {}
    n = min(d.num_shown, len(test.x))
    plain = train_denoiser(cfg, run, model, train_x, None, "plain") if d.plain_baseline else None
    if plain is not None:
        metrics["plain_ae_sse_from_clean"] = sse_per_image(reconstruct(plain, clean), clean)
    rows = ["| corruption | level | corrupted input | DAE from corrupted | DAE from clean | plain AE from corrupted |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, (corrupt, noisy_x) in noisy.items():
        params = train_denoiser(cfg, run, model, train_x, corrupt, name)
        denoised = reconstruct(params, noisy_x)
        m = {"sse_corrupted_input": sse_per_image(noisy_x, clean), "sse_from_corrupted": sse_per_image(denoised, clean),
             "sse_from_clean": sse_per_image(reconstruct(params, clean), clean)}
        if plain is not None:
            m["plain_ae_sse_from_corrupted"] = sse_per_image(reconstruct(plain, noisy_x), clean)
        metrics.update({f"{name}_{k}": v for k, v in m.items()})
        rows.append(f"| {name} | {d.corruptions[name]:g} | {m['sse_corrupted_input']:.2f} | {m['sse_from_corrupted']:.2f} | "
                    f"{m['sse_from_clean']:.2f} | {m.get('plain_ae_sse_from_corrupted', float('nan')):.2f} |")
        shown[f"{name} noisy"] = np.asarray(noisy_x[:n])
        shown[f"{name} denoised"] = np.asarray(denoised[:n])
    shown["clean"] = np.asarray(clean[:n])
    figures = []
    side = int(round(np.sqrt(clean.shape[1])))
    if side * side == clean.shape[1]:
        plots.image_rows(run.workdir / "denoising.png", shown, (side, side))
        figures.append("denoising.png")
    notes = [f"Autoencoder {tuple(cfg.model.sizes)} (tied={cfg.model.tied}), {cfg.train.epochs} epochs on {d.train_split}; "
             f"SSE per test image ({d.test_split}) against the clean image; test corruption drawn once per type."]
    return {"metrics": metrics, "figures": figures, "tables": {"SSE per image": "\n".join(rows)}, "notes": notes}
