"""`load(name, split)`: a dataset split as float32 arrays in [0, 1] plus int32 labels.

The dataset is prepared once by its TFDS builder (array_record files under
$AEJAX_CACHE_DIR/tfds, default ~/.cache/aejax/tfds) and each decoded split is kept beside
it as an .npz of the raw feature arrays, so later loads read one file.

The prepared copy remembers the files it was built from (`aejax_sources.json`: path, size,
mtime and content md5 of each). Whenever a load names a data folder, its files are checked
against that record (size and mtime; the md5 only when those differ), and a prepared copy of
other files is refused with `SourceMismatchError` rather than silently used.
A prepare killed part-way leaves nothing the next one trips over: stale `incomplete.*`
folders and `.partial.npz` files are removed, under the dataset's lock, before it starts again.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import shutil
from pathlib import Path
from typing import NamedTuple

import numpy as np

from aejax.data import idx, registry, splits
from aejax.data.builders.base import AejaxBuilder, MissingDataError, SourceMismatchError
from aejax.data.folders import DATA_DIR_ENV, data_folder

__all__ = ["Split", "load", "builder", "data_folder", "cache_dir", "DATA_DIR_ENV", "CACHE_DIR_ENV", "SOURCES_FILE"]

CACHE_DIR_ENV = "AEJAX_CACHE_DIR"
_ARRAYS_DIR = "aejax_arrays"
SOURCES_FILE = "aejax_sources.json"


class Split(NamedTuple):
    """x float32 [N, D] in [0, 1] (images flattened row-major); y int32 [N] (-1: unlabelled);
    image_shape: the shape of one example before flattening (e.g. (28, 28); () if unknown)."""

    x: np.ndarray
    y: np.ndarray
    image_shape: tuple[int, ...] = ()


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """Root of aejax's prepared data: `path`, else $AEJAX_CACHE_DIR, else ~/.cache/aejax."""
    if path is None:
        path = os.environ.get(CACHE_DIR_ENV) or Path.home() / ".cache" / "aejax"
    return Path(path).expanduser()


def _candidate_folders(cls: type[AejaxBuilder], name: str) -> list[Path]:
    from_env = data_folder(name)
    return ([from_env] if from_env is not None else []) + [Path(p) for p in cls.DEFAULT_FOLDERS]


def builder(
    name: str,
    *,
    data_dir: str | os.PathLike | None = None,
    cache: str | os.PathLike | None = None,
    config: str | None = None,
    rebuild: bool = False,
) -> AejaxBuilder:
    """The prepared TFDS builder of dataset `name`, preparing it on first use.

    Files come from `data_dir` when given (it must hold them), else from $AEJAX_DATA_DIR/<name>
    or the builder's default folders when they hold them, else from the internet.
    `config` selects a builder config (e.g. "seed_1" for curves). A prepared copy is checked
    against the files of the folder found (SourceMismatchError when it was built from others);
    `rebuild` discards it and prepares the dataset again from the current files.
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
    if not built.is_prepared() or rebuild:
        with _preparation_lock(Path(root), name):  # runs started together prepare it once
            built = cls(data_dir=root, config=config_arg, manual_folder=folder)
            if rebuild and Path(built.data_path).exists():
                shutil.rmtree(built.data_path)
            if not built.is_prepared():
                _remove_stale_preparations(Path(built.data_path))
                sources = _describe_sources(cls, folder)  # every file's md5, before any example is written
                try:
                    built.download_and_prepare()
                except MissingDataError as err:
                    if folder is not None:
                        raise
                    raise MissingDataError(cls.missing_message(name, searched), err.reason) from err
                if sources is not None:
                    _write_json(Path(built.data_path) / SOURCES_FILE, {"prepared": _now(), "files": sources})
                return built
    if folder is not None and cls.EXPECTED_FILES:
        _check_sources(built, cls, folder)
    return built


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def _file_record(path: Path, md5: str) -> dict:
    stat = path.stat()
    return {"file": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "md5": md5}


def _describe_sources(cls: type[AejaxBuilder], folder: Path | None) -> dict[str, dict] | None:
    """{expected file: {file, size, mtime_ns, md5}} of the files in `folder` (None: no folder)."""
    if folder is None or not cls.EXPECTED_FILES:
        return None
    paths = {name: idx.find_file(folder, name) for name in cls.EXPECTED_FILES}
    return {name: _file_record(path, idx.content_md5(path)) for name, path in paths.items() if path is not None}


def _write_json(path: Path, value: dict) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(value, indent=1) + "\n")
    os.replace(partial, path)


def _check_sources(built: AejaxBuilder, cls: type[AejaxBuilder], folder: Path) -> None:
    """SourceMismatchError when the files in `folder` are not those `built` was prepared from.

    Size, mtime and path equal to the record: the file is taken as unchanged; otherwise its
    content md5 decides (and an equal md5 refreshes the record). A copy prepared before aejax
    kept a record adopts the current files, once they match the published checksums."""
    record_path = Path(built.data_path) / SOURCES_FILE
    record = json.loads(record_path.read_text()) if record_path.is_file() else {}
    recorded = record.get("files")
    published = cls.published_md5()
    current, changed = {}, recorded is None
    problems = []
    for name in cls.EXPECTED_FILES:
        path = idx.find_file(folder, name)
        if path is None:
            continue
        before = (recorded or {}).get(name)
        stat = path.stat()
        if before and (before["file"], before["size"], before["mtime_ns"]) == (str(path.resolve()), stat.st_size, stat.st_mtime_ns):
            current[name] = before
            continue
        current[name] = _file_record(path, idx.content_md5(path))
        expected = before["md5"] if before else published.get(name)
        if expected is not None and current[name]["md5"] != expected:
            then = (f"{expected} when the cache was prepared ({before['size']} bytes then)" if before
                    else f"{expected} published")
            problems.append(f"{path}: content md5 {current[name]['md5']} ({stat.st_size} bytes) now, {then}")
        changed = True
    if problems:
        raise SourceMismatchError(
            f"{cls.DATASET_NAME}: the prepared copy in {built.data_path} was not built from the files in {folder}: "
            f"{'; '.join(problems)}. Restore the original files, or, if these are the ones to use, prepare the "
            f"dataset again from them: aejax data prepare {cls.DATASET_NAME} --data-dir {folder} --rebuild"
        )
    if changed:
        with contextlib.suppress(OSError):  # a read-only cache stays usable; the md5s are checked again next time
            _write_json(record_path, {"prepared": record.get("prepared"), "checked": _now(), "files": current})


def _remove_stale_preparations(data_path: Path) -> None:
    """Remove what killed prepares of this dataset version left (TFDS `incomplete.*` folders);
    call with the dataset's lock held."""
    for stale in data_path.parent.glob(f"incomplete.*_{data_path.name}"):
        shutil.rmtree(stale, ignore_errors=True)


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


def _split_arrays(built: AejaxBuilder, base: str, root: Path) -> dict[str, np.ndarray]:
    """Feature arrays {feature: [N, ...]} of split `base`, decoded once and cached as .npz
    (written under the dataset's lock in `root`, after removing partial files of killed writers)."""
    available = sorted(built.info.splits.keys())
    if base not in available:
        raise ValueError(f"{built.name} has splits {available}, not {base!r}.")
    path = Path(built.data_dir) / _ARRAYS_DIR / f"{base}.npz"
    if not path.is_file():
        with _preparation_lock(root, built.DATASET_NAME):
            for stale in path.parent.glob(f".{path.stem}.*.partial.npz"):
                stale.unlink()
            if not path.is_file():
                source = built.as_data_source(split=base)
                examples = source.__getitems__(range(len(source)))
                arrays = {key: np.stack([ex[key] for ex in examples]) for key in examples[0]}
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(f".{path.stem}.{os.getpid()}.partial.npz")
                np.savez(partial, **arrays)
                os.replace(partial, path)
                return arrays
    with np.load(path) as stored:
        return {key: stored[key] for key in stored.files}


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
    """Load `split` of dataset `name` as a `Split`: x float32 [N, D] in [0, 1], y int32 [N], and the
    image shape (e.g. (28, 28)) that x.reshape((N,) + image_shape) restores.

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
    arrays = _split_arrays(built, spec.base, cache_dir(cache) / "tfds")
    images = arrays["image"]
    start, stop = splits.bounds(spec, len(images))
    x = _unit_float(images[start:stop].reshape(stop - start, -1))
    if "label" in arrays:
        y = arrays["label"][start:stop].astype(np.int32)
    else:
        y = np.full(stop - start, -1, dtype=np.int32)
    return Split(x, y, tuple(int(n) for n in images.shape[1:]))
