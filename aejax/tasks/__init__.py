"""Task runners by name: `@register("reconstruct") def run(config, run) -> results`.

A runner trains and evaluates what its config describes and returns
{"metrics": {name: float}, "figures": [png names], "tables": {...}}. Task "x" or "x/y" lives in
module `aejax.tasks.x`, or in the module `BUILTIN` names, imported on first lookup.
"""
import importlib
import pkgutil
from collections.abc import Callable

from aejax.names import load_deferred, registrar

BUILTIN = {"anomaly": "aejax.anomaly.tasks", "anomaly_all": "aejax.anomaly.run_all",
           "anomaly_adbench": "aejax.anomaly.run_adbench"}
_RUNNERS: dict[str, Callable] = {}
register = registrar(_RUNNERS)  # @register(name) on `run(config, run) -> results`


def get(name: str) -> Callable:
    load_deferred()
    module = name.split("/")[0].replace("-", "_")
    available = sorted(info.name for info in pkgutil.iter_modules(__path__))
    if name not in _RUNNERS and (name in BUILTIN or module in available):
        importlib.import_module(BUILTIN.get(name, f"{__name__}.{module}"))
    if name not in _RUNNERS:
        raise KeyError(f"unknown task {name!r} in config.task; tasks: {sorted(set(available) | set(BUILTIN))}")
    return _RUNNERS[name]
