"""Hyper-parameters sized to the data: MLP widths from the number of features, batch size and
epochs from the number of rows, so that no configuration trains a handful of steps unnoticed.

`size_to_data(cfg, rows, features)` returns the changed config and one note per change or
warning; `aejax anomaly fit` prints the notes and writes them into its report.
"""

from __future__ import annotations

import math

from ml_collections import ConfigDict


# code widths of the MLP for D features: "tenth" = round(D / 10), "sqrt" = round(sqrt(D)), both kept
# between 1 and D - 1 (cross-dataset selection of the default: aejax.anomaly.settings)
CODE_RULES = ("tenth", "sqrt")
BUDGETS = ("epochs", "batch")


def code_width(features: int, rule: str = "tenth") -> int:
    """The code width rule `rule` gives for `features` inputs (1 <= width <= features - 1)."""
    if rule not in CODE_RULES:
        raise ValueError(f"sizing.code={rule!r} must be one of {CODE_RULES}")
    width = round(features / 10) if rule == "tenth" else round(math.sqrt(features))
    return min(features - 1, max(1, width))


def mlp_widths(features: int, code: str = "tenth") -> tuple[int, ...]:
    """Hidden widths for `features` inputs: a first layer of features / 2 (8 to 128 units), a
    middle layer of half that when there are 64 or more features, and a code of `code_width`
    (rule "tenth": ADBench's 3 to 9 features get (8, 1), cardio's 21 (10, 2), KDD's 120 one-hot
    and numeric features (60, 30, 12); rule "sqrt": (8, 2), (8, 3), (10, 5), (60, 30, 11))."""
    if features < 2:
        raise ValueError(f"an autoencoder needs at least 2 features, the data has {features}")
    first = min(128, max(8, features // 2))
    width = code_width(features, code)
    return (first, first // 2, width) if features >= 64 else (first, width)


def size_to_data(cfg: ConfigDict, rows: int, features: int) -> tuple[ConfigDict, list[str]]:
    """A copy of `cfg` with widths, batch size and epochs sized to `rows` training examples of
    `features` values (windows count as rows), and notes saying what changed and why.

    At least `sizing.min_steps` optimizer steps, by `sizing.budget`: "epochs" keeps the batch size
    (at most rows / min_batches) and raises the epochs; "batch" keeps train.epochs passes over the
    data and shrinks the batch (to 8 at least; epochs are raised only below that)."""
    cfg = ConfigDict(cfg.to_dict())
    sizing, notes = cfg.sizing, []
    if rows < sizing.min_rows:
        raise ValueError(f"{rows} training rows are too few to fit a detector (at least {sizing.min_rows})")
    if cfg.model.kind == "mlp" and sizing.widths == "data":
        widths = mlp_widths(features, sizing.get("code", "tenth"))
        if tuple(widths) != tuple(cfg.model.hidden):
            notes.append(f"model.hidden {tuple(cfg.model.hidden)} -> {widths} for {features} features")
            cfg.model.hidden = widths
    # budget "epochs": batches of train.batch_size (fewer on small data), epochs raised to reach
    # min_steps; "batch": train.epochs passes, the batch shrunk so that they make min_steps steps
    budget = sizing.get("budget", "epochs")
    if budget not in BUDGETS:
        raise ValueError(f"sizing.budget={budget!r} must be one of {BUDGETS}")
    wanted = cfg.train.batch_size if budget == "epochs" else rows * cfg.train.epochs // sizing.min_steps
    batch = min(cfg.train.batch_size, max(8, min(rows // sizing.min_batches, wanted)))
    if batch != cfg.train.batch_size:
        why = (f"so that {rows} rows make at least {min(sizing.min_batches, rows // 8)} batches per epoch"
               if budget == "epochs" else
               f"so that {cfg.train.epochs} epochs of {rows} rows make about {sizing.min_steps} optimizer steps")
        notes.append(f"train.batch_size {cfg.train.batch_size} -> {batch}, {why}")
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
