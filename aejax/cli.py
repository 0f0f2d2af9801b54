"""`aejax list | run | report` (and commands contributed by other modules)."""
import argparse
import importlib
import json
import shutil
import sys
import time
from pathlib import Path

# Modules adding a subcommand through `add_parser(subparsers)`; one line per module.
COMMAND_MODULES: tuple[str, ...] = ("aejax.data.cli", "aejax.score", "aejax.bench", "aejax.anomaly.cli")


def _cmd_list(args) -> int:
    from aejax import registry

    rows = [registry.describe(n) for n in registry.names()]
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    header = ("name", "paper", "metric", "reference", "data")
    table = [header] + [(r["name"], r["paper"], r["metric"] or "", "" if r["reference"] is None else f"{r['reference']:g} {r['units']}".strip(), r["data"]) for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
    return 0


def parse_overrides(extra: list[str]) -> dict[str, str]:
    """`--config.a.b=v` or `--config.a.b v` pairs -> {"a.b": "v"}; anything else is an error."""
    overrides, i = {}, 0
    while i < len(extra):
        arg = extra[i]
        if not arg.startswith("--config."):
            raise SystemExit(f"aejax run: unrecognised argument {arg!r}; config overrides look like --config.train.epochs=5")
        key, eq, value = arg[len("--config.") :].partition("=")
        if not eq:
            if i + 1 >= len(extra):
                raise SystemExit(f"aejax run: {arg} needs a value (--config.{key}=VALUE)")
            value, i = extra[i + 1], i + 1
        overrides[key] = value
        i += 1
    return overrides


def _device_info() -> dict:
    import jax

    devices = jax.devices()
    return {"platform": devices[0].platform, "kind": devices[0].device_kind, "count": len(devices), "processes": jax.process_count()}


def _check_same_config(workdir: Path, config: dict) -> None:
    path = workdir / "config.json"
    if not path.exists():
        return
    old = json.loads(path.read_text())
    strip = lambda c: {**c, "data": {k: v for k, v in c.get("data", {}).items() if k != "data_dir"}}  # noqa: E731
    if strip(old) != strip(config):
        diff = sorted(k for k in set(old) | set(config) if old.get(k) != config.get(k))
        raise SystemExit(
            f"aejax run: {workdir} holds a run with a different config (differs in: {', '.join(diff)}). "
            "Use another --workdir, or --overwrite to start this one afresh."
        )


def run_experiment(name: str, workdir: Path, *, quick: bool = False, overrides: dict | None = None, overwrite: bool = False, quiet: bool = False, devices: int | None = None) -> dict:
    """Run a registered experiment into `workdir` (resuming if it holds the same run) data-parallel
    over `devices` devices (default all); returns results."""
    from aejax import config as config_lib, distributed, registry, report, tasks
    from aejax.run import Run

    cfg = registry.load(name, quick=quick, overrides=overrides)
    runner = tasks.get(cfg.task)
    if overwrite and workdir.exists():
        shutil.rmtree(workdir)
    as_dict = config_lib.to_dict(cfg)
    workdir.mkdir(parents=True, exist_ok=True)
    _check_same_config(workdir, as_dict)
    primary = distributed.is_primary()
    if primary:
        (workdir / "config.json").write_text(json.dumps(as_dict, indent=2) + "\n")
    run = Run(workdir, quiet=quiet) if primary else distributed.FollowerRun(workdir)
    run.print(f"aejax run {name}{' --quick' if quick else ''} -> {workdir}")
    mesh = distributed.make_mesh(devices)
    run.print(f"mesh: {distributed.describe(mesh)}")
    run.log({"event": "mesh", **distributed.describe(mesh)})
    start = time.perf_counter()
    try:
        with distributed.use_mesh(mesh):
            out = runner(cfg, run)
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
        "device": {**_device_info(), "mesh": distributed.describe(mesh)},
        "figures": out.get("figures", []),
        "tables": out.get("tables", {}),
        "notes": out.get("notes", []),
        "config": as_dict,
    }
    if primary:
        report.write(workdir, results)
    run.print(report.comparison_table(report.compare(results["metrics"], results["reference"])) if results["reference"] else "")
    run.print(f"results: {workdir / 'results.json'}  report: {workdir / 'report.md'}  ({seconds:.1f} s)")
    return results


def _cmd_run(args, extra) -> int:
    overrides = parse_overrides(extra)
    if args.data_dir:
        overrides["data.data_dir"] = args.data_dir
    workdir = Path(args.workdir or Path("runs") / (args.name + ("-quick" if args.quick else "")))
    try:
        from aejax import distributed

        distributed.initialize(args.coordinator, args.num_processes, args.process_id)
        run_experiment(args.name, workdir, quick=args.quick, overrides=overrides, overwrite=args.overwrite, devices=args.devices)
    except (KeyError, TypeError, ValueError, FileNotFoundError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"aejax run: error: {message}", file=sys.stderr)
        return 2
    return 0


def _cmd_report(args) -> int:
    from aejax import report

    results = []
    for d in args.workdirs:
        path = Path(d) / "results.json"
        if not path.exists():
            print(f"aejax report: error: no results.json in {d}", file=sys.stderr)
            return 2
        res = json.loads(path.read_text())
        report.write(Path(d), res)
        results.append(res)
    table = report.combined(results)
    if args.out:
        Path(args.out).write_text(table)
    print(table)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aejax", description="Autoencoders in JAX/Flax: registered paper runs.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="registered experiments with their paper values")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=lambda a, extra: _cmd_list(a))
    p = sub.add_parser("run", help="run a registered experiment (resumes an existing work directory)")
    p.add_argument("name", help="experiment name, e.g. mnist/ae (see `aejax list`)")
    p.add_argument("--workdir", help="work directory (default runs/NAME)")
    p.add_argument("--quick", action="store_true", help="small variant that finishes in about a minute on a CPU")
    p.add_argument("--data-dir", help="folder with the dataset's files (default $AEJAX_DATA_DIR/<dataset>)")
    p.add_argument("--overwrite", action="store_true", help="delete the work directory first instead of resuming")
    p.add_argument("--devices", type=int, help="data-parallel over the first N devices (default: all)")
    p.add_argument("--coordinator", help="multi-host: HOST:PORT of process 0 (or JAX_COORDINATOR_ADDRESS)")
    p.add_argument("--num-processes", type=int, help="multi-host: number of processes (or JAX_NUM_PROCESSES)")
    p.add_argument("--process-id", type=int, help="multi-host: this process's index (or JAX_PROCESS_ID)")
    p.set_defaults(func=_cmd_run, takes_overrides=True)
    p = sub.add_parser("report", help="rebuild report.md of runs; several runs make one table")
    p.add_argument("workdirs", nargs="+")
    p.add_argument("--out", help="also write the combined table to this file")
    p.set_defaults(func=lambda a, extra: _cmd_report(a))
    for module in COMMAND_MODULES:
        importlib.import_module(module).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "takes_overrides", False):
        parser.error(f"unrecognised arguments: {' '.join(extra)}")
    return args.func(args, extra)


if __name__ == "__main__":
    sys.exit(main())
