"""Input corruptions for denoising autoencoders (Vincent et al. 2010, JMLR 11, section 4.2).

Each corruption is a pure function `corrupt(rng, x) -> x_noisy` on a batch x [B, D], traced
inside the jitted train step with that step's RNG key:

* "gaussian": x + sigma * N(0, 1) per element (not clipped), level = sigma;
* "masking": exactly round(nu * D) elements of each example, chosen at random, set to 0,
  level = nu;
* "salt_and_pepper": exactly round(nu * D) elements of each example, chosen at random, set to
  the data's minimum or maximum by a fair coin flip, level = nu.

`make(name, level)` picks one by name (config: `corruption.name`, `corruption.level`);
"none" (or level 0) returns None, which `aejax.objectives.reconstruction` reads as "no noise".
"""
from collections.abc import Callable

import jax
import jax.numpy as jnp

Corrupt = Callable[[jax.Array, jax.Array], jax.Array]

NAMES = ("none", "gaussian", "masking", "salt_and_pepper")


def gaussian(rng: jax.Array, x: jax.Array, sigma: float) -> jax.Array:
    """Additive isotropic Gaussian noise of standard deviation `sigma`: [B, D] -> [B, D]."""
    return x + jnp.asarray(sigma, x.dtype) * jax.random.normal(rng, x.shape, x.dtype)


def chosen_elements(rng: jax.Array, shape: tuple[int, int], fraction: float) -> jax.Array:
    """Boolean [B, D] mask with exactly round(fraction * D) True entries per row, at random."""
    batch, dim = shape
    count = int(round(fraction * dim))
    if count == 0:
        return jnp.zeros(shape, bool)
    _, idx = jax.lax.top_k(jax.random.uniform(rng, shape), count)
    return jnp.zeros(shape, bool).at[jnp.arange(batch)[:, None], idx].set(True)


def masking(rng: jax.Array, x: jax.Array, fraction: float) -> jax.Array:
    """Set a random `fraction` of each example's elements to 0: [B, D] -> [B, D]."""
    return jnp.where(chosen_elements(rng, x.shape, fraction), jnp.zeros((), x.dtype), x)


def salt_and_pepper(rng: jax.Array, x: jax.Array, fraction: float, low: float = 0.0, high: float = 1.0) -> jax.Array:
    """Set a random `fraction` of each example's elements to `low` or `high` (fair coin):
    [B, D] -> [B, D]."""
    pick_rng, coin_rng = jax.random.split(rng)
    salt = jax.random.bernoulli(coin_rng, 0.5, x.shape)
    noise = jnp.where(salt, jnp.asarray(high, x.dtype), jnp.asarray(low, x.dtype))
    return jnp.where(chosen_elements(pick_rng, x.shape, fraction), noise, x)


def make(name: str, level: float, *, low: float = 0.0, high: float = 1.0) -> Corrupt | None:
    """`corrupt(rng, x)` for corruption `name` at `level` (sigma, or the fraction nu);
    None for "none" or level 0. `low` / `high` are the data's range (salt-and-pepper values)."""
    if name not in NAMES:
        raise ValueError(f"unknown corruption {name!r} in corruption.name; choose one of {list(NAMES)}")
    if level < 0 or (name in ("masking", "salt_and_pepper") and level > 1):
        raise ValueError(
            f"corruption.level {level} is out of range for {name!r}: "
            "a standard deviation >= 0 for gaussian, a fraction in [0, 1] for masking and salt_and_pepper"
        )
    if name == "none" or level == 0:
        return None
    if name == "gaussian":
        return lambda rng, x: gaussian(rng, x, level)
    if name == "masking":
        return lambda rng, x: masking(rng, x, level)
    return lambda rng, x: salt_and_pepper(rng, x, level, low, high)


def from_config(cfg, *, low: float = 0.0, high: float = 1.0) -> Corrupt | None:
    """`make(cfg.name, cfg.level, ...)` for a `corruption` ConfigDict (name, level)."""
    return make(cfg.name, float(cfg.level), low=low, high=high)
