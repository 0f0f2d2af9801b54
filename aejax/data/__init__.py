"""Datasets for aejax: `load(name, split)` returns float32 arrays in [0, 1] and int32 labels."""

from aejax.data.loader import Split, data_folder, load

__all__ = ["Split", "data_folder", "load"]
