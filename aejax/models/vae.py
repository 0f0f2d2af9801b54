"""Variational autoencoder (Kingma & Welling 2014), MLP encoder and decoder; registered as model "vae".

The encoder maps x [B, D] through hidden layers enc_0, enc_1, ... (widths `hidden`) to the
mean and log-variance of a diagonal Gaussian q(z | x) over `latent` units (layers `mean`,
`log_var`); the decoder dec_0, dec_1, ... mirrors the hidden layers and ends in a layer of D
logits (a Bernoulli decoder with the sigmoid output). `__call__` draws z = mean + exp(log_var / 2)
* eps with eps ~ N(0, I) from RNG stream "noise" (the reparameterisation trick) and returns
{"reconstruction": the logits at z (in x's shape), "code": mean, "mean", "log_var", "z"}, what the
objective "elbo" reads. `encode` (the mean), `reconstruct` (the output at the mean),
`posterior` and `decode` draw nothing, so evaluation of codes and reconstructions is deterministic.
"""
import math
from collections.abc import Sequence
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from aejax import models
from aejax.models import activations


class VAE(nn.Module):
    """features: D, values per example; hidden: widths of the encoder's hidden layers (the
    decoder's in reverse); latent: units of z; activation: of the hidden layers; output: the
    activation turning the decoder's logits into a reconstruction."""

    features: int
    hidden: Sequence[int] = (200, 200)
    latent: int = 50
    activation: str = "tanh"
    output: str = "sigmoid"
    dtype: Any = None

    def setup(self):
        self.enc = [nn.Dense(n, dtype=self.dtype) for n in self.hidden]
        self.mean = nn.Dense(self.latent, dtype=self.dtype)
        self.log_var = nn.Dense(self.latent, dtype=self.dtype)
        self.dec = [nn.Dense(n, dtype=self.dtype) for n in (*reversed(tuple(self.hidden)), self.features)]
        self._act, self._out = activations.get(self.activation), activations.get(self.output)

    def posterior(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        """x [B, ...] -> (mean, log_var) of q(z | x), [B, latent] each; sows hidden_i."""
        h = x.reshape(x.shape[0], -1)
        for i, layer in enumerate(self.enc):
            h = self._act(layer(h))
            self.sow("intermediates", f"hidden_{i}", h)
        return self.mean(h), self.log_var(h)

    def decode(self, z: jax.Array) -> jax.Array:
        """z [B, latent] -> decoder logits [B, D]."""
        for layer in self.dec[:-1]:
            z = self._act(layer(z))
        return self.dec[-1](z)

    def encode(self, x: jax.Array) -> jax.Array:
        """x -> the posterior mean [B, latent] (the code)."""
        return self.posterior(x)[0]

    def reconstruct(self, x: jax.Array) -> jax.Array:
        """x -> the output at the posterior mean, in x's shape."""
        return self._out(self.decode(self.encode(x))).reshape(x.shape)

    def __call__(self, x: jax.Array) -> dict:
        mean, log_var = self.posterior(x)
        eps = jax.random.normal(self.make_rng("noise"), mean.shape, jnp.float32)
        z = mean + jnp.exp(0.5 * log_var) * eps
        return {"reconstruction": self.decode(z).reshape(x.shape), "code": mean, "mean": mean, "log_var": log_var, "z": z}


@models.register("vae")
def vae(example_shape: tuple[int, ...], *, hidden: Sequence[int] = (200, 200), latent: int = 50,
        hidden_activation: str = "tanh", output_activation: str = "sigmoid", dtype=None) -> VAE:
    """The VAE of config.model for examples of `example_shape` (flattened)."""
    return VAE(math.prod(example_shape), tuple(hidden), latent, hidden_activation, output_activation, dtype)
