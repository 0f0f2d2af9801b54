"""A VAE of one's own: model "my-vae" (Gaussian encoder, Bernoulli decoder)."""
import flax.linen as nn
import jax
import jax.numpy as jnp

from aejax import models


@models.register("my-vae")
class MyVAE(nn.Module):
    latent: int = 4

    def setup(self):
        self.enc, self.stats, self.hidden, self.out = nn.Dense(32), nn.Dense(2 * self.latent), nn.Dense(32), nn.Dense(64)

    def posterior(self, x):
        return jnp.split(self.stats(jnp.tanh(self.enc(x.reshape(x.shape[0], -1)))), 2, axis=-1)

    def decode(self, z):
        return self.out(jnp.tanh(self.hidden(z)))

    def encode(self, x):
        return self.posterior(x)[0]

    def reconstruct(self, x):
        return jax.nn.sigmoid(self.decode(self.encode(x)))

    def __call__(self, x):
        mean, log_var = self.posterior(x)
        z = mean + jnp.exp(0.5 * log_var) * jax.random.normal(self.make_rng("noise"), mean.shape)
        return {"reconstruction": self.decode(z).reshape(x.shape), "mean": mean, "log_var": log_var}
