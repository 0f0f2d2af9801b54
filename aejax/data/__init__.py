"""Datasets for aejax: `load(name, split)` returns float32 arrays in [0, 1] and int32 labels.

Datasets are TFDS builders (array_record files, no TensorFlow) registered by name in
`aejax.data.registry`.
"""

import importlib

# Loaded on first use, so that `aejax --help` and `aejax list` (which add the `aejax data`
# commands) import no TFDS builder (about a second).
_HOMES = {"MissingDataError": "aejax.data.builders.base", "SourceMismatchError": "aejax.data.builders.base",
          "Split": "aejax.data.loader", "builder": "aejax.data.loader", "cache_dir": "aejax.data.loader",
          "data_folder": "aejax.data.folders", "load": "aejax.data.loader"}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'aejax.data' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
