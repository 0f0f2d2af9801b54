"""2-D convolutional autoencoder for images, optionally with tied weights; model "conv2d".

Encoder layer `enc_i` is a strided SAME convolution (NHWC) with a kernel [k, k, C_in, C_out]; its
mirror `dec_i` is the adjoint (transposed) convolution back to enc_i's input shape, with its own
kernel or, with `tied=True`, enc_i's kernel: one leaf used twice, receiving the sum of both
gradients. With `code_size` > 0 a dense layer `enc_L` maps the last feature map to a linear code
and `dec_L` back (tied: the kernel transposed). dec_0 returns logits. Images come flat
[B, H*W*C] or as [B, H, W(, C)]; the output takes the input's shape.
"""
import math
from collections.abc import Sequence
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from aejax import models
from aejax.models import activations
from aejax.models.autoencoder import DecoderDense

DIMS = ("NHWC", "HWIO", "NHWC")


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """(low, high) padding of a SAME convolution: output size ceil(size / stride)."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv(x: jax.Array, kernel: jax.Array, stride: int, padding) -> jax.Array:
    """[B, H, W, C_in] cross-correlated with kernel [k, k, C_in, C_out] -> [B, h, w, C_out]."""
    return jax.lax.conv_general_dilated(x, kernel, (stride, stride), padding, dimension_numbers=DIMS)


def conv_adjoint(y: jax.Array, kernel: jax.Array, stride: int, padding, in_size: tuple[int, int]) -> jax.Array:
    """The adjoint of `conv(., kernel, stride, padding)` on inputs of spatial size `in_size`:
    [B, h, w, C_out] -> [B, H, W, C_in]: y dilated by the stride, the kernel flipped, in/out swapped."""
    k = kernel.shape[0]
    pads = [(k - 1 - lo, n - 1 + lo - (m - 1) * stride) for (lo, _), n, m in zip(padding, in_size, y.shape[1:3])]
    flipped = jnp.flip(kernel, (0, 1)).swapaxes(2, 3)
    return jax.lax.conv_general_dilated(y, flipped, (1, 1), pads, lhs_dilation=(stride, stride), dimension_numbers=DIMS)


class ConvLayer(nn.Module):
    """enc_i: conv with its kernel of `kernel_shape`; dec_i (`adjoint`): the adjoint back to
    `in_size`, with its own kernel of that shape or the tied one given."""

    kernel_shape: tuple[int, int, int, int]
    stride: int
    padding: tuple
    in_size: tuple[int, int]
    adjoint: bool = False
    dtype: Any = None

    @nn.compact
    def __call__(self, x: jax.Array, tied_kernel: jax.Array | None = None) -> jax.Array:
        kernel = self.param("kernel", nn.initializers.lecun_normal(), self.kernel_shape) if tied_kernel is None else tied_kernel
        bias = self.param("bias", nn.initializers.zeros_init(), (self.kernel_shape[2 if self.adjoint else 3],))
        x, kernel, bias = nn.dtypes.promote_dtype(x, kernel, bias, dtype=self.dtype)
        if self.adjoint:
            return conv_adjoint(x, kernel, self.stride, self.padding, self.in_size) + bias
        return conv(x, kernel, self.stride, self.padding) + bias


class Conv2DAutoencoder(nn.Module):
    """image_shape (H, W, C); channels per encoder layer; activation of hidden units; output:
    activation of the reconstruction; code_size 0: the last feature map is the code."""

    image_shape: tuple[int, int, int]
    channels: Sequence[int] = (16, 32)
    kernel_size: int = 3
    stride: int = 2
    activation: str = "relu"
    output: str = "sigmoid"
    tied: bool = False
    code_size: int = 0
    dtype: Any = None

    def setup(self):
        size, specs = tuple(self.image_shape[:2]), []
        for c_in, c_out in zip((self.image_shape[2],) + tuple(self.channels), self.channels):
            pad = tuple(same_padding(n, self.kernel_size, self.stride) for n in size)
            specs.append(dict(kernel_shape=(self.kernel_size, self.kernel_size, c_in, c_out), stride=self.stride,
                              padding=pad, in_size=size, dtype=self.dtype))
            size = tuple(math.ceil(n / self.stride) for n in size)
        self._features = size + (self.channels[-1],)
        dense = bool(self.code_size)
        self.enc = [ConvLayer(**s) for s in specs] + [nn.Dense(self.code_size, dtype=self.dtype)] * dense
        self.dec = [ConvLayer(**s, adjoint=True) for s in specs] + [DecoderDense(math.prod(self._features), dtype=self.dtype)] * dense
        self._act, self._out = activations.get(self.activation), activations.get(self.output)

    def encode(self, x: jax.Array) -> jax.Array:
        """Images -> codes [B, h, w, channels[-1]] (or [B, code_size]); sows `hidden_i`."""
        h = x.reshape((x.shape[0],) + tuple(self.image_shape))
        for i, layer in enumerate(self.enc):
            h = layer(h.reshape(h.shape[0], -1)) if i == len(self.channels) else self._act(layer(h))
            self.sow("intermediates", f"hidden_{i}", h)
        return h

    def decode(self, z: jax.Array) -> jax.Array:
        """Codes -> output logits [B, H, W, C] (before the output activation)."""
        for i in reversed(range(len(self.dec))):
            z = self.dec[i](z, self.enc[i].variables["params"]["kernel"] if self.tied else None)
            z = z.reshape((z.shape[0],) + self._features) if i == len(self.channels) else z
            z = self._act(z) if i > 0 else z
        return z

    def reconstruct(self, x: jax.Array) -> jax.Array:
        return self._out(self(x))

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.decode(self.encode(x)).reshape(x.shape)


@models.register("conv2d")
def conv2d(example_shape: tuple[int, ...], *, channels: Sequence[int] = (16, 32), kernel_size: int = 3,
           stride: int = 2, hidden_activation: str = "relu", output_activation: str = "sigmoid", tied: bool = False,
           code_size: int = 0, dtype=None) -> Conv2DAutoencoder:
    """The Conv2DAutoencoder of config.model for images of `example_shape` (H, W) or (H, W, C)."""
    if len(example_shape) not in (2, 3):
        raise ValueError(f"model 'conv2d' needs images [H, W(, C)] per example, not {tuple(example_shape)}; "
                         "aejax.data.load keeps the image shape in Split.image_shape")
    return Conv2DAutoencoder(tuple(example_shape) + (1,) * (3 - len(example_shape)), tuple(channels), kernel_size,
                             stride, hidden_activation, output_activation, bool(tied), code_size, dtype)
