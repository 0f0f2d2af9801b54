"""Where a dataset's source files live: a given folder, else $AEJAX_DATA_DIR/<name>."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DATA_DIR_ENV", "data_folder"]

DATA_DIR_ENV = "AEJAX_DATA_DIR"


def data_folder(name: str, data_dir: str | os.PathLike | None = None) -> Path | None:
    """The folder holding `name`'s files: `data_dir`, else $AEJAX_DATA_DIR/<name>, else None."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    root = os.environ.get(DATA_DIR_ENV)
    if root:
        return Path(root).expanduser() / name
    return None
