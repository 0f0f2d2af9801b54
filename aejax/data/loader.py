"""`load(name, split)`: a dataset split as float32 arrays in [0, 1] plus int32 labels."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from aejax.data import lecun, splits

__all__ = ["Split", "load", "data_folder"]

DATA_DIR_ENV = "AEJAX_DATA_DIR"


class Split(NamedTuple):
    """x float32 [N, D] in [0, 1] (images flattened row-major); y int32 [N]."""

    x: np.ndarray
    y: np.ndarray


def data_folder(name: str, data_dir: str | os.PathLike | None = None) -> Path | None:
    """The folder holding `name`'s files: `data_dir`, else $AEJAX_DATA_DIR/<name>, else None."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    root = os.environ.get(DATA_DIR_ENV)
    if root:
        return Path(root).expanduser() / name
    return None


_LECUN = {"mnist": lecun.MNIST}


def load(name: str, split: str = "train", *, data_dir: str | os.PathLike | None = None) -> Split:
    """Load `split` of dataset `name` ("mnist") as a `Split` of float32 x in [0, 1] and int32 y.

    `split` may carry a slice: "train[:50000]", "train[:90%]", "train[90%:]".
    `data_dir` is the folder holding the dataset's files (default $AEJAX_DATA_DIR/<name>).
    """
    if name not in _LECUN:
        raise ValueError(f"Unknown dataset {name!r}; known: {sorted(_LECUN)}.")
    spec = splits.parse(split)
    files = _LECUN[name]
    folder = data_folder(name, data_dir)
    if folder is None:
        raise lecun.MissingDataError(lecun.missing_files_message(files, None, files.file_names()))
    images, labels = lecun.read_split(files, folder, spec.base)
    start, stop = splits.bounds(spec, len(labels))
    x = images[start:stop].reshape(stop - start, -1).astype(np.float32) / np.float32(255)
    return Split(x, labels[start:stop].astype(np.int32))
