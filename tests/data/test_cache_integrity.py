"""Reliability of the prepared-data cache (issue 13, items 1 and 6): a warm cache never masks
the files it was built from, a killed prepare leaves nothing behind, and every source file is
checked before any split is generated."""
import gzip
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from aejax import data
from aejax.data import idx, loader
from aejax.data.builders import lecun as lecun_builder

pytestmark = pytest.mark.usefixtures("isolated_cache")
REPO = Path(__file__).resolve().parents[2]
IMAGES, TEST_IMAGES, LABELS = "train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"


def _content(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def _warm(folder: Path) -> np.ndarray:
    """Prepare "tiny" from `folder` and return its training images."""
    return data.load("tiny", "train", data_dir=folder).x


def _bit_flip(folder: Path) -> None:
    content = bytearray(_content(folder / IMAGES))
    content[-1] ^= 0x01  # one pixel of the last image, same size, valid IDX
    (folder / IMAGES).write_bytes(gzip.compress(bytes(content)))


def _wrong(folder: Path) -> None:
    content = bytearray(_content(folder / IMAGES))
    content[16:] = np.random.default_rng(7).integers(0, 256, len(content) - 16, dtype=np.uint8).tobytes()
    (folder / IMAGES).write_bytes(gzip.compress(bytes(content)))  # another valid image file


def _swapped(folder: Path) -> None:
    train, test = (folder / IMAGES).read_bytes(), (folder / TEST_IMAGES).read_bytes()
    (folder / IMAGES).write_bytes(test)
    (folder / TEST_IMAGES).write_bytes(train)


@pytest.mark.parametrize("corrupt, named", [(_bit_flip, [IMAGES]), (_wrong, [IMAGES]), (_swapped, [IMAGES, TEST_IMAGES])])
def test_warm_cache_refuses_changed_source_files(tiny, corrupt, named):
    folder, _ = tiny
    expected = _warm(folder)
    before = {name: (folder / name).read_bytes() for name in (IMAGES, TEST_IMAGES)}
    old_md5 = {name: idx.md5(_content(folder / name)) for name in named}
    corrupt(folder)
    with pytest.raises(data.SourceMismatchError) as err:
        data.load("tiny", "train", data_dir=folder)
    message = str(err.value)
    for name in named:
        assert str(folder / name) in message
        assert old_md5[name] in message and idx.md5(_content(folder / name)) in message
    assert "--rebuild" in message
    for name, content in before.items():  # the original files again (new mtimes): accepted by md5
        (folder / name).write_bytes(content)
    np.testing.assert_array_equal(data.load("tiny", "train", data_dir=folder).x, expected)


def test_warm_cache_refuses_a_truncated_source_file(tiny):
    folder, _ = tiny
    _warm(folder)
    path = folder / LABELS
    path.write_bytes(path.read_bytes()[:-8])
    with pytest.raises(idx.IdxError, match=f"{path}.*truncated or corrupt"):
        data.load("tiny", "train", data_dir=folder)


def test_cache_is_checked_when_the_folder_comes_from_aejax_data_dir(tiny, tmp_path, monkeypatch):
    folder, _ = tiny
    root = tmp_path / "root"
    root.mkdir()
    (root / "tiny").symlink_to(folder)
    monkeypatch.setenv("AEJAX_DATA_DIR", str(root))
    _warm(folder)
    _wrong(folder)
    with pytest.raises(data.SourceMismatchError, match=IMAGES):
        data.load("tiny", "train")


def test_unchanged_files_are_not_read_again(tiny, monkeypatch):
    """Size, mtime and path unchanged: no md5 is computed (a warm load stays cheap)."""
    folder, _ = tiny
    _warm(folder)
    monkeypatch.setattr(idx, "content_md5", lambda path: pytest.fail(f"md5 of {path} computed"))
    data.load("tiny", "test", data_dir=folder)


def test_rebuild_prepares_again_and_checks_the_files(tiny):
    folder, _ = tiny
    expected = _warm(folder)
    _bit_flip(folder)
    with pytest.raises(idx.IdxError, match="md5 mismatch"):  # the builder's own published-md5 check
        data.builder("tiny", data_dir=folder, rebuild=True)
    _bit_flip(folder)  # flipped back: the original content
    data.builder("tiny", data_dir=folder, rebuild=True)
    np.testing.assert_array_equal(data.load("tiny", "train", data_dir=folder).x, expected)


def test_cache_prepared_without_a_record_adopts_files_with_the_published_md5(tiny):
    folder, _ = tiny
    built = data.builder("tiny", data_dir=folder)
    record = Path(built.data_path) / loader.SOURCES_FILE
    record.unlink()  # as prepared by an aejax that kept no record
    _wrong(folder)
    with pytest.raises(data.SourceMismatchError, match="published"):
        data.load("tiny", "train", data_dir=folder)
    assert not record.exists()


def test_every_source_md5_is_checked_before_any_split_is_generated(tiny, monkeypatch):
    """A bad test-split file fails the prepare before one training example is written."""
    folder, _ = tiny
    path = folder / "t10k-labels-idx1-ubyte.gz"
    content = bytearray(_content(path))
    content[-1] = (content[-1] + 1) % 10
    path.write_bytes(gzip.compress(bytes(content)))
    events = []
    read_split, generate = lecun_builder.lecun.read_split, lecun_builder.LecunBuilder._generate_examples

    def spy_read(spec, split, paths):
        events.append(f"read {split}")
        return read_split(spec, split, paths)

    def spy_generate(self, *args):
        for example in generate(self, *args):
            events.append("example")
            yield example

    monkeypatch.setattr(lecun_builder.lecun, "read_split", spy_read)
    monkeypatch.setattr(lecun_builder.LecunBuilder, "_generate_examples", spy_generate)
    with pytest.raises(idx.IdxError, match="md5 mismatch"):
        data.load("tiny", data_dir=folder)
    assert events == ["read train", "read test"]


KILL_AT = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    from aejax.data import loader
    from aejax.data.builders import digits
    where = sys.argv[1]
    if where == "generate":
        generate = digits.AejaxDigits._generate_examples
        def killing(self, *args):
            for i, example in enumerate(generate(self, *args)):
                if i == 100:
                    os.kill(os.getpid(), signal.SIGKILL)
                yield example
        digits.AejaxDigits._generate_examples = killing
    else:
        def killing_savez(path, **arrays):
            open(path, "wb").close()
            os.kill(os.getpid(), signal.SIGKILL)
        loader.np.savez = killing_savez
    loader.load("digits", "train")
""")


def _killed(where: str, cache: Path) -> None:
    env = {**os.environ, "AEJAX_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", KILL_AT, where], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == -9, proc.stderr[-2000:]


def test_killed_prepares_leave_no_incomplete_folders_or_partial_files(isolated_cache):
    _killed("generate", isolated_cache)
    assert list(isolated_cache.glob("tfds/aejax_digits/incomplete.*")), "the kill left no incomplete folder to clean"
    built = data.builder("digits")
    assert not list(isolated_cache.glob("tfds/aejax_digits/incomplete.*"))
    _killed("savez", isolated_cache)
    arrays = Path(built.data_path) / "aejax_arrays"
    assert [p.stat().st_size for p in arrays.glob(".train.*.partial.npz")] == [0]
    train = data.load("digits", "train")
    assert len(train.y) == 1500
    assert sorted(p.name for p in arrays.iterdir()) == ["train.npz"]
    assert not list(isolated_cache.rglob("*partial*"))
