"""Experiment configs: the common base, command-line overrides and validation.

Every experiment file returns an `ml_collections.ConfigDict` built on `base_config()`.
Overrides look like `train.epochs=5`; an unknown key or a value of the wrong type is an error
that names the key (and, for unknown keys, the closest existing ones).
"""
import ast
import difflib

from ml_collections import ConfigDict, FieldReference
from ml_collections.config_dict import placeholder

from aejax import models, names, schedules


def reference(value: float, tolerance: float, source: str, units: str = "", higher_is_better: bool = False) -> ConfigDict:
    """A published number that a run's metric is compared with."""
    return ConfigDict(dict(value=value, tolerance=tolerance, source=source, units=units, higher_is_better=higher_is_better))


def parse_arg(arg: str | None, **defaults) -> ConfigDict:
    """An experiment's argument as a ConfigDict (big_vision's `parse_arg`): "labels=100,quick" with
    `defaults` {"labels": 100} -> {labels: 100, quick: True}. Values are read as Python literals and
    must have their default's type; a bare word sets a flag to True; `quick` is always a flag (the
    small variant). An unknown key is a ValueError naming it and the known ones."""
    out = ConfigDict({**defaults, "quick": False})
    for part in filter(None, (arg or "").split(",")):
        key, eq, text = part.partition("=")
        key = key.strip()
        if key not in out:
            raise ValueError(f"unknown experiment argument {key!r} in {arg!r}; this experiment takes "
                             f"{', '.join(sorted(out))} (e.g. NAME:{next(iter(defaults), 'quick')}=...)")
        value = _parse_value(text.strip()) if eq else True
        default = out[key]
        if isinstance(default, bool) != isinstance(value, bool) or not isinstance(value, type(default)):
            if not (isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool)):
                raise ValueError(f"experiment argument {key}={text!r}: expected {type(default).__name__} "
                                 f"like {default!r}")
            value = float(value)
        out[key] = value
    return out


def base_config() -> ConfigDict:
    """Fields shared by every experiment; experiments override and extend them."""
    c = ConfigDict()
    c.task = "reconstruct"
    c.seed = 0
    c.paper = ""
    c.data_source = "bundled"  # bundled | generated | user-supplied
    c.reference = ConfigDict()  # metric name -> reference(...)
    c.primary_metric = ""  # the reference `aejax list` shows (default: test_sse_per_image, else the first)
    c.data = ConfigDict(dict(name="mnist", data_dir=placeholder(str), train_split="train", test_split="test"))
    c.model = ConfigDict(
        dict(
            sizes=(784, 1000, 500, 250, 30),
            hidden_activation="sigmoid",
            code_activation="linear",
            output_activation="sigmoid",
            tied=False,
            kernel_init="glorot_uniform",
            init_scale=4.0,
        )
    )
    c.loss = "cross_entropy"
    c.train = ConfigDict(
        dict(
            epochs=10,
            batch_size=100,
            optimizer=ConfigDict(
                dict(
                    name="adam",
                    learning_rate=1e-3,
                    schedule="constant",
                    warmup_steps=0,
                    final_fraction=0.0,
                    decay_rate=0.1,
                    momentum=0.9,
                    weight_decay=0.0,
                    grad_clip_norm=0.0,
                )
            ),
            log_every=100,
            log_grad_norm=False,
            checkpoint_every=1000,
            compute_dtype="float32",
        )
    )
    c.eval = ConfigDict(dict(batch_size=1000, every_epochs=1))
    return c


def flat_keys(cfg: ConfigDict, prefix: str = "") -> list[str]:
    """All dotted keys of `cfg`, leaves and sub-dicts."""
    keys = []
    for k, v in cfg.items():
        path = f"{prefix}{k}"
        keys.append(path)
        if isinstance(v, ConfigDict):
            keys.extend(flat_keys(v, path + "."))
    return keys


def leaves(tree: dict, prefix: str = "") -> dict:
    """{dotted key: value} of every leaf of a nested dict (e.g. `to_dict(cfg)`)."""
    out = {}
    for k, v in tree.items():
        if isinstance(v, dict) and v:
            out.update(leaves(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _parse_value(text: str):
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def unknown_key_error(key: str, cfg: ConfigDict) -> KeyError:
    close = difflib.get_close_matches(key, flat_keys(cfg), n=5, cutoff=0.5)
    hint = f"; closest: {', '.join(close)}" if close else ""
    return KeyError(f"unknown config key {key!r}{hint}")


def override(cfg: ConfigDict, key: str, text: str) -> None:
    """Set dotted `key` of `cfg` from the command-line string `text`, checking key and type."""
    *parents, leaf = key.split(".")
    node = cfg
    for part in parents:
        if part not in node or not isinstance(node[part], ConfigDict):
            raise unknown_key_error(key, cfg)
        node = node[part]
    if leaf not in node:
        raise unknown_key_error(key, cfg)
    value = _parse_value(text)
    current = node[leaf]
    if isinstance(current, tuple) and isinstance(value, list):
        value = tuple(value)
    if isinstance(current, str) and not isinstance(value, str) and value is not None and not isinstance(current, bool):
        value = text
    expected = node.get_type(leaf) if hasattr(node, "get_type") else type(current)
    try:
        node[leaf] = value
    except TypeError:
        name = getattr(expected, "__name__", str(expected))
        raise TypeError(f"config key {key!r} expects a value of type {name}; got {text!r}") from None


def apply_overrides(cfg: ConfigDict, overrides: dict[str, str]) -> ConfigDict:
    for key, text in overrides.items():
        override(cfg, key, text)
    return cfg


def validate(cfg: ConfigDict) -> None:
    """Check values no type check catches; errors name the key and what to do."""
    problems = []
    train = cfg.get("train")
    if train is not None:
        if train.get("epochs", 1) < 1:
            problems.append(
                f"train.epochs must be >= 1, got {train.epochs} (to evaluate a finished run again, run its "
                "work directory again: it resumes at the end of training and only evaluates)"
            )
        if train.get("log_every", 1) < 1:
            problems.append(f"train.log_every must be >= 1 (log every N steps), got {train.log_every}")
        if train.get("checkpoint_every", 0) < 0:
            problems.append(
                f"train.checkpoint_every must be >= 0 (every N steps; 0: only at the end), got {train.checkpoint_every}"
            )
        if train.get("batch_size", 1) <= 0:
            problems.append(f"train.batch_size must be positive, got {train.batch_size}")
        if "optimizer" in train and train.optimizer.get("learning_rate", 1.0) <= 0:
            problems.append(f"train.optimizer.learning_rate must be positive, got {train.optimizer.learning_rate}")
        if "optimizer" in train and train.optimizer.name not in names.OPTIMIZERS:
            problems.append(f"train.optimizer.name {train.optimizer.name!r} is not one of {list(names.OPTIMIZERS)}")
        if train.get("compute_dtype", "float32") not in ("float32", "bfloat16", "float16"):
            problems.append(f"train.compute_dtype must be float32, bfloat16 or float16, got {train.compute_dtype!r}")
    if "loss" in cfg and cfg.loss not in names.LOSSES:
        problems.append(f"loss {cfg.loss!r} is not one of {list(names.LOSSES)}")
    model = cfg.get("model")
    if model is not None and model.get("name", "mlp") not in models.names():
        problems.append(f"model.name {model.name!r} is not a registered model; registered: {models.names()} "
                        "(a model of your own: @aejax.models.register(name) in a module your experiment imports)")
    if model is not None and "sizes" in model:
        sizes = tuple(model.sizes)
        if len(sizes) < 2 or any((not isinstance(s, int)) or s <= 0 for s in sizes):
            problems.append(f"model.sizes must be two or more positive integers, got {sizes}")
    for name, spec in cfg.get("regularizers", {}).items():
        weight = spec.get("weight") if isinstance(spec, ConfigDict) else None
        if not schedules.is_schedule(weight) and (not isinstance(weight, (int, float)) or weight < 0):
            problems.append(f"regularizers.{name} needs a weight >= 0 or a schedule (e.g. regularizers.{name}.weight=0.1), "
                            f"got {weight!r}")
    objective = cfg.get("objective")
    if objective is not None and not (isinstance(objective, ConfigDict) and isinstance(objective.get("name"), str)):
        problems.append(f"objective must be a mapping {{name, **options}} naming a registered objective, got {objective!r}")
    for entry, spec in cfg.get("evals", {}).items():
        every = spec.get("every_epochs", 0) if isinstance(spec, ConfigDict) else None
        if not isinstance(every, int) or isinstance(every, bool) or every < 0:
            problems.append(f"evals.{entry} must be a mapping {{kind, every_epochs (an integer >= 0; 0: after training "
                            f"only), **options}}, got {spec!r}")
    if problems:
        raise ValueError("invalid config: " + "; ".join(problems))


def to_dict(cfg: ConfigDict) -> dict:
    """A JSON-able dict of `cfg` (placeholders resolved)."""
    out = {}
    for k, v in cfg.items():
        if isinstance(v, FieldReference):
            v = v.get()
        out[k] = to_dict(v) if isinstance(v, ConfigDict) else (list(v) if isinstance(v, tuple) else v)
    return out
