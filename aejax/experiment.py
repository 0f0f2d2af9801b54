"""Running a registered experiment into a work directory: the library's `train_and_evaluate`.

    results = run_experiment("mnist/ae", Path("runs/ae"), overrides={"train.epochs": "5"})

The CLI (`aejax run`), tasks that run other experiments (anomaly/all), the tests and the golden
tool call `run_experiment`; none of them imports the CLI. A work directory holds one run: running
the same experiment again resumes it, a different config is refused (naming each differing key)
unless `continue_run` (changed `train.*` keys, from the last checkpoint) or `overwrite` (only what
aejax wrote is deleted) says otherwise. With `record`, a run that succeeds appends its record
(metrics, commit, machine, load, wall time, command) to the results files (aejax/results.py).
"""
import contextlib
import json
import time
from pathlib import Path

from aejax import config as config_lib, registry, report, results as results_lib, run as run_lib, tasks


class WorkdirConflictError(ValueError):
    """The work directory holds a run that this one may not resume or continue."""


def device_info() -> dict:
    import jax

    devices = jax.devices()
    return {"platform": devices[0].platform, "kind": devices[0].device_kind, "count": len(devices), "processes": jax.process_count()}


def config_changes(old: dict, new: dict) -> dict[str, list]:
    """{leaf key: [old value, new value]} for every leaf that differs (data.data_dir, a
    location rather than a setting, and log.*, what a run writes besides its results, are
    ignored); missing leaves read as None."""
    a, b = config_lib.leaves(old), config_lib.leaves(new)
    return {k: [a.get(k), b.get(k)] for k in sorted(set(a) | set(b))
            if k != "data.data_dir" and not k.startswith("log.") and a.get(k) != b.get(k)}


CONTINUABLE = "train."  # the keys --continue may change: the training procedure, not the model or data


def saved_overrides(workdir: Path) -> dict[str, str]:
    """The config.json of the run in `workdir` as --config overrides (what --continue starts from)."""
    path = workdir / "config.json"
    if not path.is_file():
        raise WorkdirConflictError(f"--continue needs a work directory holding a run; {workdir} has no config.json")
    saved = config_lib.leaves(json.loads(path.read_text()))
    return {k: json.dumps(v) for k, v in saved.items() if v != {}}


def changes_on_resume(workdir: Path, config: dict, allow_train_changes: bool) -> dict[str, list]:
    """The config changes against `workdir`'s config.json; WorkdirConflictError when they are not allowed."""
    path = workdir / "config.json"
    if not path.exists():
        return {}
    changes = config_changes(json.loads(path.read_text()), config)
    listed = "; ".join(f"{k}: {json.dumps(old)} -> {json.dumps(new)}" for k, (old, new) in changes.items())
    if changes and not allow_train_changes:
        raise WorkdirConflictError(
            f"{workdir} holds a run with a different config ({listed}). Use another --workdir, "
            f"--continue to go on from its last checkpoint with changed {CONTINUABLE}* keys, or --overwrite to start afresh."
        )
    fixed = [k for k in changes if not k.startswith(CONTINUABLE)]
    if fixed:
        raise WorkdirConflictError(
            f"--continue may change only {CONTINUABLE}* keys; {', '.join(fixed)} differ from the run in {workdir} "
            f"({listed}). Use another --workdir or --overwrite for a different model, data or task."
        )
    return changes


def run_experiment(name: str, workdir: Path, *, quick: bool = False, overrides: dict | None = None, overwrite: bool = False,
                   quiet: bool = False, devices: int | None = None, continue_run: bool = False, record: bool = False,
                   command: str | None = None) -> dict:
    """Run a registered experiment into `workdir` (resuming if it holds the same run) data-parallel
    over `devices` devices (default all); returns results.

    One run per work directory (a second is refused naming the first one's PID). With
    `continue_run`, `train.*` keys may differ from the run in `workdir`: it continues from its last
    checkpoint and config_history.jsonl records the change. With `record`, the finished run's record
    (`command` says how it was started) is appended to the results files; without a results folder
    that is an error before any work.
    """
    from aejax import distributed  # jax

    if overwrite and continue_run:
        raise WorkdirConflictError("--overwrite deletes the run that --continue would continue; give one of them")
    if record:
        results_lib.require_folder()
    load_start = results_lib.load_average()
    if continue_run:  # the run's own config, then the changes given
        overrides = {**saved_overrides(workdir), **(overrides or {})}
    cfg = registry.load(name, quick=quick, overrides=overrides)
    runner = tasks.get(cfg.task)
    tensorboard = bool(cfg.get("log", {}).get("tensorboard", False))
    if tensorboard:
        from aejax import tensorboard as tensorboard_lib

        tensorboard_lib.check_available()
    as_dict = config_lib.to_dict(cfg)
    primary = distributed.is_primary()
    with run_lib.workdir_lock(workdir) if primary else contextlib.nullcontext():
        if overwrite and primary:
            run_lib.clear_workdir(workdir)
        changes = changes_on_resume(workdir, as_dict, continue_run)
        mesh = distributed.make_mesh(devices)
        if primary:
            run_lib.truncate_to_last_checkpoint(workdir)
            run = run_lib.Run(workdir, quiet=quiet, config=as_dict, changes=changes, tensorboard=tensorboard,
                              preamble=({"event": "mesh", **distributed.describe(mesh)},))
        else:
            run = distributed.FollowerRun(workdir)
        run.print(f"aejax run {name}{' --quick' if quick else ''} -> {workdir}")
        expectation = registry.expected(name)
        if expectation:
            run.print(f"expected{' (full run)' if quick else ''}: {expectation}")
        for key, (old, new) in changes.items():
            run.print(f"continuing with {key}: {json.dumps(old)} -> {json.dumps(new)}")
        run.print(f"mesh: {distributed.describe(mesh)}")
        start = time.perf_counter()
        try:
            with distributed.use_mesh(mesh):
                out = runner(cfg, run)
            run.start()  # a task that neither logged nor saved still leaves its config
            run.add_figures(out.get("figures", []))
        finally:
            run.close()
        seconds = time.perf_counter() - start
        rates = [r["examples_per_s"] for r in run.history() if "examples_per_s" in r]
        results = {
            "experiment": name,
            "quick": quick,
            "paper": cfg.get("paper", ""),
            "metrics": out["metrics"],
            "reference": config_lib.to_dict(cfg.reference),
            "timing": {"seconds": seconds, "examples_per_s": rates[-1] if rates else None, **out.get("timing", {})},
            "device": {**device_info(), "mesh": distributed.describe(mesh)},
            "figures": out.get("figures", []),
            "tables": out.get("tables", {}),
            "notes": out.get("notes", []),
            "config": as_dict,
        }
        if primary:
            report.write(workdir, results)
        if primary and record:
            registered = config_lib.to_dict(registry.get_config(name, quick))
            results_lib.record(
                cfg.experiment, out["metrics"], reference={k: v["value"] for k, v in results["reference"].items()},
                primary_metric=registry.primary_metric(cfg), quick=quick,
                overrides={k: new for k, (_, new) in config_changes(registered, as_dict).items()},
                command=command or f"run_experiment({name!r}, {str(workdir)!r})", wall_seconds=seconds,
                load_start=load_start, devices=results["device"], workdir=str(workdir))
    run.print(report.paper_table(results) if results["reference"] else "")
    run.print(f"results: {workdir / 'results.json'}  report: {workdir / 'report.md'}  ({seconds:.1f} s)")
    return results
