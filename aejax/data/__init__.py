"""Datasets for aejax: `load(name, split)` returns float32 arrays in [0, 1] and int32 labels.

Datasets are TFDS builders (array_record files, no TensorFlow) registered by name in
`aejax.data.registry`; `aejax.data.stream` (aejax/data/streaming.py) feeds larger ones through grain.
"""

from aejax.data.builders.base import MissingDataError, SourceMismatchError
from aejax.data.loader import Split, builder, cache_dir, data_folder, load

__all__ = ["MissingDataError", "SourceMismatchError", "Split", "builder", "cache_dir", "data_folder", "load", "stream"]


def __getattr__(name: str):
    # `stream` imports grain (about a second), so it is loaded on first use only.
    if name == "stream":
        from aejax.data.streaming import stream

        return stream
    raise AttributeError(f"module 'aejax.data' has no attribute {name!r}")
