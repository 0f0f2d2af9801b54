"""A run's work directory: one run at a time, config.json once the run has started,
metrics.jsonl with each step once, checkpoints, and console output.

- `workdir_lock(workdir)`: an exclusive `flock` on `workdir/.lock`, which names its holder.
  The kernel drops the lock when the holder exits, however it exits (SIGKILL included), so a
  killed run never blocks the next one.
- `Run(workdir, config=...)` writes `config.json` and a line of `config_history.jsonl` at its
  first log record or checkpoint, i.e. once the task has loaded its data and built its model:
  a run that fails before that (a mistyped key, missing data) leaves no config behind.
- Each checkpoint saved through `Run.checkpoints` is announced in metrics.jsonl before it is
  written (`{"event": "checkpoint", "checkpoints": subdir, "step": n}`), so
  `truncate_to_last_checkpoint` can cut the log back to what a resumed run will not redo, and
  `Run.rewind` drops what an earlier attempt logged past the checkpoint a fit restores: each
  step is logged once however often a run is killed and resumed.
"""
import contextlib
import datetime
import fcntl
import json
import math
import os
import socket
from pathlib import Path

LOCK_FILE = ".lock"
MANIFEST_FILE = ".aejax-files"  # the top-level entries aejax wrote in a work directory, one per line
CONFIG_FILE = "config.json"
HISTORY_FILE = "config_history.jsonl"
METRICS_FILE = "metrics.jsonl"


class WorkdirInUseError(RuntimeError):
    """Another process holds the work directory's lock."""


class ForeignWorkdirError(ValueError):
    """--overwrite on a folder that holds files but no aejax run or detector."""


def _jsonable(value):
    import numpy as np  # here, so that importing aejax.run (the CLI does) stays light

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.generic, np.ndarray)) or hasattr(value, "__array__"):
        value = np.asarray(value)
        return value.item() if value.ndim == 0 else value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


@contextlib.contextmanager
def workdir_lock(workdir: str | Path):
    """Hold the lock of `workdir` (created if missing) for the block; WorkdirInUseError naming
    the holder's PID when another process holds it."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = path.read_text().strip() or "a process that has not written its PID yet"
            raise WorkdirInUseError(
                f"{workdir} is in use by another aejax run ({holder}). Wait for it to finish, "
                "or give this run another --workdir."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}, since {_now()}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the flock; the file stays (removing it would race a waiting run)


def claim(workdir: str | Path, *names: str) -> None:
    """Record, before writing them, that aejax writes the entries `names` (paths relative to
    `workdir`; their top-level parts are recorded), so `clear_workdir` removes them and only them."""
    workdir = Path(workdir)
    known = _manifest(workdir)
    new = list(dict.fromkeys(Path(n).parts[0] for n in names if Path(n).parts and Path(n).parts[0] not in known))
    if new:
        workdir.mkdir(parents=True, exist_ok=True)
        with (workdir / MANIFEST_FILE).open("a") as f:
            f.write("".join(n + "\n" for n in new))


def path(workdir: str | Path, name: str) -> Path:
    """`workdir / name`, claimed as aejax's (see `claim`): for every file aejax writes."""
    claim(workdir, name)
    return Path(workdir) / name


def _manifest(workdir: Path) -> set[str]:
    file = workdir / MANIFEST_FILE
    return set(file.read_text().split("\n")) - {""} if file.is_file() else set()


# What a run or detector written before manifests existed holds (it has one of the first two).
LEGACY_MARKERS = (CONFIG_FILE, "pipeline.json")
LEGACY_ENTRIES = (CONFIG_FILE, HISTORY_FILE, METRICS_FILE, "results.json", "report.md", "pipeline.json", "detector",
                  "checkpoints", "train_scores.csv", "evaluation.json", "summary.md", "summary.csv")


def owned(workdir: str | Path) -> set[str]:
    """The top-level entries of `workdir` that aejax wrote: those of its manifest; for a run made
    before manifests, the files every run writes, its checkpoint folders and figures."""
    workdir = Path(workdir)
    if (workdir / MANIFEST_FILE).is_file():
        return _manifest(workdir) | {MANIFEST_FILE}
    if not any((workdir / m).is_file() for m in LEGACY_MARKERS):
        return set()
    names = set(LEGACY_ENTRIES)
    names |= {r["checkpoints"].split("/")[0] for r in read_records(workdir / METRICS_FILE)
              if r.get("event") == "checkpoint"}
    try:
        names |= set(json.loads((workdir / "results.json").read_text()).get("figures", []))
    except (OSError, ValueError, AttributeError):
        pass
    return names


def clear_workdir(workdir: Path) -> None:
    """--overwrite: delete what aejax wrote in `workdir` (see `owned`), nothing else; the caller
    holds the lock. ForeignWorkdirError, deleting nothing, for a folder with files but no aejax
    run or detector."""
    import shutil

    workdir = Path(workdir)
    present = {e.name for e in workdir.iterdir()} - {LOCK_FILE}
    mine = owned(workdir) & present
    if present and not mine:
        shown = ", ".join(sorted(present)[:5]) + (", ..." if len(present) > 5 else "")
        raise ForeignWorkdirError(
            f"--overwrite: {workdir} holds no aejax run or detector, only files aejax did not write ({shown}); "
            "aejax deletes only what it wrote. Give an empty or new --workdir.")
    for name in sorted(mine - {MANIFEST_FILE}):
        entry = workdir / name
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    (workdir / MANIFEST_FILE).unlink(missing_ok=True)


def read_records(path: Path) -> list[dict]:
    """The JSON lines of `path` ([] when it does not exist); a torn last line (a write cut by a
    kill) is skipped."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def truncate_to_last_checkpoint(workdir: str | Path) -> int:
    """Cut `workdir/metrics.jsonl` back to what a resumed run will not log again; returns the
    number of records dropped.

    The log is kept up to the last checkpoint event whose checkpoint exists on disk (a resumed
    run restores that checkpoint and logs every later step again). With no such event, the
    records from the first run start on are dropped (nothing was saved, so the run starts over);
    a log written before run-start events existed is left alone.
    """
    workdir = Path(workdir)
    path = workdir / METRICS_FILE
    records = read_records(path)
    cut = None
    for i in range(len(records) - 1, -1, -1):
        r = records[i]
        if r.get("event") == "checkpoint" and (workdir / r["checkpoints"] / str(r["step"])).is_dir():
            cut = i + 1
            break
    if cut is None:
        cut = next((i for i, r in enumerate(records) if r.get("event") == "start"), len(records))
    if cut == len(records):
        return 0
    _rewrite(path, records[:cut])
    return len(records) - cut


def _rewrite(path: Path, records: list[dict]) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text("".join(json.dumps(r) + "\n" for r in records))
    os.replace(partial, path)


class Run:
    """Handle on one run's work directory, passed to task runners.

    `config` (a JSON-able dict): written to config.json, with a line in config_history.jsonl
    (the config in full the first time, else `changes`: {key: [old, new]}), at the first log
    record or checkpoint. `preamble`: records logged first at that moment (e.g. the device mesh).
    `tensorboard`: also write TensorBoard event files (`aejax.tensorboard`) from that moment on.
    """

    def __init__(self, workdir: str | Path, *, quiet: bool = False, config: dict | None = None,
                 changes: dict | None = None, preamble: tuple[dict, ...] = (), tensorboard: bool = False):
        self.workdir = Path(workdir)
        self._tensorboard, self._events = tensorboard, None
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.quiet = quiet
        self._checkpoints: dict = {}
        self._pending = None if config is None else (config, changes or {}, list(preamble))
        self._inherited = len(read_records(self.metrics_path))  # records of earlier attempts

    @property
    def metrics_path(self) -> Path:
        return self.workdir / METRICS_FILE

    def start(self) -> None:
        """Write the config and the run-start records, once: at the first record or checkpoint,
        at the latest when the task returns."""
        if self._pending is None:
            return
        config, changes, preamble = self._pending
        self._pending = None
        claim(self.workdir, CONFIG_FILE, HISTORY_FILE, METRICS_FILE)
        if self._tensorboard:
            self._open_events()
        (self.workdir / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
        history = self.workdir / HISTORY_FILE
        if not history.exists() or changes:
            entry = {"time": _now(), "changes": changes} if history.exists() else {"time": _now(), "config": config}
            with history.open("a") as f:
                f.write(json.dumps(entry) + "\n")
        self._append({"event": "start", "time": _now(), "pid": os.getpid(), **({"changes": changes} if changes else {})})
        for record in preamble:
            self._append(record)

    def _open_events(self) -> None:
        """(Re)write the event files from metrics.jsonl; later records follow as they are logged."""
        from aejax import tensorboard

        claim(self.workdir, tensorboard.FOLDER)
        if self._events is not None:
            self._events.close()
        self._events = tensorboard.Writer(self.workdir)

    def _append(self, record: dict) -> None:
        record = _jsonable(record)
        with self.metrics_path.open("a") as f:
            f.write(json.dumps(record) + "\n")
        if self._events is not None:
            self._events.add(record)

    def log(self, record: dict) -> None:
        """Append one JSON line to metrics.jsonl."""
        self.start()
        self._append(record)

    def rewind(self, phase: str | None, step: int) -> None:
        """Drop the step records of `phase` after `step` that earlier attempts logged: `fit` calls
        this when it restores checkpoint `step`, since it logs those steps again. (The cut of
        `truncate_to_last_checkpoint` misses them when a later checkpoint of another kind, e.g. a
        best-so-far one, was saved after them.)"""
        records = read_records(self.metrics_path)
        stale = [i for i, r in enumerate(records[: self._inherited])
                 if "event" not in r and r.get("phase") == phase and r.get("step", 0) > step]
        if stale:
            dropped = set(stale)
            _rewrite(self.metrics_path, [r for i, r in enumerate(records) if i not in dropped])
            self._inherited -= len(stale)
            if self._events is not None:
                self._open_events()

    def history(self) -> list[dict]:
        """All records of metrics.jsonl so far."""
        return read_records(self.metrics_path)

    def checkpoints(self, subdir: str = "checkpoints", max_to_keep: int | None = 2):
        """The aejax.ckpt.Checkpoints of `workdir/subdir`, each save announced in metrics.jsonl."""
        from aejax.ckpt import Checkpoints

        if subdir not in self._checkpoints:
            claim(self.workdir, subdir)

            def announce(step: int, subdir=subdir) -> None:
                self.log({"event": "checkpoint", "checkpoints": subdir, "step": int(step)})

            self._checkpoints[subdir] = Checkpoints(self.workdir / subdir, max_to_keep=max_to_keep, before_save=announce)
        return self._checkpoints[subdir]

    def path(self, name: str) -> Path:
        """`workdir / name`, recorded as written by aejax (what --overwrite may delete)."""
        return path(self.workdir, name)

    def print(self, *args) -> None:
        if not self.quiet:
            print(*args, flush=True)

    def add_figures(self, figures) -> None:
        """The run's PNG `figures` (names in the work directory) as TensorBoard images, if it writes events."""
        if self._events is not None:
            self._events.add_figures(self.workdir, figures)

    def close(self) -> None:
        for c in self._checkpoints.values():
            c.close()
        if self._events is not None:
            self._events.close()
            self._events = None
