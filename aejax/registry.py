"""Experiment discovery: `<folder>/<group>/<name>.py` files, each with `get_config(arg)`.

The folders searched are the package's `aejax/experiments/` plus the user's own: those named in
`$AEJAX_EXPERIMENTS` (several separated by ':') and those added with `extra_folders` (the CLI's
`--experiments DIR`). A name found in two folders is an error naming both files. Files and
folders whose name starts with `_` or `.` are not experiments (share code through them with
`sibling`). Names are relative paths inside a folder: `..`, absolute paths and hidden parts are
refused, so no name reaches a file outside the folders.

Variants without files (big_vision's `config.py:arg`): `NAME:key=value,...` passes "key=value,..."
to the file's `get_config(arg)` (`aejax.config.parse_arg` reads it; "quick" is appended for the
small variant). A file lists its registered variants in a literal module-level tuple, e.g.
`VARIANTS = ("labels=100", "labels=1000")`: each is an experiment of its own in `names()` (and so
in `aejax list` and the smoke tests), read from the source without importing the file.
"""
import ast
import contextlib
import difflib
import hashlib
import importlib.util
import itertools
import os
import re
import sys
import types
from pathlib import Path

from ml_collections import ConfigDict

from aejax import config as config_lib, names as names_lib

BUILTIN = Path(__file__).resolve().parent / "experiments"
ENV = "AEJAX_EXPERIMENTS"
_extra: list[Path] = []
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


def folders() -> list[Path]:
    """The experiment folders searched, built-in first; FileNotFoundError for a folder named in
    $AEJAX_EXPERIMENTS that does not exist (a typo must not hide one's experiments)."""
    from_env = [Path(p).expanduser() for p in os.environ.get(ENV, "").split(os.pathsep) if p]
    for folder in from_env:
        if not folder.is_dir():
            raise FileNotFoundError(f"experiments folder {str(folder)!r} (from ${ENV}) does not exist")
    out = []
    for folder in [BUILTIN, *from_env, *_extra]:
        if folder.resolve() not in [f.resolve() for f in out]:
            out.append(folder)
    return out


@contextlib.contextmanager
def extra_folders(paths):
    """Search the folders `paths` too while the block runs (the CLI's --experiments)."""
    added = [Path(p).expanduser() for p in paths or ()]
    for folder in added:
        if not folder.is_dir():
            raise FileNotFoundError(f"experiments folder {str(folder)!r} does not exist")
    _extra.extend(added)
    try:
        yield
    finally:
        for folder in added:
            _extra.remove(folder)


def _is_experiment(relative: Path) -> bool:
    return not any(part.startswith(("_", ".")) for part in relative.parts)


def _files() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for root in folders():
        if not root.is_dir():
            continue
        for path in root.rglob("*.py"):
            relative = path.relative_to(root)
            if _is_experiment(relative):
                found.setdefault(relative.with_suffix("").as_posix(), []).append(path)
    return found


# Names of removed experiment files, kept working for one release (CHANGELOG.md).
ALIASES = {**{f"semisup/mnist-{n}": f"semisup/mnist:labels={n}" for n in (100, 600, 1000, 3000)},
           "anomaly/defaults": "anomaly/adbench:select"}


def _variants(file: Path) -> tuple[str, ...]:
    """The file's literal `VARIANTS` tuple (no import), or ()."""
    for node in ast.parse(file.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "VARIANTS" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    return ()


def names() -> list[str]:
    """Names of all experiments, e.g. ["mnist/ae", "semisup/mnist:labels=100"]: one per file, or one
    per registered variant of a file that lists `VARIANTS`."""
    out = []
    for name, files in sorted(_files().items()):
        variants = _variants(files[0])
        out += [f"{name}:{v}" for v in variants] if variants else [name]
    return out


def split_name(name: str) -> tuple[str, str | None]:
    """"group/name:arg" -> ("group/name", "arg"); an alias resolves to its variant first."""
    base, colon, arg = ALIASES.get(name, name).partition(":")
    return base, (arg if colon else None)


def check_name(name: str) -> None:
    """ValueError unless `name` is a relative path of plain parts (no '..', '/x', '.hidden')."""
    parts = name.split("/")
    if not name or not all(_PART.fullmatch(p) for p in parts) or any(p.strip(".") == "" for p in parts):
        raise ValueError(
            f"experiment name {name!r} is not a name inside the experiments folders: use names "
            "like group/name (letters, digits, '_', '-', '.', no '..' or leading '/'); `aejax list` shows them."
        )


def path(name: str) -> Path:
    """The file of experiment `name`; KeyError (with the closest names) when there is none."""
    check_name(name)
    files = _files().get(name, [])
    if len(files) > 1:
        raise ValueError(f"experiment {name!r} is defined twice: {', '.join(map(str, files))}; rename one of them.")
    if not files:
        close = difflib.get_close_matches(name, names(), n=5, cutoff=0.4)
        hint = f"; closest: {', '.join(close)}" if close else ""
        raise KeyError(f"unknown experiment {name!r}{hint}. `aejax list` shows them all.")
    return files[0]


def _module_name(file: Path) -> str:
    return "aejax_experiment_" + hashlib.sha1(str(file).encode()).hexdigest()[:12] + "_" + re.sub(r"\W", "_", file.stem)


def _import(file: Path):
    """Import `file` once per process (a module imported twice would register its tasks,
    models or datasets twice)."""
    file = file.resolve()
    module_name = _module_name(file)
    if module_name in sys.modules:
        module = sys.modules[module_name]
        if isinstance(module, _Deferred):
            module._load()
        return module
    spec = importlib.util.spec_from_file_location(module_name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


class _Deferred(types.ModuleType):
    """A module of `sibling` not executed yet: it runs on its first attribute lookup or on the
    next registry lookup (`aejax.names.load_deferred`), whichever comes first."""

    def _load(self):
        if type(self) is _Deferred:
            self.__class__ = types.ModuleType
            try:
                self.__spec__.loader.exec_module(self)
            except BaseException:
                sys.modules.pop(self.__name__, None)
                raise

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        self._load()
        return getattr(self, attr)


_REGISTER = re.compile(r"register\w*")


def _declared(file: Path) -> set[str]:
    """The names `file` registers, read from its decorators `@x.register("name")` (no import)."""
    out = set()
    for node in ast.walk(ast.parse(file.read_text())):
        for deco in getattr(node, "decorator_list", ()):
            func = getattr(deco, "func", None)
            called = getattr(func, "attr", None) or getattr(func, "id", None)
            if called and _REGISTER.fullmatch(called) and deco.args and isinstance(deco.args[0], ast.Constant):
                out.add(deco.args[0].value)
    return out


def sibling(path: str, name: str):
    """Module `name` from the folder of file `path`: how an experiment file shares a family's
    `_common.py`, or registers its own tasks/models (experiments are loaded by path, not as a
    package). Each file is imported once per process, and not before it is needed: on the first
    attribute lookup, or on the first lookup of a registry (a model, task, corruption, ... by
    name), so reading configs (`aejax list`, `aejax config`) imports no jax."""
    file = Path(path).with_name(f"{name}.py").resolve()
    module_name = _module_name(file)
    if module_name in sys.modules:
        return sys.modules[module_name]
    if not file.is_file():
        raise FileNotFoundError(f"{file} (imported by {path}) does not exist")
    spec = importlib.util.spec_from_file_location(module_name, file)
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _Deferred
    sys.modules[module_name] = module
    names_lib.defer(module._load, _declared(file))
    return module


def _module(name: str):
    return _import(path(name))


def get_config(name: str, quick: bool = False) -> ConfigDict:
    """The config of experiment `name` ("group/name" or "group/name:key=value,..."; the quick
    variant with `quick`), with `experiment` set to the name."""
    base, arg = split_name(name)
    module = _module(base)
    if arg and not hasattr(module, "VARIANTS"):
        raise ValueError(f"experiment {base!r} takes no arguments (got {arg!r}); it lists no VARIANTS")
    cfg = module.get_config(",".join(filter(None, (arg, "quick" if quick else None))) or None)
    cfg.experiment = name if name not in ALIASES else ALIASES[name]
    return cfg


def primary_metric(cfg: ConfigDict) -> str | None:
    """The metric a config is judged by: `primary_metric`, else test_sse_per_image when it has a
    reference value, else the first referenced metric (None without any)."""
    return cfg.get("primary_metric") or ("test_sse_per_image" if "test_sse_per_image" in cfg.reference else next(iter(cfg.reference), None))


def describe(name: str) -> dict:
    """Name, paper, primary metric, reference value, data source and one-line summary."""
    module = _module(split_name(name)[0])
    cfg = get_config(name)
    metric = primary_metric(cfg)
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


def expected(name: str) -> str:
    """The "Expected:" section of experiment `name`'s docstring (what its full run should give and
    how long it takes), on one line; "" when it has none."""
    doc = (_module(split_name(name)[0]).__doc__ or "").splitlines()
    start = next((i for i, line in enumerate(doc) if line.startswith("Expected:")), None)
    if start is None:
        return ""
    lines = [doc[start].removeprefix("Expected:")]
    lines += itertools.takewhile(lambda line: line.startswith(" "), doc[start + 1:])
    return " ".join(" ".join(lines).split())


def load(name: str, *, quick: bool = False, overrides: dict[str, str] | None = None) -> ConfigDict:
    """Config for a run: the experiment's config, the overrides applied, validated."""
    cfg = get_config(name, quick)
    config_lib.apply_overrides(cfg, overrides or {})
    config_lib.validate(cfg)
    return cfg
