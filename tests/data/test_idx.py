import gzip
import struct

import numpy as np
import pytest

from aejax.data import idx


def idx_bytes(array: np.ndarray) -> bytes:
    """Hand-built IDX encoding of a uint8 array (magic 0x0000 08 ndim, big-endian dims, data)."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, size=(5, 3, 4), dtype=np.uint8)


@pytest.mark.parametrize("compress", [False, True])
def test_read_returns_exact_array(tmp_path, images, compress):
    content = idx_bytes(images)
    path = tmp_path / ("x.gz" if compress else "x")
    path.write_bytes(gzip.compress(content) if compress else content)
    out = idx.read(path, expected_md5=idx.md5(content))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, images)


def test_parse_int32_is_big_endian():
    content = bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 2) + struct.pack(">2i", 1, -70000)
    np.testing.assert_array_equal(idx.parse(content), [1, -70000])


def test_md5_mismatch_names_file_and_both_checksums(tmp_path, images):
    path = tmp_path / "x"
    path.write_bytes(idx_bytes(images))
    wrong = "0" * 32
    with pytest.raises(idx.IdxError) as err:
        idx.read(path, expected_md5=wrong)
    message = str(err.value)
    assert str(path) in message and wrong in message and idx.md5(idx_bytes(images)) in message


def test_truncated_gzip_is_a_clear_error(tmp_path, images):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(idx_bytes(images))[:-20])
    with pytest.raises(idx.IdxError, match="truncated or corrupt gzip"):
        idx.read(path)


def test_truncated_raw_file_is_a_clear_error(tmp_path, images):
    path = tmp_path / "x"
    path.write_bytes(idx_bytes(images)[:-1])
    with pytest.raises(idx.IdxError, match="truncated"):
        idx.read(path)


def test_find_file_prefers_gzip_and_accepts_raw(tmp_path):
    assert idx.find_file(tmp_path, "a") is None
    (tmp_path / "a").write_bytes(b"")
    assert idx.find_file(tmp_path, "a") == tmp_path / "a"
    (tmp_path / "a.gz").write_bytes(b"")
    assert idx.find_file(tmp_path, "a") == tmp_path / "a.gz"
