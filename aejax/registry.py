"""Experiment discovery: `experiments/<group>/<name>.py` files, each with `get_config(arg)`.

The experiments folder is `$AEJAX_EXPERIMENTS` if set, else the repository's `experiments/`.
"""
import difflib
import importlib.util
import os
from pathlib import Path

from ml_collections import ConfigDict

from aejax import config as config_lib


def experiments_dir() -> Path:
    root = os.environ.get("AEJAX_EXPERIMENTS")
    return Path(root) if root else Path(__file__).resolve().parents[1] / "experiments"


def names() -> list[str]:
    """Names of all registered experiments, e.g. ["mnist/ae", "mnist/tied-ae"]."""
    root = experiments_dir()
    return sorted(
        p.relative_to(root).with_suffix("").as_posix()
        for p in root.rglob("*.py")
        if not any(part.startswith("_") for part in p.relative_to(root).parts)
    )


def sibling(path: str, name: str):
    """Import module `name` from the folder of file `path`: how an experiment file shares a
    family's `_common.py` (experiments are loaded by path, not as a package)."""
    file = Path(path).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"aejax_experiment_{file.parent.name}_{name}".replace("-", "_"), file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _module(name: str):
    path = experiments_dir() / f"{name}.py"
    if not path.is_file():
        close = difflib.get_close_matches(name, names(), n=5, cutoff=0.4)
        hint = f"; closest: {', '.join(close)}" if close else ""
        raise KeyError(f"unknown experiment {name!r}{hint}. `aejax list` shows them all.")
    spec = importlib.util.spec_from_file_location("aejax_experiment_" + name.replace("/", "_").replace("-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def get_config(name: str, arg: str | None = None) -> ConfigDict:
    """The config of experiment `name` (variant `arg`, e.g. "quick"), with `experiment` set."""
    cfg = _module(name).get_config(arg)
    cfg.experiment = name
    return cfg


def describe(name: str) -> dict:
    """Name, paper, primary metric, reference value, data source and one-line summary."""
    module = _module(name)
    cfg = module.get_config(None)
    metric = cfg.get("primary_metric") or ("test_sse_per_image" if "test_sse_per_image" in cfg.reference else next(iter(cfg.reference), None))
    ref = cfg.reference.get(metric) if metric else None
    doc = (module.__doc__ or "").strip().splitlines()
    return {
        "name": name,
        "paper": cfg.get("paper", ""),
        "metric": metric,
        "reference": None if ref is None else ref.value,
        "units": None if ref is None else ref.get("units", ""),
        "data": cfg.get("data_source", "bundled"),
        "summary": doc[0] if doc else "",
    }


def load(name: str, *, quick: bool = False, overrides: dict[str, str] | None = None) -> ConfigDict:
    """Config for a run: the experiment's config, the overrides applied, validated."""
    cfg = get_config(name, "quick" if quick else None)
    config_lib.apply_overrides(cfg, overrides or {})
    config_lib.validate(cfg)
    return cfg
