"""aejax: autoencoders in JAX/Flax, with reproduced paper runs."""

__version__ = "0.1.0"
