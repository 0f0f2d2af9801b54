"""Base class of aejax's TFDS builders: array_record files, no TensorFlow needed.

Subclasses define `_info`, `_split_generators` and `_generate_examples` as for any
`tfds.core.GeneratorBasedBuilder`. Builders that read local files list them in
`EXPECTED_FILES` (uncompressed names; `.gz` copies are accepted too) and receive the folder
holding them as `manual_folder` (None: download them with the TFDS download manager).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import tensorflow_datasets as tfds

from aejax.data import idx

__all__ = ["AejaxBuilder", "MissingDataError", "SourceMismatchError"]


class MissingDataError(FileNotFoundError):
    """A dataset's files are not in the folder searched and could not be downloaded.

    `reason`: why the download route failed, when it was tried (else None).
    """

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message if reason is None else f"{message} ({reason})")
        self.reason = reason


class SourceMismatchError(ValueError):
    """A prepared dataset was built from other files than those in the data folder now."""


class AejaxBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """A GeneratorBasedBuilder writing array_record files, optionally fed from a local folder."""

    DATASET_NAME: ClassVar[str] = ""  # the registry name, set by `registry.register`
    EXPECTED_FILES: ClassVar[tuple[str, ...]] = ()
    DEFAULT_FOLDERS: ClassVar[tuple[str, ...]] = ()
    DOWNLOAD_HINT: ClassVar[str] = ""

    def __init__(self, *, manual_folder: str | Path | None = None, **kwargs):
        kwargs.setdefault("file_format", "array_record")
        self.manual_folder = None if manual_folder is None else Path(manual_folder)
        super().__init__(**kwargs)

    @tfds.core.utils.classproperty
    @classmethod
    def code_path(cls) -> None:
        """No TFDS checksums file: aejax checks each file's content md5 itself.

        (The inherited property of TFDS 4.9.10 touches `importlib_resources`, a package TFDS
        requires only on Python < 3.9, so it fails where that package is absent.)
        """
        return None

    @classmethod
    def make_config(cls, config: str):
        """The builder config named `config` (subclasses may build configs from the name)."""
        return config

    def is_prepared(self) -> bool:
        """Whether the prepared files of this version and config are in the cache."""
        return self.data_path.joinpath("dataset_info.json").exists()

    @classmethod
    def published_md5(cls) -> dict[str, str]:
        """{expected file: md5 of its uncompressed content} as published with the dataset ({}: none)."""
        return {}

    @classmethod
    def missing_files(cls, folder: str | Path) -> list[str]:
        """The entries of EXPECTED_FILES found neither raw nor gzipped in `folder`."""
        return [name for name in cls.EXPECTED_FILES if idx.find_file(folder, name) is None]

    @classmethod
    def missing_message(cls, dataset: str, searched: list[Path], missing: list[str] | None = None) -> str:
        """Error text naming the folders searched, the expected files, the flag/variable and the download route."""
        where = (
            f"Searched {', '.join(repr(str(p)) for p in searched)}."
            if searched
            else "No data folder was given (--data-dir and AEJAX_DATA_DIR unset)."
        )
        names = ", ".join(f"{f}[.gz]" for f in cls.EXPECTED_FILES)
        lacking = f" Missing: {', '.join(missing)}." if missing else ""
        return (
            f"{dataset}: data files not found. {where}{lacking} Expected the files {names} "
            f"in one folder. Pass that folder with --data-dir DIR (config.data.data_dir), or set "
            f"AEJAX_DATA_DIR to a root folder holding a '{dataset}/' folder. Alternatively, on a machine "
            f"with internet, leave both unset and aejax downloads the files{cls.DOWNLOAD_HINT}."
        )
