"""Denoising autoencoders: one per corruption type, trained on corrupted inputs against the clean ones.

Task "denoise". For each entry name -> level of `denoise.corruptions` (a registered corruption,
see `aejax.corruption`) an
autoencoder of `config.model` is trained with the engine on `denoise.train_split`, the corruption
drawn inside each jitted step from the step's RNG key. On `denoise.test_split` (corrupted once,
with a fixed key per type) it reports, as SSE per image against the clean image:

  <type>_sse_corrupted_input:  the corrupted input itself (the error with no denoising);
  <type>_sse_from_corrupted:   the reconstruction of the corrupted input;
  <type>_sse_from_clean:       the reconstruction of the clean input;
  <type>_plain_ae_sse_from_corrupted: the same for an autoencoder trained without noise
                               (`denoise.plain_baseline`), whose clean error is plain_ae_sse_from_clean.

Each model's config.evals numbers are added as "<type>/<entry>/<name>" ("plain/..." for the
baseline). The figure denoising.png shows noisy / denoised / clean test images for every type.
Besides the metrics it returns each model's trained state ("trained": {type or "plain": TrainState}).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from aejax import corruption, data, eval as eval_lib, losses, objectives, plots, tasks
from aejax.train import fit


def sse_per_image(recon, clean) -> float:
    """Mean over images of the per-image sum of squared errors."""
    return float(jnp.mean(losses.sse(jnp.asarray(recon), jnp.asarray(clean))))


@tasks.register("denoise")
def run_denoise(cfg, run) -> dict:
    objectives.check_output_matches_loss(cfg.model, cfg.loss)
    d = cfg.denoise
    if not d.corruptions:
        raise ValueError("denoise.corruptions is empty; give at least one name: level (e.g. masking=0.25)")
    train = data.load(cfg.data.name, d.train_split, data_dir=cfg.data.data_dir)
    test = data.load(cfg.data.name, d.test_split, data_dir=cfg.data.data_dir)
    low, high = float(train.x.min()), float(train.x.max())
    train_x, clean = jnp.asarray(train.x), jnp.asarray(test.x)
    model = fit.build_model(cfg, train.image_shape)

    def train_denoiser(corrupt, name: str):  # checkpoints in run.workdir/<name>: a rerun resumes
        trained = fit.train_autoencoder(cfg, train_x, model=model, corrupt=corrupt, run=run, checkpoints=name, desc=name,
                                        phase=name)
        metrics.update({f"{name}/{k}": v for k, v in trained.evals.items()})
        states[name] = trained.state
        return trained.state

    def reconstruct(state, x):
        return eval_lib.reconstruct(model, state.params, x, batch_size=cfg.eval.batch_size, collections=state.collections)

    metrics, noisy, states = {}, {}, {}
    for i, (name, level) in enumerate(d.corruptions.items()):
        corrupt = corruption.make(name, float(level), low=low, high=high, example_shape=train.image_shape or None)
        if corrupt is None:
            raise ValueError(f"denoise.corruptions.{name}={level} adds no noise; give a level > 0")
        noisy[name] = (corrupt, jax.jit(corrupt)(jax.random.PRNGKey(cfg.seed + 1000 + i), clean))
    shown = {}
    n = min(d.num_shown, len(test.x))
    plain = train_denoiser(None, "plain") if d.plain_baseline else None
    if plain is not None:
        metrics["plain_ae_sse_from_clean"] = sse_per_image(reconstruct(plain, clean), clean)
    rows = ["| corruption | level | corrupted input | DAE from corrupted | DAE from clean | plain AE from corrupted |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, (corrupt, noisy_x) in noisy.items():
        state = train_denoiser(corrupt, name)
        denoised = reconstruct(state, noisy_x)
        m = {"sse_corrupted_input": sse_per_image(noisy_x, clean), "sse_from_corrupted": sse_per_image(denoised, clean),
             "sse_from_clean": sse_per_image(reconstruct(state, clean), clean)}
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
        plots.image_rows(run.path("denoising.png"), shown, (side, side))
        figures.append("denoising.png")
    notes = [f"Autoencoder {cfg.model.to_dict()}, {cfg.train.epochs} epochs on {d.train_split}; "
             f"SSE per test image ({d.test_split}) against the clean image; test corruption drawn once per type."]
    return {"metrics": metrics, "figures": figures, "tables": {"SSE per image": "\n".join(rows)}, "notes": notes,
            "trained": states}
