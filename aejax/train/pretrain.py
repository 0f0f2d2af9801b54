"""Greedy layer-wise pretraining and unrolling into an ``Autoencoder`` params pytree.

A *stage* trains one layer on the codes of the layer below and returns it as a *layer*:

    {"encoder": {"kernel": [n_in, n_out], "bias": [n_out]},
     "decoder": {"kernel": [n_out, n_in], "bias": [n_in]}}

Any object with ``n_out``, ``train(key, inputs, log) -> layer`` and
``encode(layer, inputs) -> next inputs`` is a stage: ``RBMStage`` here (Hinton & Salakhutdinov
2006), an autoencoder stage for stacked (denoising) autoencoders elsewhere. ``pretrain`` runs the
stages bottom-up, saving all layers so far after every stage, so a killed run resumes at the
first unfinished stage. ``unroll`` puts layer i at ``enc_i`` / ``dec_i`` of the autoencoder.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable, Protocol, Sequence

import jax
import jax.numpy as jnp
from tqdm.auto import tqdm

from aejax.models import rbm
from aejax.train.rbm import train as train_rbm

Layer = dict[str, dict[str, jax.Array]]
Log = Callable[[dict], None]


class Stage(Protocol):
    """One greedy stage: trains a layer n_in -> n_out on its inputs."""

    n_out: int

    def train(self, key: jax.Array, inputs: jax.Array, log: Log) -> Layer:
        ...

    def encode(self, layer: Layer, inputs: jax.Array) -> jax.Array:
        ...


@dataclasses.dataclass(frozen=True)
class RBMStage:
    """Train an RBM with ``n_out`` hidden units by CD-k (``aejax.models.rbm``).

    The next stage's inputs are E[h | v] under the final weights (a fresh pass; the released
    code stores the last epoch's per-batch probabilities instead, a nearly identical choice).
    """

    n_out: int
    config: rbm.CDConfig
    epochs: int
    batch_size: int = 100

    def train(self, key: jax.Array, inputs: jax.Array, log: Log) -> Layer:
        params, _ = train_rbm(
            key, inputs, self.n_out, self.config, self.epochs, self.batch_size,
            on_epoch=lambda epoch, sse: log({"epoch": epoch, "rbm_recon_sse_per_example": sse}))
        return layer_from_rbm(params)

    def encode(self, layer: Layer, inputs: jax.Array) -> jax.Array:
        return _encode(layer, inputs, self.config.hidden)


@functools.partial(jax.jit, static_argnames=("hidden",))
def _encode(layer: Layer, inputs: jax.Array, hidden: str) -> jax.Array:
    pre = inputs @ layer["encoder"]["kernel"] + layer["encoder"]["bias"]
    return jax.nn.sigmoid(pre) if hidden == "binary" else pre


def layer_from_rbm(params: rbm.Params) -> Layer:
    """Encoder = (W, hidden bias); decoder = (W transposed, visible bias) (``backprop.m:34-41``)."""
    return {
        "encoder": {"kernel": params["kernel"], "bias": params["hidden_bias"]},
        "decoder": {"kernel": params["kernel"].T, "bias": params["visible_bias"]},
    }


def rbm_stages(sizes: Sequence[int], epochs: int, *, batch_size: int = 100,
               visible: str = "binary", code_units: str = "gaussian",
               learning_rate: float | None = None, code_learning_rate: float | None = None,
               first_learning_rate: float | None = None, first_epochs: int | None = None,
               weight_cost: float = 0.0002, k: int = 1) -> list[RBMStage]:
    """The H&S stack for ``sizes`` (e.g. (784, 1000, 500, 250, 30)).

    Binary hidden units everywhere except the code layer (``code_units``, Gaussian = linear);
    ``visible`` sets the first RBM's visible units by name (``rbm.VISIBLE_UNIT_TYPES``):
    "gaussian" for real-valued data such as faces, "softmax" for word-count vectors (documents;
    its inputs and those of the unrolled encoder are then the counts).
    Learning rates default to 0.1, or 0.001 for RBMs with a Gaussian layer.
    ``first_learning_rate`` / ``first_epochs`` override the first RBM only.
    """
    stages = []
    n_layers = len(sizes) - 1
    for i in range(n_layers):
        hidden = code_units if i == n_layers - 1 else "binary"
        config = rbm.CDConfig(visible=visible if i == 0 else "binary", hidden=hidden,
                              weight_cost=weight_cost, k=k)
        lr = code_learning_rate if hidden == "gaussian" else learning_rate
        if i == 0 and first_learning_rate is not None:
            lr = first_learning_rate
        if lr is not None:
            config = dataclasses.replace(config, learning_rate=lr)
        n_epochs = first_epochs if i == 0 and first_epochs is not None else epochs
        stages.append(RBMStage(sizes[i + 1], config, n_epochs, batch_size))
    return stages


def _layer_template(n_in: int, n_out: int, dtype) -> Layer:
    return {
        "encoder": {"kernel": jnp.zeros((n_in, n_out), dtype), "bias": jnp.zeros((n_out,), dtype)},
        "decoder": {"kernel": jnp.zeros((n_out, n_in), dtype), "bias": jnp.zeros((n_in,), dtype)},
    }


def pretrain(stages: Sequence[Stage], inputs: jax.Array, key: jax.Array, *,
             checkpoints=None, log: Log | None = None, print_fn: Callable[[str], Any] = print,
             progress: bool = True, then_seconds: Callable[[], float] | None = None) -> list[Layer]:
    """Train ``stages`` greedily on ``inputs`` [N, D]; returns the list of layers.

    With ``progress``, one bar counts the epochs of every RBM stage still to train, so its ETA is
    that of the whole RBM stack (autoencoder stages show their own bars); with ``then_seconds``
    (called once, only when the bar is shown: seconds of the work after the stack, e.g. an
    estimate of fine-tuning), the bar also shows ``run_left``, the time left to the end of the
    run: the stack's remaining multiply-adds (an epoch of stage i weighs n_in x n_out) at its
    rate so far, plus those seconds.

    Stage i uses ``jax.random.fold_in(key, i)`` and its records go to ``log`` tagged
    ``{"phase": "pretrain/enc_i"}``. With ``checkpoints`` (an ``aejax.ckpt.Checkpoints``),
    checkpoint i+1 holds layers 0..i after stage i; a rerun restores the latest one, rebuilds
    the inputs of the next stage by encoding through the restored layers, and continues there.
    """
    inputs = jnp.asarray(inputs)
    sizes = [inputs.shape[1]] + [stage.n_out for stage in stages]
    signatures = [repr(stage) for stage in stages]
    layers: list[Layer] = []
    done = checkpoints.latest_step() if checkpoints is not None else None
    if done:
        if done > len(stages):
            raise ValueError(
                f"{checkpoints.directory} holds {done} pretrained layers but only {len(stages)} "
                "stages were given; use a fresh work directory (aejax run --overwrite).")
        template = {f"enc_{i}": _layer_template(sizes[i], sizes[i + 1], inputs.dtype)
                    for i in range(done)}
        restored, meta = checkpoints.restore(template, done)
        if meta.get("stages") != signatures[:done]:
            raise ValueError(
                f"{checkpoints.directory} holds {done} layers pretrained by other stages "
                f"({meta.get('stages')}) than those given ({signatures[:done]}); use a fresh work "
                "directory (aejax run --overwrite) for a different stack.")
        layers = [restored[f"enc_{i}"] for i in range(done)]
        for stage, layer in zip(stages, layers):
            inputs = stage.encode(layer, inputs)
        print_fn(f"[pretrain] resumed after stage {done} of {len(stages)}")
    todo = [i for i in range(len(layers), len(stages)) if isinstance(stages[i], RBMStage)]
    work = {i: sizes[i] * sizes[i + 1] for i in todo}  # multiply-adds of an epoch of stage i, per example
    total_work, done_work = sum(stages[i].epochs * work[i] for i in todo), 0.0
    shown = progress and bool(todo)
    then = then_seconds() if shown and then_seconds is not None else None
    bar = tqdm(total=sum(stages[i].epochs for i in todo), desc="pretrain (RBMs)", unit="epoch", disable=not shown)
    for i in range(len(layers), len(stages)):
        phase = f"pretrain/enc_{i}"

        def stage_log(record, phase=phase, i=i):
            nonlocal done_work
            if i in work and "epoch" in record:
                bar.update(1)
                done_work += work[i]
                stack_left = bar.format_dict["elapsed"] * (total_work - done_work) / done_work
                left = {"run_left": tqdm.format_interval(stack_left + then)} if then is not None else {}
                bar.set_postfix(layer=phase.split("/")[1], sse=f"{record['rbm_recon_sse_per_example']:.4g}", **left)
            if log:
                log({"phase": phase, **record})

        layer = stages[i].train(jax.random.fold_in(key, i), inputs, stage_log)
        layers.append(layer)
        if checkpoints is not None:
            checkpoints.save(i + 1, {f"enc_{j}": l for j, l in enumerate(layers)},
                             {"stages_done": i + 1, "sizes": sizes, "stages": signatures[:i + 1]})
        if i + 1 < len(stages):
            inputs = stages[i].encode(layer, inputs)
    bar.close()
    return layers


def unroll(layers: Sequence[Layer], tied: bool = False) -> dict:
    """Autoencoder params from pretrained layers: enc_i = layer i's encoder; dec_i = layer i's
    decoder (its bias only when ``tied``: the tied model reads enc_i's kernel transposed)."""
    params = {}
    for i, layer in enumerate(layers):
        params[f"enc_{i}"] = {"kernel": layer["encoder"]["kernel"], "bias": layer["encoder"]["bias"]}
        decoder = {"bias": layer["decoder"]["bias"]}
        if not tied:
            decoder["kernel"] = layer["decoder"]["kernel"]
        params[f"dec_{i}"] = decoder
    return params


def rbm_stages_from_config(cfg) -> list[RBMStage]:
    """The H&S stack of an experiment config: `rbm_stages` with `config.model.sizes` and the
    options of `config.pretrain` (the code RBM is Gaussian when the code is linear)."""
    p = cfg.pretrain
    return rbm_stages(tuple(cfg.model.sizes), p.epochs, batch_size=p.batch_size, visible=p.visible,
                      code_units="gaussian" if cfg.model.code_activation == "linear" else "binary",
                      learning_rate=p.learning_rate, code_learning_rate=p.code_learning_rate,
                      first_learning_rate=p.get("first_learning_rate"), first_epochs=p.get("first_epochs"),
                      weight_cost=p.weight_cost, k=p.cd_k)
