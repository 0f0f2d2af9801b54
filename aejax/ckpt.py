"""The one wrapper around orbax-checkpoint: save and restore pytrees (a TrainState, a
pretraining stage) with a JSON side-record, resuming from the latest step."""
from collections.abc import Callable
from pathlib import Path

import jax
import orbax.checkpoint as ocp


class Checkpoints:
    """Numbered checkpoints in `directory`, each holding a pytree ("state") and JSON ("meta")."""

    def __init__(self, directory: str | Path, *, max_to_keep: int | None = 2, before_save: Callable[[int], None] | None = None):
        """`before_save(step)` is called before each save (aejax.run announces it in metrics.jsonl)."""
        self.directory = Path(directory).absolute()
        self._before_save = before_save
        self._manager = ocp.CheckpointManager(
            self.directory,
            options=ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, create=True, enable_async_checkpointing=False),
            item_names=("state", "meta"),
        )

    def latest_step(self) -> int | None:
        return self._manager.latest_step()

    def all_steps(self) -> list[int]:
        return list(self._manager.all_steps())

    def save(self, step: int, state, meta: dict | None = None) -> None:
        """Write `state` (any pytree of arrays) and `meta` (JSON-able) as checkpoint `step`."""
        if self._before_save is not None:
            self._before_save(int(step))
        items = {"state": ocp.args.StandardSave(state), "meta": ocp.args.JsonSave(meta or {})}
        self._manager.save(int(step), args=ocp.args.Composite(**items), force=True)
        self._manager.wait_until_finished()

    def restore(self, target, step: int | None = None):
        """Restore checkpoint `step` (default: latest) into the structure, shapes, dtypes and
        shardings of `target`; returns (state, meta)."""
        step = self.latest_step() if step is None else step
        if step is None:
            raise FileNotFoundError(f"no checkpoint in {self.directory}")
        abstract = jax.tree_util.tree_map(ocp.utils.to_shape_dtype_struct, target)
        items = {"state": ocp.args.StandardRestore(abstract), "meta": ocp.args.JsonRestore()}
        try:
            restored = self._manager.restore(step, args=ocp.args.Composite(**items))
        except ValueError as err:
            raise ValueError(
                f"checkpoint {step} in {self.directory} does not fit the state this run builds (its "
                f"model or optimizer has another structure or shape). Run with the config it was saved "
                f"with, or use another work directory. Orbax: {err}"
            ) from None
        return restored.state, dict(restored.meta or {})

    def close(self) -> None:
        self._manager.close()

