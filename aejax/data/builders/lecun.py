"""Shared TFDS builder for datasets in the four-file LeCun IDX layout (MNIST, Fashion-MNIST).

Features: image uint8 (28, 28), label ClassLabel. Splits: train, test. The files come from
`manual_folder` (gzip or raw) or, when no folder is given, from the TFDS download manager;
either way every file's uncompressed md5 is checked before any example of any split is written.
"""

from __future__ import annotations

import socket
import urllib.parse
from typing import ClassVar

import numpy as np
import tensorflow_datasets as tfds

from aejax.data import idx, lecun
from aejax.data.builders.base import AejaxBuilder, MissingDataError

__all__ = ["LecunBuilder", "connection_error"]


def connection_error(url: str, timeout: float = 5.0) -> str | None:
    """None when a TCP connection to `url`'s host opens within `timeout` seconds, else why not."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as err:
        return f"cannot reach {parts.hostname}:{port} ({err})"
    return None


class LecunBuilder(AejaxBuilder, skip_registration=True):
    """Builder for a LeCun-format dataset described by the class attribute SPEC."""

    SPEC: ClassVar[lecun.LecunFiles]
    CLASS_NAMES: ClassVar[tuple[str, ...]] = tuple(str(i) for i in range(10))
    DESCRIPTION: ClassVar[str] = ""
    HOMEPAGE: ClassVar[str] = ""
    CITATION: ClassVar[str] = ""

    def _info(self) -> tfds.core.DatasetInfo:
        return tfds.core.DatasetInfo(
            builder=self,
            description=self.DESCRIPTION,
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Tensor(shape=(28, 28), dtype=np.uint8),
                    "label": tfds.features.ClassLabel(names=list(self.CLASS_NAMES)),
                }
            ),
            supervised_keys=("image", "label"),
            disable_shuffling=True,  # keep the files' example order (train[:50000] is the usual split)
            homepage=self.HOMEPAGE,
            citation=self.CITATION,
        )

    @classmethod
    def published_md5(cls) -> dict[str, str]:
        return dict(cls.SPEC.md5)

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        paths = self._local_paths() if self.manual_folder is not None else self._download(dl_manager)
        arrays = {split: lecun.read_split(self.SPEC, split, paths) for split in self.SPEC.files}  # all md5s first
        return {split: self._generate_examples(*arrays[split]) for split in self.SPEC.files}

    def _local_paths(self) -> dict[str, object]:
        missing = self.missing_files(self.manual_folder)
        if missing:
            raise MissingDataError(self.missing_message(self.DATASET_NAME, [self.manual_folder], missing))
        return {name: idx.find_file(self.manual_folder, name) for name in self.SPEC.file_names()}

    def _download(self, dl_manager: tfds.download.DownloadManager) -> dict[str, object]:
        unreachable = connection_error(next(iter(self.SPEC.urls.values())))
        if unreachable is not None:  # fail at once instead of after minutes of download retries
            raise MissingDataError(self.missing_message(self.DATASET_NAME, []), f"no internet: {unreachable}")
        try:
            return dl_manager.download(dict(self.SPEC.urls))
        except Exception as err:  # no network, proxy, HTTP error: all mean "no files"
            reason = f"the download failed: {type(err).__name__}: {err}"
            raise MissingDataError(self.missing_message(self.DATASET_NAME, []), reason) from err

    def _generate_examples(self, images: np.ndarray, labels: np.ndarray):
        for i, (image, label) in enumerate(zip(images, labels)):
            yield i, {"image": image, "label": int(label)}
