"""Streaming path for datasets that do not fit in device memory: tfds.data_source + grain.

`stream(name, split, batch_size=..., seed=...)` (also `aejax.data.stream`) returns a grain `IterDataset` of `Split`
batches (x float32 [B, D] in [0, 1], y int32 [B]), the same batch layout as `load`, so one
train step serves both paths. Each epoch is a fresh seeded permutation of the split cut into
full batches (the remainder is dropped), as in the on-device epoch. `iter(...)` gives a
grain `DatasetIterator` whose position `get_state()` / `set_state()` capture; save it in the
orbax checkpoint with `aejax.ckpt.Checkpoints.save(..., data_iterator=it)` and a resumed run
continues the same data order.
"""

from __future__ import annotations

import os

import grain
import jax
import numpy as np

from aejax.data import loader, splits

__all__ = ["stream", "to_split"]


def to_split(example: dict) -> loader.Split:
    """One decoded TFDS example -> Split(x float32 [D] in [0, 1], y int32 scalar; -1 unlabelled)."""
    image = np.asarray(example["image"])
    x = image.reshape(-1).astype(np.float32)
    if image.dtype == np.uint8:
        x /= np.float32(255)
    y = np.int32(example["label"]) if "label" in example else np.int32(-1)
    return loader.Split(x, y)


def stream(
    name: str,
    split: str = "train",
    *,
    batch_size: int,
    seed: int = 0,
    shuffle: bool = True,
    num_epochs: int | None = None,
    data_dir: str | os.PathLike | None = None,
    cache: str | os.PathLike | None = None,
    config: str | None = None,
    shard: tuple[int, int] | None = None,
) -> grain.IterDataset:
    """Batches of `split` of dataset `name`, read from its array_record files through grain.

    `split` may carry a slice ("train[:90%]"), resolved exactly as in `load`.
    `num_epochs=None` repeats forever. `shard=(index, count)` keeps every count-th example
    from `index` (default: this JAX process's share, so hosts read disjoint examples and
    `batch_size` is per process). Raises ValueError when a batch would not fit the shard.
    """
    spec = splits.parse(split)
    built = loader.builder(name, data_dir=data_dir, cache=cache, config=config)
    available = sorted(built.info.splits.keys())
    if spec.base not in available:
        raise ValueError(f"{built.name} has splits {available}, not {spec.base!r}.")
    source = built.as_data_source(split=spec.base)
    start, stop = splits.bounds(spec, len(source))
    index, count = (jax.process_index(), jax.process_count()) if shard is None else shard
    dataset = grain.MapDataset.source(source)[start:stop][index::count]
    if batch_size > len(dataset):
        raise ValueError(
            f"batch_size {batch_size} is larger than the {len(dataset)} examples of {split!r}"
            + (f" in shard {index} of {count}." if count > 1 else ".")
        )
    if shuffle:
        dataset = dataset.shuffle(seed=seed)  # a different permutation each epoch
    dataset = dataset.map(to_split).batch(batch_size, drop_remainder=True).repeat(num_epochs)
    return dataset.to_iter_dataset()
