"""A run's work directory: metrics.jsonl, checkpoints, figures, and console output."""
import json
import math
from pathlib import Path

import numpy as np

from aejax.ckpt import Checkpoints


def _jsonable(value):
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


class Run:
    """Handle on one run's work directory, passed to task runners."""

    def __init__(self, workdir: str | Path, *, quiet: bool = False):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.quiet = quiet
        self._checkpoints: dict[str, Checkpoints] = {}

    @property
    def metrics_path(self) -> Path:
        return self.workdir / "metrics.jsonl"

    def log(self, record: dict) -> None:
        """Append one JSON line to metrics.jsonl."""
        with self.metrics_path.open("a") as f:
            f.write(json.dumps(_jsonable(record)) + "\n")

    def history(self) -> list[dict]:
        """All records of metrics.jsonl so far."""
        if not self.metrics_path.exists():
            return []
        return [json.loads(line) for line in self.metrics_path.read_text().splitlines() if line.strip()]

    def checkpoints(self, subdir: str = "checkpoints", max_to_keep: int | None = 2) -> Checkpoints:
        if subdir not in self._checkpoints:
            self._checkpoints[subdir] = Checkpoints(self.workdir / subdir, max_to_keep=max_to_keep)
        return self._checkpoints[subdir]

    def print(self, *args) -> None:
        if not self.quiet:
            print(*args, flush=True)

    def close(self) -> None:
        for c in self._checkpoints.values():
            c.close()
