"""TensorBoard event files of a run (`aejax run NAME --tensorboard`, or `config.log.tensorboard`),
written with tensorboardX (`pip install 'aejax[tensorboard]'`) into `WORKDIR/tensorboard/`, beside
metrics.jsonl: `tensorboard --logdir runs` shows every run.

metrics.jsonl stays the source of truth: a run rewrites the events from it whenever it starts
(so a resumed run's events hold each step once, as metrics.jsonl does) and then adds each record
as it logs it. Scalars: every number of every record but events (`{"event": ...}`), at the
record's step (else its epoch), tagged `phase/key` when the record has a phase. Images: the
run's figures (the loss curves, and reconstructions where the task draws them), at the last step.
"""
import json
import math
import shutil
from pathlib import Path

FOLDER = "tensorboard"


def check_available() -> None:
    """ValueError (a usage error, raised before a run starts), with the command that installs
    it, when tensorboardX is missing."""
    try:
        import tensorboardX  # noqa: F401
    except ImportError:
        raise ValueError("--tensorboard (config.log.tensorboard) needs tensorboardX: pip install 'aejax[tensorboard]'") from None


def scalars(record: dict) -> tuple[int | None, dict[str, float]]:
    """(step, {tag: value}) of one metrics.jsonl record; no scalars for an event record."""
    if "event" in record:
        return None, {}
    step = record.get("step", record.get("epoch"))
    prefix = f"{record['phase']}/" if record.get("phase") else ""
    values = {prefix + k: float(v) for k, v in record.items()
              if k not in ("step", "phase") and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
    return (None, {}) if step is None else (int(step), values)


class Writer:
    """Event files of `workdir`: the records of its metrics.jsonl so far, then each `add`."""

    def __init__(self, workdir: str | Path):
        logdir = Path(workdir) / FOLDER
        shutil.rmtree(logdir, ignore_errors=True)
        check_available()
        from tensorboardX import SummaryWriter

        self._writer = SummaryWriter(logdir=str(logdir), flush_secs=10)
        self.last_step = 0
        metrics = Path(workdir) / "metrics.jsonl"
        for line in metrics.read_text().splitlines() if metrics.exists() else ():
            self.add(json.loads(line))

    def add(self, record: dict) -> None:
        step, values = scalars(record)
        for tag, value in values.items():
            self._writer.add_scalar(tag, value, step)
        if step is not None:
            self.last_step = max(self.last_step, step)

    def add_figures(self, workdir: str | Path, figures) -> None:
        """The PNG `figures` of `workdir` as images (tag: the file name without .png)."""
        import matplotlib.image

        for name in figures:
            path = Path(workdir) / name
            if path.suffix == ".png" and path.is_file():
                image = matplotlib.image.imread(path)  # H x W x 3 or 4, floats in [0, 1]
                image = image[..., None] if image.ndim == 2 else image[..., :3]
                self._writer.add_image(path.stem, image, self.last_step, dataformats="HWC")

    def close(self) -> None:
        self._writer.close()
