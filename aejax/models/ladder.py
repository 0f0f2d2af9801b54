"""Ladder network (Rasmus, Berglund, Honkala, Valpola & Raiko 2015); model and objective "ladder".

Encoder (the paper's Algorithm 1), sizes (784, 1000, 500, 250, 250, 250, 10) by default: z_0 = x
(flattened) and, for l = 1..L, z_l = batch-normalised W_l h_{l-1} (no learned scale or shift:
`enc_{l-1}`, a dense layer without bias), h_l = relu(z_l + beta_l) below the top and the class
logits gamma * (z_L + beta_L) at the top. `__call__(x, corrupted=False, train=False)`: the clean
pass, or with corrupted=True the corrupted one, which adds Gaussian noise from RNG stream "noise"
(s.d. input_noise to z_0, noise to every z_l after normalisation); both passes read the same
variables. In training
(train=True) z_l is normalised with the batch's mean and standard deviation and the running
averages in collection "batch_stats" (mean_l, var_l) move toward them by 1 - momentum; in
evaluation the running averages normalise. Returned: {"logits", "z_l", "mean_l", "std_l" (the
statistics that normalised z_l)}.

Decoder: `decode((corrupted, clean))` takes the outputs of a corrupted and a clean pass on the
same batch and, for l = L..lowest, u_L = BN(softmax of the corrupted logits), u_l =
BN(V_{l+1} zhat_{l+1}) (`dec_l`, no bias; BN on the batch's own statistics), zhat_l =
g(ztilde_l, u_l) (combinator `g_l`), and returns zhat_l normalised with the clean pass's batch
statistics ("zhat_l": (zhat_l - mean_l) / std_l, zhat_0 as is): what the denoising cost compares
with the clean z_l. The vanilla combinator has 10 parameters per unit (`combinator`).

Objective "ladder": cross-entropy of the corrupted pass on the labelled part of the batch plus
sum_l weights[l] * mean over examples and units of (zhat_l - z_l)^2 on the unlabelled part
(`denoising_l`, each logged). The batch is {"x", "y", "u"} (task "semisup/joint"). With weights
(0, ..., 0, w) it is the Gamma-model: only the top layer's cost, and only its decoder layer runs.
"""
import math
from collections.abc import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from aejax import models, objectives

EPS = 1e-10  # added to the batch variance, as the authors' code (github.com/CuriousAI/ladder) does
# a1..a10 at initialisation (the authors' code): mu(u) = 0 and v(u) = 0, so zhat = 0
COMBINATOR_INIT = (0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)


def combinator(a: jax.Array, z: jax.Array, u: jax.Array) -> jax.Array:
    """The vanilla combinator g(ztilde, u) of Rasmus et al. (2015), eq. (2), a [10, units] = a1..a10:
    mu(u) = a1 sigmoid(a2 u + a3) + a4 u + a5, v(u) = a6 sigmoid(a7 u + a8) + a9 u + a10,
    zhat = (ztilde - mu(u)) v(u) + mu(u), per unit."""
    mu = a[0] * jax.nn.sigmoid(a[1] * u + a[2]) + a[3] * u + a[4]
    v = a[5] * jax.nn.sigmoid(a[6] * u + a[7]) + a[8] * u + a[9]
    return (z - mu) * v + mu


def _normalise(x: jax.Array) -> jax.Array:
    """Batch normalisation on the batch's own statistics, no scale or shift."""
    return (x - jnp.mean(x, axis=0)) / jnp.sqrt(jnp.var(x, axis=0) + EPS)


class Combinator(nn.Module):
    """g_l: the vanilla combinator with its parameters `a` [10, features]."""

    features: int

    @nn.compact
    def __call__(self, z: jax.Array, u: jax.Array) -> jax.Array:
        a = self.param("a", lambda key, shape: jnp.tile(jnp.asarray(COMBINATOR_INIT)[:, None], (1, shape[1])),
                       (10, self.features))
        return combinator(a, z, u)


class Ladder(nn.Module):
    """sizes: layer widths, input first, classes last; noise, input_noise: the standard deviations
    of the corrupted pass's Gaussian noise on the normalised layers and on the input; momentum:
    of the running batch statistics."""

    sizes: Sequence[int] = (784, 1000, 500, 250, 250, 250, 10)
    noise: float = 0.3
    momentum: float = 0.99
    input_noise: float = 0.3

    def setup(self):
        init = nn.initializers.variance_scaling(1.0, "fan_in", "normal")
        depth = len(self.sizes) - 1
        self.enc = [nn.Dense(n, use_bias=False, kernel_init=init, name=f"enc_{l}") for l, n in enumerate(self.sizes[1:])]
        self.dec = [nn.Dense(self.sizes[l], use_bias=False, kernel_init=init, name=f"dec_{l}") for l in range(depth)]
        self.g = [Combinator(n, name=f"g_{l}") for l, n in enumerate(self.sizes)]
        self.beta = [self.param(f"beta_{l}", nn.initializers.zeros, (n,)) for l, n in enumerate(self.sizes[1:], 1)]
        self.gamma = self.param("gamma", nn.initializers.ones, (self.sizes[-1],))
        self.running = [(self.variable("batch_stats", f"mean_{l}", jnp.zeros, (n,)),
                         self.variable("batch_stats", f"var_{l}", jnp.ones, (n,)))
                        for l, n in enumerate(self.sizes[1:], 1)]

    def __call__(self, x: jax.Array, corrupted: bool = False, train: bool = False) -> dict:
        depth = len(self.sizes) - 1
        def noisy(z, std):
            return z + std * jax.random.normal(self.make_rng("noise"), z.shape, z.dtype) if corrupted and std else z

        h = noisy(x.reshape(x.shape[0], -1).astype(jnp.float32), self.input_noise)
        out = {"z_0": h}
        for l in range(1, depth + 1):
            pre = self.enc[l - 1](h)
            running_mean, running_var = self.running[l - 1]
            if train:
                mean, var = jnp.mean(pre, axis=0), jnp.var(pre, axis=0)
                if not self.is_initializing():
                    running_mean.value = self.momentum * running_mean.value + (1 - self.momentum) * mean
                    running_var.value = self.momentum * running_var.value + (1 - self.momentum) * var
            else:
                mean, var = running_mean.value, running_var.value
            out[f"mean_{l}"], out[f"std_{l}"] = mean, jnp.sqrt(var + EPS)
            z = noisy((pre - mean) / out[f"std_{l}"], self.noise)
            out[f"z_{l}"] = z
            if l < depth:
                h = nn.relu(z + self.beta[l - 1])
        out["logits"] = self.gamma * (z + self.beta[-1])
        if self.is_initializing():  # the decoder's parameters
            self.decode((out, out))
        return out

    def decode(self, passes: tuple[dict, dict], lowest: int = 0) -> dict:
        """(corrupted, clean) outputs of two training passes -> {"zhat_l": zhat_l normalised with the
        clean pass's batch statistics} for l = L..lowest."""
        corrupted, clean = passes
        depth = len(self.sizes) - 1
        out, zhat = {}, None
        for l in range(depth, lowest - 1, -1):
            u = _normalise(jax.nn.softmax(corrupted["logits"]) if l == depth else self.dec[l](zhat))
            zhat = self.g[l](corrupted[f"z_{l}"], u)
            out[f"zhat_{l}"] = zhat if l == 0 else (zhat - clean[f"mean_{l}"]) / clean[f"std_{l}"]
        return out

    def classify(self, x: jax.Array, train: bool = False) -> jax.Array:
        """Class logits of the clean pass [B, classes] (evaluation: running averages)."""
        return self(x, train=train)["logits"]

    def encode(self, x: jax.Array) -> jax.Array:
        """The clean pass's class logits (the code of this autoencoder)."""
        return self.classify(x)

    def reconstruct(self, x: jax.Array) -> jax.Array:
        """The decoder's zhat_0 given the clean pass as both of its inputs, in x's shape."""
        clean = self(x)
        return self.decode((clean, clean))["zhat_0"].reshape(x.shape)


@models.register("ladder")
def ladder(example_shape: tuple[int, ...], *, sizes: Sequence[int] = (784, 1000, 500, 250, 250, 250, 10),
           noise: float = 0.3, input_noise: float = 0.3, momentum: float = 0.99) -> Ladder:
    """The Ladder network of config.model for examples of `example_shape` (flattened to sizes[0])."""
    features = math.prod(example_shape)
    if features != sizes[0]:
        raise ValueError(f"model.sizes[0]={sizes[0]} is not the {features} values of an example of shape {example_shape}")
    return Ladder(tuple(sizes), float(noise), float(momentum), float(input_noise))


@objectives.register_objective("ladder", "ladder cost (cross-entropy + weighted denoising costs)")
def ladder_cost(ctx: objectives.Context, batch: dict, *, weights: Sequence[float] = (1000.0, 10.0, 0.1, 0.1, 0.1, 0.1, 0.1)):
    """Rasmus et al.'s cost on batch {"x": labelled [B, ...], "y": labels [B], "u": unlabelled [B, ...]}:
    cross-entropy of the corrupted pass on x plus sum_l weights[l] * denoising cost of layer l on u
    (mean over examples and units of (zhat_l - z_l)^2 against the clean pass, whose batch
    statistics update the running averages). Layers with weight 0 are neither decoded nor logged."""
    if len(weights) != len(ctx.model.sizes):
        raise ValueError(f"objective.weights has {len(weights)} entries; model.sizes {tuple(ctx.model.sizes)} needs one per layer, "
                         f"{len(ctx.model.sizes)} (the input first)")
    logits = ctx.forward(batch["x"], corrupt=False, update=False, corrupted=True).outputs["logits"]
    ce = jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, batch["y"]))
    terms = {"cross_entropy": ce, "batch_error": jnp.mean(jnp.argmax(logits, -1) != batch["y"]).astype(jnp.float32)}
    clean = ctx.forward(batch["u"], corrupt=False).outputs
    used = [l for l, w in enumerate(weights) if w]
    loss = ce
    if used:
        corrupted = ctx.forward(batch["u"], corrupt=False, update=False, corrupted=True).outputs
        zhat = ctx.forward((corrupted, clean), corrupt=False, update=False, method="decode", lowest=min(used)).outputs
        for l in used:
            terms[f"denoising_{l}"] = jnp.mean(jnp.square(zhat[f"zhat_{l}"] - clean[f"z_{l}"]))
            loss = loss + weights[l] * terms[f"denoising_{l}"]
    return loss, terms
