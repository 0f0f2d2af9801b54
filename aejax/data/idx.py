"""Reader for LeCun's IDX files (MNIST, Fashion-MNIST), gzip-compressed or raw.

An IDX file is a 4-byte magic number (two zero bytes, a dtype code, the number of
dimensions), one big-endian uint32 per dimension, then the data in C order.
Checksums are md5 of the *uncompressed* content, so a re-gzipped copy of the
published files still verifies.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import zlib
from pathlib import Path

import numpy as np

__all__ = ["IdxError", "find_file", "read_bytes", "parse", "read", "md5", "content_md5"]

# IDX dtype code -> numpy big-endian dtype.
_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class IdxError(ValueError):
    """A missing, corrupt, truncated or mis-checksummed IDX file."""


def md5(content: bytes) -> str:
    """Hex md5 digest of `content`."""
    return hashlib.md5(content).hexdigest()


def content_md5(path: Path | str) -> str:
    """Hex md5 of a file's uncompressed content (gunzipped when it starts with the gzip magic),
    read in 1 MiB chunks: the checksum `read` compares, for files of any size."""
    path = Path(path)
    digest = hashlib.md5()
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    try:
        with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise IdxError(f"{path} is a truncated or corrupt gzip file ({err}); delete it and download or copy it again.") from None
    return digest.hexdigest()


def find_file(folder: Path | str, name: str) -> Path | None:
    """Path of `name` in `folder`, as `name.gz` or raw `name`; None when neither exists.

    `name` is the uncompressed file name, e.g. "train-images-idx3-ubyte".
    """
    folder = Path(folder)
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    return None


def read_bytes(path: Path | str) -> bytes:
    """Uncompressed content of an IDX file (gunzipped when it starts with the gzip magic)."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as err:
        raise IdxError(
            f"{path} is a truncated or corrupt gzip file ({err}); "
            "delete it and download or copy it again."
        ) from None


def parse(content: bytes, *, source: str = "<bytes>") -> np.ndarray:
    """Decode uncompressed IDX `content` to a native-endian array of the stored shape."""
    if len(content) < 4 or content[:2] != b"\x00\x00":
        raise IdxError(f"{source} is not an IDX file (bad magic number {content[:4]!r}).")
    code, ndim = content[2], content[3]
    if code not in _DTYPES:
        raise IdxError(f"{source}: unknown IDX dtype code 0x{code:02x}.")
    header = 4 + 4 * ndim
    if len(content) < header:
        raise IdxError(f"{source}: truncated IDX header.")
    shape = struct.unpack(f">{ndim}I", content[4:header])
    dtype = _DTYPES[code]
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(content) != expected:
        raise IdxError(
            f"{source}: IDX header promises shape {shape} ({expected} bytes) "
            f"but the file has {len(content)} bytes; it is truncated or corrupt."
        )
    data = np.frombuffer(content, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="), copy=False)


def read(path: Path | str, *, expected_md5: str | None = None) -> np.ndarray:
    """Read an IDX file (gzip or raw), checking the md5 of its uncompressed content.

    Raises IdxError naming the file and both checksums when `expected_md5` does not match.
    """
    content = read_bytes(path)
    if expected_md5 is not None:
        actual = md5(content)
        if actual != expected_md5:
            raise IdxError(
                f"md5 mismatch for {path}: the uncompressed content has md5 {actual}, "
                f"expected {expected_md5}. The file is corrupt or a different version; "
                "replace it with the published file."
            )
    return parse(content, source=str(path))
