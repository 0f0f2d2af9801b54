"""Dataset registry: name -> TFDS builder class.

A dataset is one module under `aejax/data/builders/` whose builder class is decorated with
`@registry.register("name")`; `aejax.data.builders` imports every module listed there.
"""

from __future__ import annotations

__all__ = ["register", "get", "names"]

_BUILDERS: dict[str, type] = {}


def register(name: str):
    """Class decorator adding a builder class to the registry under `name` (also its DATASET_NAME)."""

    def add(cls: type) -> type:
        if name in _BUILDERS and _BUILDERS[name] is not cls:
            raise ValueError(f"Dataset {name!r} is already registered by {_BUILDERS[name].__qualname__}.")
        _BUILDERS[name] = cls
        cls.DATASET_NAME = name
        return cls

    return add


def _ensure_builders_imported() -> None:
    import aejax.data.builders  # noqa: F401  (registers the bundled builders)
    from aejax.names import load_deferred

    load_deferred()  # and the datasets of one's own experiments' modules


def get(name: str) -> type:
    """The builder class registered as `name`; ValueError listing the known names otherwise."""
    _ensure_builders_imported()
    if name not in _BUILDERS:
        raise ValueError(f"Unknown dataset {name!r}; registered datasets: {', '.join(names())}.")
    return _BUILDERS[name]


def names() -> list[str]:
    """Sorted names of all registered datasets."""
    _ensure_builders_imported()
    return sorted(_BUILDERS)
