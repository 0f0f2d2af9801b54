"""The four-file LeCun IDX layout shared by MNIST and Fashion-MNIST.

A `LecunFiles` names the files of one dataset, the md5 of each file's uncompressed
content and the URL each can be downloaded from. `read_split` turns a local folder of
those files into uint8 images [N, 28, 28] and uint8 labels [N].
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np

from aejax.data import idx

__all__ = ["LecunFiles", "MissingDataError", "MNIST", "read_split", "missing_files_message"]


class MissingDataError(FileNotFoundError):
    """A dataset's files are not in the folder searched."""


@dataclasses.dataclass(frozen=True)
class LecunFiles:
    """File names (uncompressed), md5 of the uncompressed content and download URLs.

    `files[split] = (images file, labels file)`; `md5[file]`; `urls[file]` (of the .gz).
    """

    name: str
    files: dict[str, tuple[str, str]]
    md5: dict[str, str]
    urls: dict[str, str]

    def file_names(self) -> list[str]:
        return [f for pair in self.files.values() for f in pair]


_MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
MNIST = LecunFiles(
    name="mnist",
    files={
        "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    },
    md5={
        "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    },
    urls={
        f: f"{_MNIST_URL}{f}.gz"
        for f in (
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte",
        )
    },
)


def missing_files_message(spec: LecunFiles, folder: Path | str | None, missing: list[str]) -> str:
    """Error text naming the folder searched, the expected files, the flag/variable and the download route."""
    where = f"in {os.fspath(folder)!r}" if folder is not None else "(no data folder was given)"
    names = ", ".join(f"{f}[.gz]" for f in spec.file_names())
    return (
        f"{spec.name}: missing {', '.join(missing)} {where}. Expected the files {names} in one folder. "
        f"Point aejax at that folder with --data-dir DIR (config.data.data_dir) or set "
        f"AEJAX_DATA_DIR to a root holding a '{spec.name}/' folder; or, on a machine with internet, "
        f"leave both unset and aejax downloads the files ({spec.urls[spec.file_names()[0]].rsplit('/', 1)[0]}/...)."
    )


def read_split(spec: LecunFiles, folder: Path | str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images uint8 [N, 28, 28] and labels uint8 [N] of `split` from the files in `folder`.

    Checks each file's md5 (uncompressed content) and that images and labels agree in N.
    """
    if split not in spec.files:
        raise ValueError(f"{spec.name} has splits {sorted(spec.files)}, not {split!r}.")
    paths = [idx.find_file(folder, f) for f in spec.files[split]]
    missing = [f for f, p in zip(spec.files[split], paths) if p is None]
    if missing:
        raise MissingDataError(missing_files_message(spec, folder, missing))
    images, labels = (idx.read(p, expected_md5=spec.md5[f]) for f, p in zip(spec.files[split], paths))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise idx.IdxError(
            f"{spec.name} {split}: images {images.shape} and labels {labels.shape} do not form a dataset."
        )
    return images, labels
