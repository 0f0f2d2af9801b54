"""The four-file LeCun IDX layout shared by MNIST and Fashion-MNIST.

A `LecunFiles` names the files of one dataset per split, the md5 of each file's
uncompressed content and the URL of each file's .gz. `read_split` turns the image and label
files of one split into uint8 images [N, 28, 28] and uint8 labels [N].
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from aejax.data import idx

__all__ = ["LecunFiles", "read_split"]


@dataclasses.dataclass(frozen=True)
class LecunFiles:
    """`files[split] = (images file, labels file)` (uncompressed names); `md5[file]`; `urls[file]`."""

    files: dict[str, tuple[str, str]]
    md5: dict[str, str]
    urls: dict[str, str]

    def file_names(self) -> tuple[str, ...]:
        return tuple(f for pair in self.files.values() for f in pair)


def read_split(spec: LecunFiles, split: str, paths: dict[str, Path | str]) -> tuple[np.ndarray, np.ndarray]:
    """Images uint8 [N, 28, 28] and labels uint8 [N] of `split`.

    `paths` maps each file name of `spec` to a local copy (gzip or raw, any file name, e.g.
    a download); the md5 of each file's uncompressed content must match `spec`.
    """
    images_name, labels_name = spec.files[split]
    images = idx.read(paths[images_name], expected_md5=spec.md5[images_name])
    labels = idx.read(paths[labels_name], expected_md5=spec.md5[labels_name])
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise idx.IdxError(
            f"{paths[images_name]} and {paths[labels_name]}: images {images.shape} and labels "
            f"{labels.shape} do not form one dataset split."
        )
    return images, labels
