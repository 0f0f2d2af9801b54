"""Hyper-parameters sized to the data: MLP widths from the number of features, batch size and
epochs from the number of rows, so that no configuration trains a handful of steps unnoticed.

`size_to_data(cfg, rows, features)` returns the changed config and one note per change or
warning; `aejax anomaly fit` prints the notes and writes them into its report.
"""

from __future__ import annotations

import math

from ml_collections import ConfigDict


def mlp_widths(features: int) -> tuple[int, ...]:
    """Hidden widths for `features` inputs: a first layer of features / 2 (8 to 128 units), a
    middle layer of half that when there are 64 or more features, and a code of features / 10
    (at least 2, at most features - 1). ADBench's 6 to 21 features give (8, 2), KDD's 120 one-hot
    and numeric features (60, 30, 12) (the registered runs use (8, 2) and (60, 30, 10))."""
    if features < 2:
        raise ValueError(f"an autoencoder needs at least 2 features, the data has {features}")
    first = min(128, max(8, features // 2))
    code = min(features - 1, max(2, round(features / 10)))
    return (first, first // 2, code) if features >= 64 else (first, code)


def size_to_data(cfg: ConfigDict, rows: int, features: int) -> tuple[ConfigDict, list[str]]:
    """A copy of `cfg` with widths, batch size and epochs sized to `rows` training examples of
    `features` values (windows count as rows), and notes saying what changed and why."""
    cfg = ConfigDict(cfg.to_dict())
    sizing, notes = cfg.sizing, []
    if rows < sizing.min_rows:
        raise ValueError(f"{rows} training rows are too few to fit a detector (at least {sizing.min_rows})")
    if cfg.model.kind == "mlp" and sizing.widths == "data":
        widths = mlp_widths(features)
        if tuple(widths) != tuple(cfg.model.hidden):
            notes.append(f"model.hidden {tuple(cfg.model.hidden)} -> {widths} for {features} features")
            cfg.model.hidden = widths
    batch = min(cfg.train.batch_size, max(8, rows // sizing.min_batches))
    if batch != cfg.train.batch_size:
        notes.append(f"train.batch_size {cfg.train.batch_size} -> {batch}, so that {rows} rows make at least "
                     f"{min(sizing.min_batches, rows // 8)} batches per epoch")
        cfg.train.batch_size = batch
    per_epoch = rows // batch
    epochs = max(cfg.train.epochs, min(sizing.max_epochs, math.ceil(sizing.min_steps / per_epoch)))
    if epochs != cfg.train.epochs:
        notes.append(f"train.epochs {cfg.train.epochs} -> {epochs}: {per_epoch} steps per epoch would give only "
                     f"{cfg.train.epochs * per_epoch} optimizer steps (at least {sizing.min_steps} are wanted)")
        cfg.train.epochs = epochs
    if epochs * per_epoch < sizing.min_steps:
        notes.append(f"warning: only {epochs * per_epoch} optimizer steps ({rows} rows, {epochs} epochs at most); "
                     "more training rows would give a better-trained detector")
    return cfg, notes
