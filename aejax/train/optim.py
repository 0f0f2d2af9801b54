"""Optimizers and learning-rate schedules from optax, chosen by name in the config.

config.train.optimizer: name (adam, adamw, sgd, nesterov, rmsprop, lamb, ...), learning_rate,
schedule (constant, cosine, warmup_cosine, exponential, linear_tail), warmup_steps, final_fraction, decay_rate,
decay_fraction (linear_tail: the last fraction of the steps, decaying linearly to final_fraction),
momentum, weight_decay, grad_clip_norm. `make_optimizer` takes that section or plain keywords:
`make_optimizer(name="adam", learning_rate=1e-3, schedule="cosine", total_steps=6000)`.
"""
from collections.abc import Mapping

import optax

from aejax.names import SCHEDULES

_OPTIMIZERS = {
    "adam": lambda lr, c: optax.adam(lr),
    "adamw": lambda lr, c: optax.adamw(lr, weight_decay=c.get("weight_decay", 1e-4)),
    "sgd": lambda lr, c: optax.sgd(lr, momentum=c.get("momentum") or None),
    "nesterov": lambda lr, c: optax.sgd(lr, momentum=c.get("momentum", 0.9), nesterov=True),
    "rmsprop": lambda lr, c: optax.rmsprop(lr),
    "lamb": lambda lr, c: optax.lamb(lr),
    "adabelief": lambda lr, c: optax.adabelief(lr),
}


def names() -> list[str]:
    return sorted(_OPTIMIZERS)


def make_schedule(cfg: Mapping, total_steps: int) -> optax.Schedule:
    """Learning rate per step for `cfg["schedule"]` over `total_steps` steps."""
    lr = cfg["learning_rate"]
    name = cfg.get("schedule", "constant")
    if name == "constant":
        return optax.constant_schedule(lr)
    if name == "cosine":
        return optax.cosine_decay_schedule(lr, max(total_steps, 1), alpha=cfg.get("final_fraction", 0.0))
    if name == "warmup_cosine":
        warmup = cfg.get("warmup_steps", 0)
        return optax.warmup_cosine_decay_schedule(
            0.0, lr, warmup, max(total_steps, warmup + 1), end_value=lr * cfg.get("final_fraction", 0.0)
        )
    if name == "linear_tail":  # constant, then linear to lr * final_fraction over the last decay_fraction of the steps
        decay = max(1, round(total_steps * cfg.get("decay_fraction", 1.0)))
        return optax.join_schedules([optax.constant_schedule(lr),
                                     optax.linear_schedule(lr, lr * cfg.get("final_fraction", 0.0), decay)],
                                    [max(total_steps - decay, 0)])
    if name == "exponential":
        return optax.exponential_decay(lr, max(total_steps, 1), cfg.get("decay_rate", 0.1))
    raise ValueError(f"unknown schedule {name!r} in train.optimizer.schedule; choose one of {list(SCHEDULES)}")


def make_optimizer(cfg: Mapping | None = None, total_steps: int = 1, **options) -> optax.GradientTransformation:
    """The optax transformation described by `cfg` (a config.train.optimizer ConfigDict or any
    mapping) and/or keyword `options` (which win), e.g. name="adam", learning_rate=1e-3;
    `total_steps` sets the length of a decaying schedule."""
    cfg = {**(dict(cfg.items()) if cfg is not None else {}), **options}
    name = cfg.get("name", "adam")
    try:
        build = _OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r} in train.optimizer.name; choose one of {names()}") from None
    if "learning_rate" not in cfg:
        raise ValueError("the optimizer needs a learning_rate (train.optimizer.learning_rate)")
    tx = build(make_schedule(cfg, total_steps), cfg)
    clip = cfg.get("grad_clip_norm")
    return optax.chain(optax.clip_by_global_norm(clip), tx) if clip else tx
