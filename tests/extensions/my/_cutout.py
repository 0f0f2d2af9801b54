"""Corruption "cutout": a square of side level * H at a random place of each image set to 0."""
import jax
import jax.numpy as jnp

from aejax import corruption


@corruption.register("cutout")
def cutout(rng, x, level, *, example_shape):
    height, width = example_shape
    side = int(round(level * height))
    top, left = (jax.random.randint(k, (x.shape[0], 1, 1), 0, n - side + 1) for k, n in zip(jax.random.split(rng), (height, width)))
    rows, cols = jnp.arange(height)[:, None], jnp.arange(width)[None, :]
    inside = (rows >= top) & (rows < top + side) & (cols >= left) & (cols < left + side)
    return jnp.where(inside.reshape(x.shape), 0.0, x)
