"""`train_autoencoder`: the one trainer of every autoencoder in aejax (any registered model, any
objective, one model or K side by side), with or without a work directory.

    trained = train_autoencoder(config, data.load("mnist", "train"))
    trained.model, trained.params, trained.history

It builds the model of `config.model` for the data's example shape (`aejax.models.build`),
initialises it (or starts from given params), makes the optimizer of `config.train.optimizer`
over the run's steps, the objective of `config.loss` / `config.regularizers`
(`aejax.objectives`), and runs `aejax.train.loop.fit` (compiled epochs, metrics, checkpoints,
resume). Every part can be passed in instead.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
from ml_collections import ConfigDict

from aejax import corruption, models, objectives
from aejax.train import loop, optim
from aejax.train.state import TrainState
from aejax.train.steps import make_train_step, num_batches

COMPUTE_DTYPES = {"float32": None, "bfloat16": jnp.bfloat16, "float16": jnp.float16}


@dataclasses.dataclass(frozen=True)
class Trained:
    """A trained autoencoder: the model, its final TrainState and the metric records of the fit."""

    model: Any
    state: TrainState
    history: list[dict]

    @property
    def params(self):
        return self.state.params


def examples(data, members: int = 0) -> tuple[Any, tuple[int, ...]]:
    """(x [N, ...], the shape of one example) of `data`: an array, or a Split whose
    `image_shape` (when set) is the example shape of its flat rows."""
    x = getattr(data, "x", data)
    shape = tuple(getattr(data, "image_shape", ()) or x.shape[2 if members else 1:])
    return x, shape


def build_model(config, example_shape: tuple[int, ...]):
    """The model of `config.model` in the compute dtype of `config.train` (default float32)."""
    dtype = COMPUTE_DTYPES[config.get("train", {}).get("compute_dtype", "float32")]
    return models.build(config.model, example_shape, dtype=dtype)


def train_autoencoder(config: Mapping, data, *, model=None, objective: Callable | None = None, params=None,
                      train: Mapping | None = None, corrupt: Callable | None = None, rng=None, init_rng=None,
                      run=None, checkpoints=None, evaluate: Callable[[Any], dict] | None = None,
                      desc: str = "train", phase: str | None = None, members: int = 0) -> Trained:
    """Fit an autoencoder to `data`; returns `Trained(model, state, history)`.

    config: an experiment config, or any mapping with the sections used: `train` (epochs,
      batch_size, optimizer; log_every (default: 20 lines per fit), checkpoint_every (0: at the
      end), log_grad_norm, compute_dtype), `model` (unless `model`), `loss` and `regularizers`
      (unless `objective`), `corruption` {name, level} (a denoising AE, unless `corrupt`), `seed`
      (unless the keys are given), `eval.every_epochs` (1).
    data: examples [N, ...] (host or device array) or a `Split` (its image_shape reaches the
      model); with `members` = K > 0, [N, K, ...]: K models trained side by side under vmap, each
      on its own slice, their params with a leading model axis.
    model, objective (`fn(params, x, rng) -> (loss, aux)`), params (e.g. pretrained; copied, not
      consumed), train (a section replacing config.train), corrupt (`fn(rng, x) -> x_noisy`).
    rng: the training key (batch order, corruption, stochastic regularisers); init_rng: the
      initialisation key; default `jax.random.split(PRNGKey(config.seed))` = (init_rng, rng).
    run: an `aejax.run.Run` (metrics.jsonl, console) or None; checkpoints: a subdirectory of the
      run (resume from it), a `Checkpoints`, or None.
    evaluate(params) -> {name: float}: every eval.every_epochs epochs and after the last, logged.
    """
    config = config if isinstance(config, ConfigDict) else ConfigDict(dict(config))
    train = config.train if train is None else train if isinstance(train, ConfigDict) else ConfigDict(dict(train))
    x, example_shape = examples(data, members)
    model = build_model(config, example_shape) if model is None else model
    if rng is None or (init_rng is None and params is None):
        default_init, default_rng = jax.random.split(jax.random.PRNGKey(config.seed))
        rng, init_rng = default_rng if rng is None else rng, default_init if init_rng is None else init_rng
    if params is None:
        init = lambda key: models.init(model, key, example_shape)  # noqa: E731
        params = jax.jit(jax.vmap(init) if members else init)(jax.random.split(init_rng, members) if members else init_rng)
    if objective is None:
        if corrupt is None and "corruption" in config:
            corrupt = corruption.from_config(config.corruption)
        objective = objectives.from_config(model, config, corrupt=corrupt)
    if members:
        objective = side_by_side(objective, members)
    x = jnp.asarray(x)
    total_steps = train.epochs * num_batches(x, train.batch_size)
    tx = optim.make_optimizer(train.optimizer, total_steps)
    # one compiled program (not one per optimizer-state leaf); it copies `params`, which fit donates
    state = jax.jit(lambda p, key: TrainState.create(params=p, tx=tx, rng=key))(params, rng)
    if isinstance(checkpoints, str):
        checkpoints = run.checkpoints(checkpoints)
    fitted = loop.fit(
        state, make_train_step(objective, grad_norm=train.get("log_grad_norm", False)), x,
        epochs=train.epochs, batch_size=train.batch_size, run=run, checkpoints=checkpoints,
        checkpoint_every=train.get("checkpoint_every", 0), log_every=train.get("log_every", max(1, total_steps // 20)),
        evaluate=None if evaluate is None else (lambda s: evaluate(s.params)),
        eval_every_epochs=config.get("eval", {}).get("every_epochs", 1), desc=desc, phase=phase)
    return Trained(model, fitted.state, fitted.history)


def side_by_side(objective: Callable, members: int) -> Callable:
    """The objective of K models trained together: params with a leading model axis, batches
    [B, K, ...]; the mean of the members' losses (and aux), each member with its own key."""

    def loss_fn(params, x, rng):
        loss, aux = jax.vmap(objective, in_axes=(0, 1, 0))(params, x, jax.random.split(rng, members))
        return jnp.mean(loss), jax.tree_util.tree_map(jnp.mean, aux)

    return loss_fn
