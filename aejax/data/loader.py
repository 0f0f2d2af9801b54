"""`load(name, split)`: a dataset split as float32 arrays in [0, 1] plus int32 labels.

The dataset is prepared once by its TFDS builder (array_record files under
$AEJAX_CACHE_DIR/tfds, default ~/.cache/aejax/tfds) and each decoded split is kept beside
it as an .npz of the raw feature arrays, so later loads read one file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from aejax.data import registry, splits
from aejax.data.builders.base import AejaxBuilder, MissingDataError

__all__ = ["Split", "load", "builder", "data_folder", "cache_dir", "DATA_DIR_ENV", "CACHE_DIR_ENV"]

DATA_DIR_ENV = "AEJAX_DATA_DIR"
CACHE_DIR_ENV = "AEJAX_CACHE_DIR"
_ARRAYS_DIR = "aejax_arrays"


class Split(NamedTuple):
    """x float32 [N, D] in [0, 1] (images flattened row-major); y int32 [N] (-1: unlabelled)."""

    x: np.ndarray
    y: np.ndarray


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """Root of aejax's prepared data: `path`, else $AEJAX_CACHE_DIR, else ~/.cache/aejax."""
    if path is None:
        path = os.environ.get(CACHE_DIR_ENV) or Path.home() / ".cache" / "aejax"
    return Path(path).expanduser()


def data_folder(name: str, data_dir: str | os.PathLike | None = None) -> Path | None:
    """The folder holding `name`'s files: `data_dir`, else $AEJAX_DATA_DIR/<name>, else None."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    root = os.environ.get(DATA_DIR_ENV)
    if root:
        return Path(root).expanduser() / name
    return None


def _candidate_folders(cls: type[AejaxBuilder], name: str) -> list[Path]:
    from_env = data_folder(name)
    return ([from_env] if from_env is not None else []) + [Path(p) for p in cls.DEFAULT_FOLDERS]


def builder(
    name: str,
    *,
    data_dir: str | os.PathLike | None = None,
    cache: str | os.PathLike | None = None,
    config: str | None = None,
) -> AejaxBuilder:
    """The prepared TFDS builder of dataset `name`, preparing it on first use.

    Files come from `data_dir` when given (it must hold them), else from $AEJAX_DATA_DIR/<name>
    or the builder's default folders when they hold them, else from the internet.
    `config` selects a builder config (e.g. "seed_1" for curves).
    """
    cls = registry.get(name)
    root = str(cache_dir(cache) / "tfds")
    config_arg = cls.make_config(config) if config is not None else None
    if not cls.EXPECTED_FILES:
        folder, searched = None, []
    elif data_dir is not None:
        folder = Path(data_dir).expanduser()
        searched = [folder]
        missing = cls.missing_files(folder)
        if missing:
            raise MissingDataError(cls.missing_message(name, searched, missing))
    else:
        searched = _candidate_folders(cls, name)
        folder = next((p for p in searched if not cls.missing_files(p)), None)
    built = cls(data_dir=root, config=config_arg, manual_folder=folder)
    if not built.is_prepared():
        with _preparation_lock(Path(root), name):  # runs started together prepare it once
            built = cls(data_dir=root, config=config_arg, manual_folder=folder)
            if not built.is_prepared():
                try:
                    built.download_and_prepare()
                except MissingDataError as err:
                    if folder is not None:
                        raise
                    raise MissingDataError(cls.missing_message(name, searched), err.reason) from err
    return built


@contextlib.contextmanager
def _preparation_lock(root: Path, name: str):
    """An exclusive lock (flock) on root/.<name>.lock, held while a dataset is prepared."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _split_arrays(built: AejaxBuilder, base: str) -> dict[str, np.ndarray]:
    """Feature arrays {feature: [N, ...]} of split `base`, decoded once and cached as .npz."""
    available = sorted(built.info.splits.keys())
    if base not in available:
        raise ValueError(f"{built.name} has splits {available}, not {base!r}.")
    path = Path(built.data_dir) / _ARRAYS_DIR / f"{base}.npz"
    if path.is_file():
        with np.load(path) as stored:
            return {key: stored[key] for key in stored.files}
    source = built.as_data_source(split=base)
    examples = source.__getitems__(range(len(source)))
    arrays = {key: np.stack([ex[key] for ex in examples]) for key in examples[0]}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial.npz")
    np.savez(partial, **arrays)
    os.replace(partial, path)
    return arrays


def _unit_float(values: np.ndarray) -> np.ndarray:
    if values.dtype == np.uint8:
        return np.divide(values, np.float32(255), dtype=np.float32)
    return values.astype(np.float32, copy=False)


def load(
    name: str,
    split: str = "train",
    *,
    data_dir: str | os.PathLike | None = None,
    cache: str | os.PathLike | None = None,
    config: str | None = None,
) -> Split:
    """Load `split` of dataset `name` as a `Split`: x float32 [N, D] in [0, 1], y int32 [N].

    `split` may carry a slice: "train[:50000]", "train[:90%]", "train[90%:]".
    `data_dir` is the folder holding the dataset's files (default $AEJAX_DATA_DIR/<name>);
    `cache` the root of prepared data (default $AEJAX_CACHE_DIR or ~/.cache/aejax).
    Images are flattened row-major; uint8 pixels are divided by 255. Unlabelled datasets
    (curves) give y = -1.
    """
    spec = splits.parse(split)
    built = builder(name, data_dir=data_dir, cache=cache, config=config)
    if "image" not in built.info.features:
        raise ValueError(f"dataset {name!r} holds {sorted(built.info.features)}, not images; load it with its own "
                         f"loader (aejax.data.{name}.load_counts for word counts).")
    arrays = _split_arrays(built, spec.base)
    images = arrays["image"]
    start, stop = splits.bounds(spec, len(images))
    x = _unit_float(images[start:stop].reshape(stop - start, -1))
    if "label" in arrays:
        y = arrays["label"][start:stop].astype(np.int32)
    else:
        y = np.full(stop - start, -1, dtype=np.int32)
    return Split(x, y)
