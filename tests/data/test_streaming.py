import numpy as np
import pytest

from aejax import ckpt, data
from aejax.data import streaming

pytestmark = pytest.mark.usefixtures("isolated_cache")


def rows_of(batch, reference):
    """Index in `reference.x` of every row of `batch.x` (each must appear exactly once there)."""
    matches = [np.flatnonzero((reference.x == row).all(axis=1)) for row in batch.x]
    assert all(len(m) == 1 for m in matches)
    return np.array([m[0] for m in matches])


def test_batches_are_shuffled_full_epochs_of_the_split(tiny):
    folder, _ = tiny
    full = data.load("tiny", "train[:35]", data_dir=folder)
    iterator = iter(streaming.stream("tiny", "train[:35]", batch_size=8, seed=1, num_epochs=2, data_dir=folder))
    batches = list(iterator)
    assert len(batches) == 2 * (35 // 8)  # remainder of each epoch dropped
    first = batches[0]
    assert first.x.shape == (8, 784) and first.x.dtype == np.float32 and first.y.dtype == np.int32
    epochs = [np.concatenate([rows_of(b, full) for b in batches[i * 4 : (i + 1) * 4]]) for i in range(2)]
    np.testing.assert_array_equal(first.y, full.y[epochs[0][:8]])
    for rows in epochs:
        assert len(set(rows)) == 32  # no repeats within an epoch
    assert not np.array_equal(epochs[0], epochs[1])  # a fresh permutation per epoch
    assert not np.array_equal(epochs[0], np.arange(32))


def test_unshuffled_stream_follows_the_file_order(tiny):
    folder, _ = tiny
    full = data.load("tiny", "test", data_dir=folder)
    batches = list(streaming.stream("tiny", "test", batch_size=5, shuffle=False, num_epochs=1, data_dir=folder))
    np.testing.assert_array_equal(np.concatenate([b.x for b in batches]), full.x)
    np.testing.assert_array_equal(np.concatenate([b.y for b in batches]), full.y)


def test_same_seed_same_order_other_seed_other_order(tiny):
    folder, _ = tiny

    def first_rows(seed):
        it = iter(streaming.stream("tiny", batch_size=10, seed=seed, data_dir=folder))
        return np.concatenate([next(it).x for _ in range(3)])

    np.testing.assert_array_equal(first_rows(4), first_rows(4))
    assert not np.array_equal(first_rows(4), first_rows(5))


def test_iterator_position_survives_an_orbax_checkpoint(tiny, tmp_path):
    folder, _ = tiny
    dataset = streaming.stream("tiny", batch_size=6, seed=2, data_dir=folder)
    iterator = iter(dataset)
    for _ in range(9):  # past the first epoch boundary (40 // 6 = 6 batches per epoch)
        next(iterator)
    checkpoints = ckpt.Checkpoints(tmp_path / "ckpt")
    checkpoints.save(9, {"w": np.zeros(3, np.float32)}, {"epoch": 1}, data_iterator=iterator)
    expected = [next(iterator).x for _ in range(5)]

    resumed = iter(dataset)
    state, meta = checkpoints.restore({"w": np.zeros(3, np.float32)}, data_iterator=resumed)
    assert meta == {"epoch": 1}
    for want in expected:
        np.testing.assert_array_equal(next(resumed).x, want)
    checkpoints.close()


def test_process_shards_are_disjoint_and_cover_the_split(tiny):
    folder, _ = tiny
    full = data.load("tiny", data_dir=folder)
    rows = [
        np.concatenate([rows_of(b, full) for b in streaming.stream(
            "tiny", batch_size=4, seed=0, num_epochs=1, shard=(i, 2), data_dir=folder)])
        for i in range(2)
    ]
    assert len(rows[0]) == len(rows[1]) == 20
    assert sorted(np.concatenate(rows)) == list(range(40))


def test_package_exposes_stream_lazily():
    assert data.stream is streaming.stream


def test_batch_larger_than_split_is_an_error(tiny):
    with pytest.raises(ValueError, match="batch_size 50 is larger than the 40 examples"):
        streaming.stream("tiny", batch_size=50, data_dir=tiny[0])
