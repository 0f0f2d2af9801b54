"""1-D convolutional autoencoder for windows of multivariate time series [B, T, C]; registered
as model "conv1d".

Mirrors the MLP autoencoder's naming: encoder layer `enc_i` is a strided convolution
(in_channels[i] -> channels[i], length halved), decoder layer `dec_i` its transposed mirror
(channels[i] -> in_channels[i], length doubled), where in_channels = (C, channels[0], ...).
The decoder runs dec_{L-1}, ..., dec_0 and dec_0 returns the output pre-activation.
Similar in shape to SKAB's Conv-AE (two stride-2 Conv1D layers of 32 and 16 filters, kernel 7).
"""

from collections.abc import Sequence
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from aejax import models
from aejax.models import activations


class ConvAutoencoder(nn.Module):
    """Attributes:
      features: channels C of the input windows.
      channels: filters per encoder layer, e.g. (32, 16); each layer halves the length, so the
        window length T must be divisible by 2 ** len(channels).
      kernel_size: convolution width (in time steps).
      activation: hidden activation name; output: activation of the reconstruction.
    """

    features: int
    channels: Sequence[int] = (32, 16)
    kernel_size: int = 7
    activation: str = "relu"
    output: str = "linear"
    dtype: Any = None

    def setup(self):
        if not self.channels:
            raise ValueError("ConvAutoencoder needs at least one encoder layer in `channels`")
        in_channels = (self.features,) + tuple(self.channels[:-1])
        self.enc = [nn.Conv(c, (self.kernel_size,), strides=(2,), padding="SAME", dtype=self.dtype, name=f"enc_{i}")
                    for i, c in enumerate(self.channels)]
        self.dec = [nn.ConvTranspose(c, (self.kernel_size,), strides=(2,), padding="SAME", dtype=self.dtype,
                                     name=f"dec_{i}") for i, c in enumerate(in_channels)]
        self._act = activations.get(self.activation)
        self._out = activations.get(self.output)

    def _check(self, x: jax.Array):
        factor = 2 ** len(self.channels)
        if x.ndim != 3 or x.shape[-1] != self.features or x.shape[1] % factor:
            raise ValueError(f"ConvAutoencoder expects windows [B, T, {self.features}] with T divisible by "
                             f"{factor}; got shape {x.shape}")

    def encode(self, x: jax.Array) -> jax.Array:
        """[B, T, C] -> codes [B, T / 2**L, channels[-1]]."""
        self._check(x)
        for i, layer in enumerate(self.enc):
            x = self._act(layer(x))
            self.sow("intermediates", f"hidden_{i}", x)
        return x

    def decode(self, z: jax.Array) -> jax.Array:
        """Codes -> output pre-activation [B, T, C]."""
        for i in reversed(range(len(self.dec))):
            z = self.dec[i](z)
            if i > 0:
                z = self._act(z)
        return z

    def reconstruct(self, x: jax.Array) -> jax.Array:
        return self._out(self(x))

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.decode(self.encode(x))


@models.register("conv1d")
def conv1d(example_shape: tuple[int, ...], *, channels: Sequence[int] = (32, 16), kernel_size: int = 7,
           hidden_activation: str = "relu", output_activation: str = "linear", dtype=None) -> ConvAutoencoder:
    """The ConvAutoencoder of config.model for windows of `example_shape` (T, C)."""
    if len(example_shape) != 2:
        raise ValueError(f"model 'conv1d' needs windows [T, C] per example; this data has examples of shape "
                         f"{tuple(example_shape)}")
    return ConvAutoencoder(features=example_shape[1], channels=tuple(channels), kernel_size=kernel_size,
                           activation=hidden_activation, output=output_activation, dtype=dtype)


def init_params(model: ConvAutoencoder, rng: jax.Array, length: int) -> dict:
    """Parameters for windows of `length` steps."""
    return model.init(rng, jnp.zeros((1, length, model.features), jnp.float32))["params"]
