"""MLP autoencoder, optionally with tied weights (the decoder reads the encoder's kernels);
registered as model "mlp".

Layer i of the encoder, `enc_i`, maps sizes[i] -> sizes[i+1]; its mirror `dec_i` maps
sizes[i+1] -> sizes[i]. The decoder runs dec_{L-1}, ..., dec_0, and dec_0 returns the output
pre-activation ("logits"), so losses can be computed stably from it. Examples of any shape are
flattened ([B, H, W] images -> [B, H * W]) and the output takes the input's shape.
"""
import math
from collections.abc import Sequence
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from aejax import models
from aejax.models import activations


def default_activations(num_layers: int, hidden: str = "sigmoid", code: str = "linear") -> tuple[str, ...]:
    """Logistic hidden layers and a linear code layer, as in Hinton & Salakhutdinov (2006)."""
    return (hidden,) * (num_layers - 1) + (code,)


KERNEL_INITS = {
    "glorot_uniform": lambda scale: nn.initializers.variance_scaling(scale**2, "fan_avg", "uniform"),
    "lecun_normal": lambda scale: nn.initializers.variance_scaling(scale**2, "fan_in", "truncated_normal"),
    "he_normal": lambda scale: nn.initializers.variance_scaling(2.0 * scale**2, "fan_in", "truncated_normal"),
}


def kernel_init(name: str = "glorot_uniform", scale: float = 4.0):
    """Kernel initializer by name, its standard deviation multiplied by `scale`.

    The default, Glorot-uniform x 4, is Glorot & Bengio's (2010) advice for logistic units: it keeps
    the signal from fading through a deep logistic stack, which otherwise sits on the
    mean-image plateau for many epochs.
    """
    try:
        return KERNEL_INITS[name](scale)
    except KeyError:
        raise ValueError(f"unknown kernel_init {name!r}; choose one of {sorted(KERNEL_INITS)}") from None


_initializer = kernel_init  # for `mlp`, whose config key `kernel_init` shadows the name


class DecoderDense(nn.Module):
    """Dense layer of the decoder: owns its bias, and its kernel unless given a tied one.

    With `tied_kernel` of shape (features, in) the layer computes x @ tied_kernel.T + bias,
    so the tied kernel stays one leaf of the encoder and gets both gradient contributions.
    """

    features: int
    dtype: Any = None
    kernel_init: Any = kernel_init()

    @nn.compact
    def __call__(self, x: jax.Array, tied_kernel: jax.Array | None = None) -> jax.Array:
        if tied_kernel is None:
            kernel = self.param("kernel", self.kernel_init, (x.shape[-1], self.features))
        else:
            kernel = tied_kernel.T
        bias = self.param("bias", nn.initializers.zeros_init(), (self.features,))
        x, kernel, bias = nn.dtypes.promote_dtype(x, kernel, bias, dtype=self.dtype)
        return x @ kernel + bias


class Autoencoder(nn.Module):
    """MLP autoencoder on flat inputs [B, sizes[0]] with codes [B, sizes[-1]].

    Attributes:
      sizes: layer widths from input to code, e.g. (784, 1000, 500, 250, 30).
      activations: one name per encoder layer; default logistic hidden units, linear code.
        Decoder layer dec_i (i >= 1) uses the activation of enc_{i-1}, its mirror's input.
      output: activation turning the logits into a reconstruction ("sigmoid" for data in
        [0, 1] with cross-entropy, "linear" for real values with squared error).
      tied: the decoder uses each encoder kernel transposed instead of owning one.
      dtype: computation dtype (e.g. jnp.bfloat16); parameters stay float32.
      kernel_init: initializer of every kernel (see `kernel_init()`).
    """

    sizes: Sequence[int]
    activations: Sequence[str] | None = None
    output: str = "sigmoid"
    tied: bool = False
    dtype: Any = None
    kernel_init: Any = kernel_init()

    def setup(self):
        if len(self.sizes) < 2:
            raise ValueError(f"an autoencoder needs at least two sizes (input, code); got {tuple(self.sizes)}")
        num_layers = len(self.sizes) - 1
        names = tuple(self.activations) if self.activations is not None else default_activations(num_layers)
        if len(names) != num_layers:
            raise ValueError(
                f"activations has {len(names)} entries for {num_layers} encoder layers (sizes {tuple(self.sizes)})"
            )
        self._encoder_activations = tuple(activations.get(n) for n in names)
        self._output_activation = activations.get(self.output)
        self.enc = [nn.Dense(self.sizes[i + 1], dtype=self.dtype, kernel_init=self.kernel_init) for i in range(num_layers)]
        self.dec = [DecoderDense(self.sizes[i], dtype=self.dtype, kernel_init=self.kernel_init) for i in range(num_layers)]

    def encode(self, x: jax.Array) -> jax.Array:
        """[B, sizes[0]] (or [B, ...] of sizes[0] values) -> codes [B, sizes[-1]]; each layer's
        output is sown as intermediates `hidden_i`."""
        x = x.reshape(x.shape[0], -1)
        for i, (layer, act) in enumerate(zip(self.enc, self._encoder_activations)):
            x = act(layer(x))
            self.sow("intermediates", f"hidden_{i}", x)
        return x

    def decode(self, z: jax.Array) -> jax.Array:
        """Codes [B, sizes[-1]] -> output logits [B, sizes[0]] (before the output activation)."""
        for i in reversed(range(len(self.dec))):
            kernel = self.enc[i].variables["params"]["kernel"] if self.tied else None
            z = self.dec[i](z, kernel)
            if i > 0:
                z = self._encoder_activations[i - 1](z)
        return z

    def reconstruct(self, x: jax.Array) -> jax.Array:
        """[B, sizes[0]] -> reconstruction [B, sizes[0]] after the output activation."""
        return self._output_activation(self(x))

    def __call__(self, x: jax.Array) -> jax.Array:
        """[B, sizes[0]] -> output logits [B, sizes[0]] (in the input's shape)."""
        return self.decode(self.encode(x)).reshape(x.shape)


@models.register("mlp")
def mlp(example_shape: tuple[int, ...] | None = None, *, sizes: Sequence[int] = (784, 1000, 500, 250, 30),
        hidden_activation: str = "sigmoid", code_activation: str = "linear", output_activation: str = "sigmoid",
        tied: bool = False, kernel_init: str = "glorot_uniform", init_scale: float = 4.0, dtype=None) -> Autoencoder:
    """The MLP autoencoder of config.model (logistic hidden layers and a linear code by default);
    `example_shape` (when given) must hold sizes[0] values."""
    sizes = tuple(sizes)
    if example_shape is not None and math.prod(example_shape) != sizes[0]:
        width = math.prod(example_shape)
        raise ValueError(f"model.sizes[0]={sizes[0]} but the data have {width} values per example (shape "
                         f"{tuple(example_shape)}); set --config.model.sizes to start with {width}")
    return Autoencoder(
        sizes=sizes,
        activations=default_activations(len(sizes) - 1, hidden_activation, code_activation),
        output=output_activation,
        tied=bool(tied),
        dtype=dtype,
        kernel_init=_initializer(kernel_init, init_scale),
    )


def from_config(cfg, dtype=None) -> Autoencoder:
    """Build an Autoencoder from a `config.model` ConfigDict (inputs of sizes[0] values)."""
    return models.build(cfg, (cfg.sizes[0],), dtype=dtype)


def init_params(model: Autoencoder, rng: jax.Array) -> dict:
    """Parameters for `model` from `rng` (traces one dummy example; no data needed)."""
    return model.init(rng, jnp.zeros((1, model.sizes[0]), jnp.float32))["params"]


def normal_init(params: dict, rng: jax.Array, scale: float) -> dict:
    """`params` with every kernel drawn from scale * N(0, 1) (one key per leaf) and every bias zero:
    the random initialisation Hinton & Salakhutdinov compare pretraining with."""
    leaves, treedef = jax.tree_util.tree_flatten_with_path(params)
    keys = jax.random.split(rng, len(leaves))
    new = [scale * jax.random.normal(k, leaf.shape, leaf.dtype) if path[-1].key == "kernel"
           else jnp.zeros_like(leaf) for k, (path, leaf) in zip(keys, leaves)]
    return jax.tree_util.tree_unflatten(treedef, new)
