"""Input corruptions for denoising autoencoders (Vincent et al. 2010, JMLR 11, section 4.2), by name.

A corruption is a pure function `fn(rng, x, level, **options) -> x_noisy` on a batch x [B, D]
(examples flattened), traced inside the jitted train step with the step's "corruption" stream
(`aejax.objectives`). Built-ins:

* "gaussian": x + sigma * N(0, 1) per element (not clipped), level = sigma;
* "masking": exactly round(nu * D) elements of each example, chosen at random, set to 0,
  level = nu;
* "salt_and_pepper": exactly round(nu * D) elements of each example, chosen at random, set to
  the data's minimum or maximum by a fair coin flip, level = nu.

Register your own; a corruption that takes `low` / `high` receives the data's range, one that
takes `example_shape` the shape of one example (e.g. (28, 28)):

    @aejax.corruption.register("cutout")
    def cutout(rng, x, level, *, example_shape):   # zero a square of side level * H per image
        ...

`make(name, level, **options)` picks one by name (config: `corruption = {name, level, **options}`,
or a name in the `denoise` task's `denoise.corruptions`); "none" (or level 0) returns None, which
`aejax.objectives` reads as "no noise".
"""
import inspect
from collections.abc import Callable

import jax
import jax.numpy as jnp

from aejax.names import registrar

Corrupt = Callable[[jax.Array, jax.Array], jax.Array]
CORRUPTIONS: dict[str, Callable] = {}
register = registrar(CORRUPTIONS)  # @register(name) on `fn(rng, x [B, D], level, **options) -> x_noisy`


def names() -> list[str]:
    """"none" and the registered corruption names."""
    return ["none", *sorted(CORRUPTIONS)]


@register("gaussian")
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


@register("masking")
def masking(rng: jax.Array, x: jax.Array, fraction: float) -> jax.Array:
    """Set a random `fraction` of each example's elements to 0: [B, D] -> [B, D]."""
    return jnp.where(chosen_elements(rng, x.shape, fraction), jnp.zeros((), x.dtype), x)


@register("salt_and_pepper")
def salt_and_pepper(rng: jax.Array, x: jax.Array, fraction: float, low: float = 0.0, high: float = 1.0) -> jax.Array:
    """Set a random `fraction` of each example's elements to `low` or `high` (fair coin):
    [B, D] -> [B, D]."""
    pick_rng, coin_rng = jax.random.split(rng)
    salt = jax.random.bernoulli(coin_rng, 0.5, x.shape)
    noise = jnp.where(salt, jnp.asarray(high, x.dtype), jnp.asarray(low, x.dtype))
    return jnp.where(chosen_elements(pick_rng, x.shape, fraction), noise, x)


def make(name: str, level: float, *, low: float = 0.0, high: float = 1.0, example_shape=None, **options) -> Corrupt | None:
    """`corrupt(rng, x)` for corruption `name` at `level` (sigma, the fraction nu, or what the
    registered function reads), None for "none" or level 0. `low` / `high`: the data's range;
    `example_shape`: one example's shape; each reaches the function only if it takes it."""
    if name not in names():
        raise ValueError(f"unknown corruption {name!r} in corruption.name; choose one of {names()} "
                         "or register one with @aejax.corruption.register(name)")
    if level < 0 or (name in ("masking", "salt_and_pepper") and level > 1):
        raise ValueError(
            f"corruption.level {level} is out of range for {name!r}: "
            "a standard deviation >= 0 for gaussian, a fraction in [0, 1] for masking and salt_and_pepper"
        )
    if name == "none" or level == 0:
        return None
    fn = CORRUPTIONS[name]
    accepted = inspect.signature(fn).parameters
    given = {"low": low, "high": high, **({} if example_shape is None else {"example_shape": tuple(example_shape)})}
    options = {**{k: v for k, v in given.items() if k in accepted}, **options}
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(f"corruption {name!r} takes no option(s) {', '.join(unknown)}; its options: "
                         f"{', '.join(k for k in list(accepted)[3:])}")
    return lambda rng, x: fn(rng, x, level, **options)


def from_config(cfg, *, low: float = 0.0, high: float = 1.0, example_shape=None) -> Corrupt | None:
    """`make(cfg.name, cfg.level, **other keys)` for a `corruption` ConfigDict."""
    options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in cfg.items() if k not in ("name", "level")}
    return make(cfg.name, float(cfg.level), low=low, high=high, example_shape=example_shape, **options)
