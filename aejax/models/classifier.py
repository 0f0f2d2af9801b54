"""MLP classifier whose encoder layers are those of `aejax.models.autoencoder.Autoencoder`.

Params pytree: {"enc_i": {"kernel": (sizes[i], sizes[i+1]), "bias"}, "head_j": {...}, "out": {...}},
so the enc_i of a (pretrained) autoencoder drop in unchanged. `trainable_labels` and
`masked_optimizer` freeze encoder layers through optax (their updates are zero), not by copying.
"""
from collections.abc import Sequence
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from aejax.models import activations


class Classifier(nn.Module):
    """Encoder + dense head + softmax logits on flat inputs [B, encoder_sizes[0]].

    Attributes:
      encoder_sizes: widths from input to code, as `Autoencoder.sizes`, e.g. (784, 1000, 1000, 1000).
      encoder_activations: one name per encoder layer (default: all "sigmoid").
      head_sizes: widths of the hidden layers between the code and the output (may be empty).
      head_activation: activation of the head's hidden layers.
      num_classes: output classes.
      frozen_layers: the bottom `frozen_layers` encoder layers pass no gradient back
        (`stop_gradient` on their output), so backpropagation skips them; use it with
        `masked_optimizer`, which zeroes their updates.
      dtype: computation dtype; parameters stay float32.
    """

    encoder_sizes: Sequence[int]
    encoder_activations: Sequence[str] | None = None
    head_sizes: Sequence[int] = ()
    head_activation: str = "sigmoid"
    num_classes: int = 10
    frozen_layers: int = 0
    dtype: Any = None

    def setup(self):
        num_layers = len(self.encoder_sizes) - 1
        if num_layers < 0:
            raise ValueError(f"encoder_sizes needs at least the input size; got {tuple(self.encoder_sizes)}")
        names = tuple(self.encoder_activations) if self.encoder_activations is not None else ("sigmoid",) * num_layers
        if len(names) != num_layers:
            raise ValueError(f"encoder_activations has {len(names)} entries for {num_layers} encoder layers")
        self._encoder_activations = tuple(activations.get(n) for n in names)
        self._head_activation = activations.get(self.head_activation)
        self.enc = [nn.Dense(self.encoder_sizes[i + 1], dtype=self.dtype) for i in range(num_layers)]
        self.head = [nn.Dense(n, dtype=self.dtype) for n in self.head_sizes]
        self.out = nn.Dense(self.num_classes, dtype=self.dtype)

    def encode(self, x: jax.Array) -> jax.Array:
        """[B, encoder_sizes[0]] -> codes [B, encoder_sizes[-1]]."""
        for i, (layer, act) in enumerate(zip(self.enc, self._encoder_activations)):
            x = act(layer(x))
            if i + 1 == self.frozen_layers:
                x = jax.lax.stop_gradient(x)
        return x

    def __call__(self, x: jax.Array) -> jax.Array:
        """[B, encoder_sizes[0]] -> class logits [B, num_classes]."""
        h = self.encode(x)
        for layer in self.head:
            h = self._head_activation(layer(h))
        return self.out(h)


def init_params(model: Classifier, rng: jax.Array) -> dict:
    """Parameters for `model` from `rng` (one dummy example)."""
    return model.init(rng, jnp.zeros((1, model.encoder_sizes[0]), jnp.float32))["params"]


def with_encoder(params: dict, encoder: dict) -> dict:
    """`params` with its enc_i replaced by those of `encoder` (e.g. autoencoder params; the
    decoder entries of `encoder` are ignored). Shapes must match."""
    num_layers = sum(1 for k in params if k.startswith("enc_"))
    out = dict(params)
    for i in range(num_layers):
        name = f"enc_{i}"
        if name not in encoder:
            raise ValueError(f"pretrained parameters lack {name}; they have {sorted(encoder)}")
        for leaf in ("kernel", "bias"):
            want, got = params[name][leaf].shape, encoder[name][leaf].shape
            if want != got:
                raise ValueError(f"pretrained {name}/{leaf} has shape {got}, the classifier needs {want}")
        out[name] = {"kernel": jnp.asarray(encoder[name]["kernel"]), "bias": jnp.asarray(encoder[name]["bias"])}
    return out


def trainable_labels(params: dict, trainable_encoder_layers: int | None) -> dict:
    """"train" / "frozen" label per top-level entry of `params`: the head and output always
    train; of the encoder only the top `trainable_encoder_layers` train (None: all, 0: none)."""
    num_layers = sum(1 for k in params if k.startswith("enc_"))
    k = num_layers if trainable_encoder_layers is None else trainable_encoder_layers
    if not 0 <= k <= num_layers:
        raise ValueError(f"trainable_encoder_layers={k}: choose 0..{num_layers} (or None for all)")
    first_trained = num_layers - k

    def label(name: str) -> str:
        if name.startswith("enc_") and int(name.split("_")[1]) < first_trained:
            return "frozen"
        return "train"

    return {name: jax.tree_util.tree_map(lambda _: label(name), sub) for name, sub in params.items()}


def masked_optimizer(tx: optax.GradientTransformation, labels: dict) -> optax.GradientTransformation:
    """`tx` on the entries labelled "train", zero updates (and no optimizer state) on "frozen"."""
    return optax.multi_transform({"train": tx, "frozen": optax.set_to_zero()}, labels)
