"""Task runners by name: `@register("reconstruct") def run(config, run) -> results`.

A runner trains and evaluates what its config describes and returns
{"metrics": {name: float}, "figures": [png names], "tables": {...}}. Runners live in the modules
of this package and are imported on first lookup.
"""
import difflib
import importlib
import pkgutil
from collections.abc import Callable

_RUNNERS: dict[str, Callable] = {}


def register(name: str):
    def decorate(fn):
        _RUNNERS[name] = fn
        return fn

    return decorate


def get(name: str) -> Callable:
    if name not in _RUNNERS:
        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
    if name not in _RUNNERS:
        close = difflib.get_close_matches(name, sorted(_RUNNERS), n=3, cutoff=0.4)
        raise KeyError(f"unknown task {name!r} in config.task; known: {sorted(_RUNNERS)}" + (f"; closest: {close}" if close else ""))
    return _RUNNERS[name]
