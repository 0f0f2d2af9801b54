"""Saved files that are checked when read back: a JSON file carries the SHA-256 of its own
content and of every other file it needs, and reading it refuses any mismatch, naming the file.

    write_sealed(path, meta, needs=[...])   # meta + {"sha256": ..., "files": {name: sha256}}
    meta = read_sealed(path)                # checks the JSON's own digest and each needed file
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

CHUNK = 1 << 20


class CorruptFileError(ValueError):
    """A saved file that is missing, truncated or changed since it was written."""


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _content_digest(meta: dict) -> str:
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()


def files_under(directory: Path, *, skip: tuple[str, ...] = ()) -> list[str]:
    """Every file below `directory` (recursively) as a sorted relative POSIX path, but `skip`."""
    return sorted(p.relative_to(directory).as_posix() for p in Path(directory).rglob("*")
                  if p.is_file() and p.relative_to(directory).as_posix() not in skip)


def write_sealed(path, meta: dict, *, needs=()) -> None:
    """Writes `meta` to `path` as JSON with the SHA-256 of each file in `needs` (paths relative
    to path's folder) and of the content itself."""
    path = Path(path)
    sealed = {**meta, "files": {name: file_digest(path.parent / name) for name in needs}}
    sealed["sha256"] = _content_digest(sealed)
    path.write_text(json.dumps(sealed, indent=1) + "\n")


def read_sealed(path) -> dict:
    """The JSON of `path` (without its digests) after checking its own digest and that of every
    file it lists; CorruptFileError naming the file otherwise."""
    path = Path(path)
    try:
        sealed = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CorruptFileError(f"{path} is corrupt ({err}); fit the detector again") from None
    if not isinstance(sealed, dict) or "sha256" not in sealed or "files" not in sealed:
        raise CorruptFileError(f"{path} carries no checksums (written by an older aejax, or edited); "
                               "fit the detector again")
    stated = sealed.pop("sha256")
    if _content_digest(sealed) != stated:
        raise CorruptFileError(f"{path} was changed after it was written (its SHA-256 does not match); "
                               "fit the detector again")
    for name, digest in sealed["files"].items():
        needed = path.parent / name
        if not needed.is_file():
            raise CorruptFileError(f"{needed} is missing; {path.name} needs it. Fit the detector again")
        found = file_digest(needed)
        if found != digest:
            raise CorruptFileError(f"{needed} is corrupt: SHA-256 {found[:16]}... where {path.name} recorded "
                                   f"{digest[:16]}...; fit the detector again")
    del sealed["files"]
    return sealed
