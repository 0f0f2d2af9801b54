"""The autoencoder stage of greedy layer-wise pretraining (`aejax.train.pretrain`).

`AEStage` trains a one-hidden-layer (denoising) autoencoder n_in -> n_out -> n_in on the codes
of the stage below (Vincent et al. 2010, JMLR 11, section 5.1): the input is corrupted, the
target is the clean input, the decoder is tied by default. Training uses the trainer
(`aejax.train.fit.train_autoencoder`), so each stage is one compiled scan per epoch.
`ae_stages` builds the stack for given sizes.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import jax

from aejax import corruption, objectives
from aejax.models import activations
from aejax.models.autoencoder import Autoencoder
from aejax.train import fit
from aejax.train.pretrain import Layer, Log
from aejax.train.steps import num_batches


class _StageRun:
    """What the trainer needs of a run (log, print, quiet), writing to the stage's `log`."""

    def __init__(self, log: Log, quiet: bool):
        self.log, self.quiet = log, quiet

    def print(self, *args) -> None:
        if not self.quiet:
            print(*args, flush=True)


@dataclasses.dataclass(frozen=True)
class AEStage:
    """One (denoising) autoencoder layer with `n_out` hidden units.

    Attributes:
      n_out: hidden units.
      epochs, batch_size: passes over the stage's inputs and minibatch size.
      optimizer: sorted (key, value) pairs of an optimizer config (name, learning_rate, ...;
        see `aejax.train.optim`), kept as plain values so the stage's repr, which
        `pretrain` stores with each checkpoint, is the same in every process.
      corruption_name, corruption_level: see `aejax.corruption.make`; ("none", 0) = plain AE.
      hidden_activation: of the hidden (code) units.
      output: "sigmoid" with loss "cross_entropy" (inputs in [0, 1]) or "linear" with
        "squared_error".
      tied: decoder kernel = encoder kernel transposed.
      input_range: (min, max) of the stage's inputs, the salt-and-pepper values.
      regularizers: (name, sorted (key, value) pairs) of config.regularizers entries
        (`aejax.objectives`, e.g. a contractive or sparse stage), plain values like `optimizer`.
      quiet: no progress bar (not part of the repr: it does not change the layer).
    """

    n_out: int
    epochs: int
    batch_size: int
    optimizer: tuple
    corruption_name: str = "none"
    corruption_level: float = 0.0
    hidden_activation: str = "sigmoid"
    output: str = "sigmoid"
    loss: str = "cross_entropy"
    tied: bool = True
    input_range: tuple[float, float] = (0.0, 1.0)
    regularizers: tuple = ()
    quiet: bool = dataclasses.field(default=False, repr=False, compare=False)

    def __repr__(self) -> str:
        """The signature `pretrain` stores with each checkpoint; `regularizers` only when set, so
        stacks checkpointed before stages had them keep their signature."""
        shown = [f for f in dataclasses.fields(self) if f.repr and (f.name != "regularizers" or self.regularizers)]
        return f"AEStage({', '.join(f'{f.name}={getattr(self, f.name)!r}' for f in shown)})"

    def model(self, n_in: int) -> Autoencoder:
        return Autoencoder(sizes=(n_in, self.n_out), activations=(self.hidden_activation,), output=self.output, tied=self.tied)

    def train(self, key: jax.Array, inputs: jax.Array, log: Log) -> Layer:
        model = self.model(inputs.shape[1])
        init_key, train_key = jax.random.split(key)
        corrupt = corruption.make(self.corruption_name, self.corruption_level, low=self.input_range[0], high=self.input_range[1])
        total_steps = self.epochs * num_batches(inputs, self.batch_size)
        train = {"epochs": self.epochs, "batch_size": self.batch_size, "optimizer": dict(self.optimizer),
                 "log_every": max(1, total_steps // 10)}
        trained = fit.train_autoencoder(
            {"train": train}, inputs, model=model,
            objective=objectives.reconstruction(model, self.loss, corrupt=corrupt,
                                                regularizers={name: dict(spec) for name, spec in self.regularizers}),
            rng=train_key, init_rng=init_key, run=_StageRun(log, self.quiet), desc=f"AE {inputs.shape[1]}->{self.n_out}")
        return layer_from_autoencoder(trained.params, self.tied)

    def encode(self, layer: Layer, inputs: jax.Array) -> jax.Array:
        return _encode(layer, inputs, self.hidden_activation)


@jax.jit
def _affine(layer: Layer, inputs: jax.Array) -> jax.Array:
    return inputs @ layer["encoder"]["kernel"] + layer["encoder"]["bias"]


def _encode(layer: Layer, inputs: jax.Array, activation: str) -> jax.Array:
    return activations.get(activation)(_affine(layer, inputs))


def layer_from_autoencoder(params: dict, tied: bool) -> Layer:
    """A pretrain layer from one-hidden-layer Autoencoder params (decoder kernel = encoder
    kernel transposed when tied)."""
    kernel = params["enc_0"]["kernel"]
    return {
        "encoder": {"kernel": kernel, "bias": params["enc_0"]["bias"]},
        "decoder": {"kernel": kernel.T if tied else params["dec_0"]["kernel"], "bias": params["dec_0"]["bias"]},
    }


def ae_stages(sizes: Sequence[int], activations_: Sequence[str], *, epochs: int, batch_size: int, optimizer: Mapping,
              corruption_name: str = "none", corruption_level: float = 0.0, tied: bool = True,
              input_range: tuple[float, float] = (0.0, 1.0), regularizers: Mapping | None = None,
              quiet: bool = False) -> list[AEStage]:
    """The stack for `sizes` (input first, e.g. (784, 1000, 1000, 1000)) with one hidden
    activation per layer in `activations_`.

    A stage whose inputs lie in [0, 1] (the data, or logistic codes below) reconstructs them
    through a sigmoid output with cross-entropy; otherwise through a linear output with squared
    error. `optimizer`: an optimizer config as a mapping (e.g. config.pretrain.optimizer).
    Salt-and-pepper uses `input_range` on the data and (0, 1) on logistic codes. `regularizers`
    (config.regularizers entries, `aejax.objectives`) are added to every stage's objective.
    """
    if len(activations_) != len(sizes) - 1:
        raise ValueError(f"{len(activations_)} activations for {len(sizes) - 1} layers (sizes {tuple(sizes)})")
    stages = []
    for i, (n_out, act) in enumerate(zip(sizes[1:], activations_)):
        unit_inputs = i == 0 or activations_[i - 1] in ("sigmoid", "logistic")
        stages.append(AEStage(
            n_out=n_out, epochs=epochs, batch_size=batch_size, optimizer=tuple(sorted(dict(optimizer).items())),
            corruption_name=corruption_name, corruption_level=corruption_level, hidden_activation=act,
            output="sigmoid" if unit_inputs else "linear", loss="cross_entropy" if unit_inputs else "squared_error",
            tied=tied, input_range=input_range if i == 0 else (0.0, 1.0), quiet=quiet,
            regularizers=tuple((name, tuple(sorted(dict(spec).items()))) for name, spec in (regularizers or {}).items()),
        ))
    return stages
