"""`train_autoencoder`: the one trainer of every autoencoder in aejax (any registered model, any
objective, one model or K side by side), with or without a work directory.

    trained = train_autoencoder(config, data.load("mnist", "train"))
    trained.model, trained.params, trained.state, trained.history, trained.evals

`prepare` builds what it trains: the model of `config.model` for the data's example shape
(`aejax.models.build`), its variables (or given params), the optimizer of
`config.train.optimizer` over the run's steps, the objective of `config.objective` /
`config.loss`, `config.regularizers` and `config.corruption` (`aejax.objectives`), and the train
step; `aejax bench` times that same step. `train_autoencoder` runs it with
`aejax.train.loop.fit` (compiled epochs, metrics, checkpoints, resume) and the evaluators of
`config.evals` (`aejax.evals`). Every part can be passed in instead.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
from ml_collections import ConfigDict

from aejax import corruption, evals, models, objectives
from aejax.train import loop, optim
from aejax.train.state import TrainState
from aejax.train.steps import Loss, Step, make_train_step, num_batches

COMPUTE_DTYPES = {"float32": None, "bfloat16": jnp.bfloat16, "float16": jnp.float16}


@dataclasses.dataclass(frozen=True)
class Trained:
    """A trained autoencoder: the model, its final TrainState (params, collections), the metric
    records of the fit and the numbers of config.evals after training ("<entry>/<name>")."""

    model: Any
    state: TrainState
    history: list[dict]
    evals: dict = dataclasses.field(default_factory=dict)  # config.evals' numbers after training

    @property
    def params(self):
        return self.state.params


def examples(data, members: int = 0) -> tuple[Any, tuple[int, ...]]:
    """(x [N, ...], the shape of one example) of `data`: an array, a Split whose `image_shape`
    (when set) is the example shape of its flat rows, or a dict of arrays with a leading example
    axis (e.g. {"x", "y"}), returned whole, whose "x" gives the example shape."""
    if isinstance(data, Mapping):
        return dict(data), tuple(data["x"].shape[2 if members else 1:])
    x = getattr(data, "x", data)
    shape = tuple(getattr(data, "image_shape", ()) or x.shape[2 if members else 1:])
    return x, shape


def build_model(config, example_shape: tuple[int, ...]):
    """The model of `config.model` in the compute dtype of `config.train` (default float32)."""
    dtype = COMPUTE_DTYPES[config.get("train", {}).get("compute_dtype", "float32")]
    return models.build(config.model, example_shape, dtype=dtype)


@dataclasses.dataclass(frozen=True)
class Prepared:
    """What `prepare` builds: the model, the initial TrainState, the train step and the
    examples x [N, ...] (or the dict of arrays) on the device."""

    model: Any
    state: TrainState
    step: Step
    x: Any


def _section(section) -> ConfigDict:
    return section if isinstance(section, ConfigDict) else ConfigDict(dict(section))


def prepare(config: Mapping, data, *, model=None, objective: Callable | Loss | None = None, params=None,
            train: Mapping | None = None, corrupt: Callable | None = None, rng=None, init_rng=None, members: int = 0,
            context: Mapping | None = None) -> Prepared:
    """The model, initial state and train step `train_autoencoder` runs on `data` (same arguments)."""
    config = _section(config)
    train = config.train if train is None else _section(train)
    x, example_shape = examples(data, members)
    model = build_model(config, example_shape) if model is None else model
    if rng is None or (init_rng is None and params is None):
        default_init, default_rng = jax.random.split(jax.random.PRNGKey(config.seed))
        rng, init_rng = default_rng if rng is None else rng, default_init if init_rng is None else init_rng
    init = lambda key: models.init_variables(model, key, example_shape)  # noqa: E731
    init = jax.vmap(init) if members else init
    key = jax.random.PRNGKey(0) if init_rng is None else init_rng  # given params: only the collections are made
    keys = jax.random.split(key, members) if members else key
    collections = models.mutable_collections(jax.eval_shape(init, keys))
    if params is None or collections:
        variables = jax.jit(init)(keys)
        params = variables["params"] if params is None else params
        collections = models.mutable_collections(variables)
    if objective is None:
        if corrupt is None and "corruption" in config:
            corrupt = corruption.from_config(config.corruption, example_shape=example_shape)
        objective = objectives.from_config(model, config, corrupt=corrupt, context=context)
    objective = side_by_side(objective, members) if members else objective
    x = jax.tree_util.tree_map(jnp.asarray, x)
    tx = optim.make_optimizer(train.optimizer, train.epochs * num_batches(x, train.batch_size))
    # one compiled program (not one per optimizer-state leaf); it copies `params`, which fit donates
    state = jax.jit(lambda p, c, key: TrainState.create(params=p, tx=tx, rng=key, collections=c))(params, collections, rng)
    return Prepared(model, state, make_train_step(objective, grad_norm=train.get("log_grad_norm", False)), x)


def seconds_per_step(config: Mapping, data, *, model=None, steps: int = 20) -> float:
    """Wall seconds per train step of `train_autoencoder(config, data, model=model)` on this
    machine: one epoch of `fit`'s compiled epoch program over the first `steps` batches of `data`,
    timed after a warm-up epoch (freshly initialised parameters: a step's cost does not depend on
    their values)."""
    from aejax import distributed

    config = _section(config)
    sample = jax.tree_util.tree_map(lambda a: a[: steps * config.train.batch_size], data)
    ready = prepare(config, sample, model=model)
    mesh = distributed.current_mesh()
    state, x = distributed.put_replicated(ready.state, mesh), distributed.put_examples(ready.x, mesh)
    epoch = loop.compile_epoch(ready.step, config.train.batch_size, state, x, mesh)
    state, metrics = epoch(state, x)
    jax.block_until_ready(metrics)
    start = time.perf_counter()
    state, metrics = epoch(state, x)
    jax.block_until_ready(metrics)
    return (time.perf_counter() - start) / num_batches(x, config.train.batch_size)


def train_autoencoder(config: Mapping, data, *, model=None, objective: Callable | Loss | None = None, params=None,
                      train: Mapping | None = None, corrupt: Callable | None = None, rng=None, init_rng=None,
                      run=None, checkpoints=None, evaluate: Callable[[Any], dict] | None = None,
                      desc: str = "train", phase: str | None = None, members: int = 0,
                      context: Mapping | None = None, evaluators: Sequence = ()) -> Trained:
    """Fit an autoencoder to `data`; returns `Trained(model, state, history, evals)`.

    config: an experiment config, or any mapping with the sections used: `train` (epochs,
      batch_size, optimizer; log_every (default: 20 lines per fit), checkpoint_every (0: at the
      end), log_grad_norm, compute_dtype), `model` (unless `model`), `objective` or `loss`, and
      `regularizers` (unless `objective`), `corruption` {name, level, ...} (a denoising AE, unless
      `corrupt`), `seed` (unless the keys are given), `eval.every_epochs` (1), `evals`.
    data: examples [N, ...] (host or device array), a `Split` (its image_shape reaches the model)
      or a dict of such arrays permuted together (e.g. {"x", "y"} for an objective that reads
      labels); with `members` = K > 0, [N, K, ...]: K models trained side by side under vmap, each
      on its own slice, their params with a leading model axis.
    model, objective (a `Loss`, or `fn(params, x, rng) -> (loss, aux)`), params (e.g. pretrained;
      copied, not consumed), train (a section replacing config.train), corrupt (`fn(rng, x) -> x_noisy`).
    rng: the training key (batch order, RNG streams); init_rng: the initialisation key; default
      `jax.random.split(PRNGKey(config.seed))` = (init_rng, rng).
    run: an `aejax.run.Run` (metrics.jsonl, console) or None; checkpoints: a subdirectory of the
      run (resume from it), a `Checkpoints`, or None.
    evaluate(params) -> {name: float}: every eval.every_epochs epochs and after the last, logged.
    context: keywords for the objective from the task (`aejax.objectives`, e.g. a labelled set).
    evaluators: (entry, every_epochs, evaluate(state)) triples run and logged like those of
      config.evals (`aejax.evals.build`): a task's own evaluation of the whole state. Trained.evals
      holds config.evals' numbers only.
    """
    config = _section(config)
    train = config.train if train is None else _section(train)
    ready = prepare(config, data, model=model, objective=objective, params=params, train=train, corrupt=corrupt, rng=rng,
                    init_rng=init_rng, members=members, context=context)
    configured = evals.build(config, ready.model)
    evaluators = [*evaluators, *configured]
    steps_per_epoch = num_batches(ready.x, train.batch_size)
    total_steps = train.epochs * steps_per_epoch
    every = config.get("eval", {}).get("every_epochs", 1)

    def in_training(state) -> dict:  # the task's evaluation on its epochs, evaluators on theirs (not the last)
        epoch = int(state.step) // steps_per_epoch
        numbers = evaluate(state.params) if evaluate is not None and (epoch % every == 0 or epoch == train.epochs) else {}
        return {**numbers, **(evals.run(evaluators, state, epoch) if epoch < train.epochs else {})}

    if isinstance(checkpoints, str):
        checkpoints = run.checkpoints(checkpoints)
    fitted = loop.fit(
        ready.state, ready.step, ready.x,
        epochs=train.epochs, batch_size=train.batch_size, run=run, checkpoints=checkpoints,
        checkpoint_every=train.get("checkpoint_every", 0), log_every=train.get("log_every", max(1, total_steps // 20)),
        evaluate=in_training if evaluators else None if evaluate is None else (lambda s: evaluate(s.params)),
        eval_every_epochs=1 if evaluators else every, desc=desc, phase=phase)
    history, numbers = fitted.history, evals.run(evaluators, fitted.state)
    if numbers:
        record = {**({"phase": phase} if phase else {}), "step": int(fitted.state.step), "epoch": train.epochs, **numbers}
        history = [*history, record]
        if run is not None:
            run.log(record)
    entries = tuple(f"{entry}/" for entry, _, _ in configured)
    return Trained(ready.model, fitted.state, history, {k: v for k, v in numbers.items() if k.startswith(entries)})


def side_by_side(objective: Callable | Loss, members: int) -> Loss:
    """The objective of K models trained together: params and collections with a leading model
    axis, batches [B, K, ...]; the mean of the members' losses (and aux), each member with its own key."""
    one = Loss.of(objective).fn

    def fn(params, x, rng, *, step, collections):
        member = lambda p, xb, key, c: one(p, xb, key, step=step, collections=c)  # noqa: E731
        loss, aux, collections = jax.vmap(member, in_axes=(0, 1, 0, 0))(params, x, jax.random.split(rng, members), collections)
        return jnp.mean(loss), jax.tree_util.tree_map(jnp.mean, aux), collections

    return Loss(fn)
