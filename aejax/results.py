"""Measured results of runs: one JSON record per run, appended to `results/<group>/<name>.jsonl`.

    aejax run hinton2006/mnist --record      # appends a record once the run has succeeded
    aejax list                               # the paper's value beside the latest full run's

Where: `$AEJAX_RESULTS_DIR` when set, else `results/` at the root of the checkout the package is
imported from. An installed wheel has no such folder: there `record` is an error asking for
`$AEJAX_RESULTS_DIR` and `latest` finds nothing. A variant `group/name:key=value` is the file
`results/group/name@key=value.jsonl` (characters other than letters, digits and `=,+-._` of the
argument %-escaped).

A record (README.md in the results folder lists every field): the experiment's name, `quick`,
`primary_metric`, `metrics`, the paper's `reference` values, `overrides` (every config key that
differs from the registered experiment's), `command`, `commit` and `dirty` (tracked files other
than results/ modified), `date` (ISO 8601), `machine` (CPU model, cores, RAM, devices), `load` (the
1-minute load average at start and end), `wall_seconds`, `workdir` and `source`. Records are only
ever appended; `aejax list` prints the newest full (not quick) record by date, one of the registered
config (no overrides) where there is one. No jax here:
`aejax list` reads these files.
"""
import contextlib
import datetime
import json
import os
import platform
import re
import subprocess
from pathlib import Path
from urllib.parse import quote

ENV = "AEJAX_RESULTS_DIR"
FORMAT = 1
REPO = Path(__file__).resolve().parent.parent  # the checkout's root when the package is not installed
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


def _checkout() -> Path | None:
    """The root of the source checkout holding this package, or None (an installed package)."""
    return REPO if (REPO / "pyproject.toml").is_file() and (REPO / ".git").exists() else None


def folder() -> Path | None:
    """The results folder: $AEJAX_RESULTS_DIR, else the checkout's results/, else None."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    root = _checkout()
    return root / "results" if root is not None and (root / "results").is_dir() else None


def require_folder() -> Path:
    """The results folder; FileNotFoundError saying how to name one when there is none."""
    root = folder()
    if root is None:
        raise FileNotFoundError(
            f"--record needs a results folder: this aejax is not a source checkout with a results/ folder, "
            f"so set ${ENV} to the folder to append records to")
    return root


def path(name: str, root: Path | None = None) -> Path:
    """The records file of experiment `name` ("group/name" or "group/name:key=value,...")."""
    base, colon, arg = name.partition(":")
    if not all(_PART.fullmatch(p) and p.strip(".") for p in base.split("/")):
        raise ValueError(f"experiment name {name!r} cannot name a results file")
    stem = base + (f"@{quote(arg, safe='=,+-._')}" if colon else "")
    return (root if root is not None else require_folder()) / f"{stem}.jsonl"


def read(name: str, root: Path | None = None) -> list[dict]:
    """Every record of `name` in file order ([] when there is none or no results folder)."""
    root = root if root is not None else folder()
    file = path(name, root) if root is not None else None
    if file is None or not file.is_file():
        return []
    records = []
    for number, line in enumerate(file.read_text().splitlines(), 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{file}, line {number}, is not a JSON record ({err})") from None
    return records


def _when(rec: dict) -> datetime.datetime:
    date = datetime.datetime.fromisoformat(rec["date"])
    return date if date.tzinfo else date.replace(tzinfo=datetime.timezone.utc)


def latest(name: str, *, quick: bool = False, registered_first: bool = False, root: Path | None = None) -> dict | None:
    """The newest record of `name` by date (of a full run; of a quick one with `quick`), or None.
    With `registered_first`, the newest run of the registered config (no overrides) when there is one."""
    records = [r for r in read(name, root) if bool(r.get("quick")) == quick]
    if registered_first and any(not r.get("overrides") for r in records):
        records = [r for r in records if not r.get("overrides")]
    return max(reversed(records), key=_when) if records else None  # of equal dates, the last appended


def append(rec: dict, root: Path | None = None) -> Path:
    """Append record `rec` (a dict with "experiment" and "date") as one line; returns the file."""
    file = path(rec["experiment"], root)
    file.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(rec) + "\n"
    with open(file, "a") as out:
        with contextlib.suppress(ImportError):  # one writer at a time (a record can exceed PIPE_BUF)
            import fcntl

            fcntl.flock(out, fcntl.LOCK_EX)
        out.write(line)
    return file


def load_average() -> float | None:
    """The 1-minute load average, or None where the system has none."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (AttributeError, ValueError, OSError):
        return None


def machine(devices: dict | None = None) -> dict:
    """CPU model, core count, RAM (GiB), OS and the accelerator devices of this machine."""
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "ram_gb": _ram_gb(), "os": platform.platform(terse=True),
            "devices": devices}


def git_state() -> tuple[str | None, bool | None]:
    """(commit, dirty) of the checkout holding this package; (None, None) outside one. Dirty: a
    tracked file other than under results/ differs from the commit."""
    root = _checkout()
    if root is None:
        return None, None
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=True, timeout=30).stdout.strip()
        status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "--", ".",
                                 ":(exclude)results"], capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None, None
    return commit, bool(status.strip())


def now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def record(name: str, metrics: dict, *, reference: dict, primary_metric: str | None, quick: bool, overrides: dict,
           command: str, wall_seconds: float, load_start: float | None, devices: dict | None = None,
           workdir: str | None = None, root: Path | None = None) -> dict:
    """Append the record of a finished run of `name` (its load at the end is read now); returns it.
    `reference` maps each metric to the paper's value, `overrides` each changed config key to its value."""
    commit, dirty = git_state()
    rec = {
        "format": FORMAT, "experiment": name, "quick": quick, "primary_metric": primary_metric, "metrics": metrics,
        "reference": reference, "overrides": overrides, "command": command, "commit": commit, "dirty": dirty,
        "date": now(), "machine": machine(devices), "load": {"start": load_start, "end": load_average()},
        "wall_seconds": round(wall_seconds, 1), "workdir": workdir, "source": "aejax run --record",
    }
    append(rec, root)
    return rec
