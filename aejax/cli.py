"""`aejax list | run | config | report` (and commands contributed by other modules).

Errors print one line, `aejax COMMAND: error: ...`, and exit 2 for a usage, config or data
error, 1 for a failure while the run trains (a diverging loss, a full disk, any unforeseen
exception); set AEJAX_TRACEBACK=1 to get the Python traceback instead.
"""
import argparse
import importlib
import json
import os
import re
import shlex
import sys
from pathlib import Path

# Modules adding a subcommand through `add_parser(subparsers)`; one line per module.
COMMAND_MODULES: tuple[str, ...] = ("aejax.data.cli", "aejax.bench", "aejax.anomaly.commands")
LIST_WIDTH = 100


class UsageError(ValueError):
    """A command line, config or input file the command cannot use (exit 2)."""


def short_citation(paper: str) -> str:
    """"Xie, Girshick, Farhadi (2016), Title" -> "Xie et al. (2016)"; "A & B (2006), ..." kept
    as "A & B (2006)"; text without an "(year)" is returned whole."""
    match = re.match(r"\s*([^()]*?)\s*\((\d{4}[a-z]?)\)", paper)
    if not match:
        return paper
    authors = [a.strip() for a in re.split(r",|&| and ", match[1]) if a.strip()]
    who = match[1].strip() if len(authors) <= 2 else f"{authors[0]} et al."
    return f"{who} ({match[2]})"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _fit_columns(rows: list[tuple[str, ...]], width: int, *, squeeze: int = 1, last_room: int = 16) -> list[str]:
    """Rows as aligned text lines no longer than `width`: column `squeeze` is cut (with '…') so the
    last column keeps at least `last_room` characters, then the last column is cut to fit."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    deficit = sum(w + 2 for w in widths) + last_room - width
    if deficit > 0:
        widths[squeeze] = max(widths[squeeze] - deficit, len(rows[0][squeeze]))
    lines = []
    for row in rows:
        head = "  ".join(_cut(v, w).ljust(w) for v, w in zip(row, widths)) + "  "
        lines.append((head + _cut(row[-1], max(width - len(head), 1))).rstrip())
    return lines


def _measured(row: dict, rec: dict | None) -> tuple[str, str]:
    """(value, date) of the latest full run's primary metric ("" when there is none); the value
    ends in "*" when that run changed the config."""
    metric = row["metric"] or (rec or {}).get("primary_metric")
    value = (rec or {}).get("metrics", {}).get(metric) if metric else None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "", ""
    return f"{value:.4g}" + ("*" if rec.get("overrides") else ""), rec["date"][:10]


def _cmd_list(args) -> int:
    from aejax import registry, results

    rows = [registry.describe(n) for n in registry.names()]
    for row in rows:
        row["measured"] = results.latest(row["name"], registered_first=True)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    table = [("name", "metric", "paper", "ours", "date", "citation")]
    for r in rows:
        metric = r["metric"] or (r["measured"] or {}).get("primary_metric") or ""
        paper = "" if r["reference"] is None else f"{r['reference']:.4g}"
        table.append((r["name"], metric, paper, *_measured(r, r["measured"]), short_citation(r["paper"])))
    print("\n".join(_fit_columns(table, LIST_WIDTH)))
    print("ours: the latest full run recorded in results/ (aejax run NAME --record); * with config overrides")
    print("units, data sources, full citations and records: aejax list --json; config keys: aejax config NAME")
    return 0


def parse_overrides(extra: list[str]) -> dict[str, str]:
    """`--config.a.b=v` or `--config.a.b v` pairs -> {"a.b": "v"}; anything else is a UsageError."""
    overrides, i = {}, 0
    while i < len(extra):
        arg = extra[i]
        if not arg.startswith("--config."):
            raise UsageError(f"unrecognised argument {arg!r}; config overrides look like --config.train.epochs=5")
        key, eq, value = arg[len("--config.") :].partition("=")
        if not eq:
            if i + 1 >= len(extra):
                raise UsageError(f"{arg} needs a value (--config.{key}=VALUE)")
            value, i = extra[i + 1], i + 1
        overrides[key] = value
        i += 1
    return overrides


def _cmd_run(args, extra) -> int:
    overrides = dict(args.overrides)
    if args.data_dir:
        overrides["data.data_dir"] = args.data_dir
    if args.tensorboard:
        overrides["log.tensorboard"] = "True"
    workdir = Path(args.workdir or Path("runs") / (args.name + ("-quick" if args.quick else "")))
    from aejax import distributed, experiment

    distributed.initialize(args.coordinator, args.num_processes, args.process_id)
    try:
        experiment.run_experiment(args.name, workdir, quick=args.quick, overrides=overrides, overwrite=args.overwrite,
                                  devices=args.devices, continue_run=args.continue_run, record=args.record,
                                  command=args.command_line)
    except FloatingPointError as err:  # the NaN guard: the last good checkpoint is kept
        folders = "".join(f" --experiments {folder}" for folder in args.experiments or ())
        raise FloatingPointError(
            f"{err} To go on from that checkpoint in this work directory, rerun with --continue and the changed "
            f"setting, e.g. aejax run {args.name} --workdir {workdir}{folders} --continue "
            "--config.train.optimizer.learning_rate=..."
        ) from None
    return 0


def _cmd_config(args, extra) -> int:
    from aejax import config as config_lib, registry

    cfg = registry.load(args.name, quick=args.quick, overrides=args.overrides)
    flat = config_lib.leaves(config_lib.to_dict(cfg))
    if args.json:
        print(json.dumps(flat, indent=1))
        return 0
    width = max(map(len, flat))
    for key, value in flat.items():
        print(f"{key.ljust(width)}  {json.dumps(value)}")
    return 0


def _read_results(workdir: str) -> dict:
    path = Path(workdir) / "results.json"
    try:
        results = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UsageError(f"{path} is not valid JSON ({err}); run the experiment again to rewrite it") from None
    if not isinstance(results, dict) or not isinstance(results.get("metrics"), dict) or "experiment" not in results:
        raise UsageError(f"{path} is not an aejax results file (it needs 'experiment' and a 'metrics' mapping)")
    return results


def _cmd_report(args) -> int:
    from aejax import report

    workdirs = []
    for d in args.workdirs:
        if (Path(d) / "results.json").is_file():
            workdirs.append(d)
        else:
            print(f"aejax report: warning: no results.json in {d}, skipped (a run writes it when it finishes: "
                  f"aejax run NAME --workdir {d})", file=sys.stderr)
    if not workdirs:
        raise UsageError("none of the directories holds a results.json; run an experiment there first")
    results = [_read_results(d) for d in workdirs]
    out = Path(args.out) if args.out else None
    if out is not None and (out.is_dir() or not out.parent.is_dir()):
        raise UsageError(f"--out {out}: " + ("that is a folder; give a file name" if out.is_dir() else f"the folder {out.parent} does not exist"))
    rendered = [report.render(res) for res in results]
    table = report.combined(results)
    for d, text in zip(workdirs, rendered):
        (Path(d) / "report.md").write_text(text)
    if out is not None:
        out.write_text(table)
    print(table)
    return 0


RUN_EPILOG = """\
config overrides:
  --config.KEY=VALUE (or --config.KEY VALUE) sets any field of the experiment's config, e.g.
  --config.train.epochs=5 --config.train.optimizer.learning_rate=3e-4 --config.model.sizes='(784,64,8)'.
  VALUE is read as a Python literal (number, tuple, True/False, None), else as a string; a key
  holding a string takes VALUE as written (--config.corruption.name=none is "none"). An unknown
  KEY or a VALUE of the wrong type is an error naming the key. `aejax config NAME` lists the keys
  with their values.

work directories:
  Running the same command again resumes from the last checkpoint. One run per work directory at a
  time. A different config on an existing work directory is refused; --continue accepts changed
  train.* keys (e.g. a lower learning rate after a diverged run) and goes on from the last checkpoint,
  recording the change in config_history.jsonl (it starts from the run's config.json, so give only
  the keys to change); --overwrite starts afresh.
"""


def _experiments_option(parser) -> None:
    parser.add_argument("--experiments", action="append", metavar="DIR",
                        help="also search this folder of your own experiments (repeatable; or $AEJAX_EXPERIMENTS)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aejax", description="Autoencoders in JAX/Flax: registered paper runs.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="registered experiments with their paper values")
    p.add_argument("--json", action="store_true", help="machine-readable output, every field")
    _experiments_option(p)
    p.set_defaults(func=lambda a, extra: _cmd_list(a))
    p = sub.add_parser("run", help="run a registered experiment (resumes an existing work directory)",
                       usage="aejax run NAME [options] [--config.KEY=VALUE ...]",
                       epilog=RUN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", help="experiment name, e.g. mnist/ae (see `aejax list`)")
    p.add_argument("--workdir", help="work directory (default runs/NAME)")
    p.add_argument("--quick", action="store_true", help="small variant that finishes in about a minute on a CPU")
    p.add_argument("--data-dir", help="folder with the dataset's files (default $AEJAX_DATA_DIR/<dataset>)")
    p.add_argument("--overwrite", action="store_true", help="delete the work directory's run first instead of resuming")
    p.add_argument("--continue", dest="continue_run", action="store_true",
                   help="go on from the last checkpoint with changed train.* keys (recorded in config_history.jsonl)")
    p.add_argument("--tensorboard", action="store_true",
                   help="also write TensorBoard event files (scalars, figures) into WORKDIR/tensorboard "
                        "(config.log.tensorboard; needs pip install 'aejax[tensorboard]')")
    p.add_argument("--devices", type=int, help="data-parallel over the first N devices (default: all)")
    p.add_argument("--record", action="store_true",
                   help="once the run succeeds, append its record (metrics, commit, machine, load, wall time, command) "
                        "to results/GROUP/NAME.jsonl (or under $AEJAX_RESULTS_DIR), which `aejax list` prints")
    p.add_argument("--coordinator", help="multi-host: HOST:PORT of process 0 (or JAX_COORDINATOR_ADDRESS)")
    p.add_argument("--num-processes", type=int, help="multi-host: number of processes (or JAX_NUM_PROCESSES)")
    p.add_argument("--process-id", type=int, help="multi-host: this process's index (or JAX_PROCESS_ID)")
    _experiments_option(p)
    p.set_defaults(func=_cmd_run, takes_overrides=True)
    p = sub.add_parser("config", help="an experiment's config keys with their values (after --config.KEY=VALUE overrides)",
                       usage="aejax config NAME [--quick] [--json] [--config.KEY=VALUE ...]")
    p.add_argument("name", help="experiment name, e.g. mnist/ae")
    p.add_argument("--quick", action="store_true", help="the quick variant's config")
    p.add_argument("--json", action="store_true", help="one JSON object {key: value}")
    _experiments_option(p)
    p.set_defaults(func=_cmd_config, takes_overrides=True)
    p = sub.add_parser("report", help="rebuild report.md of runs; several runs make one table (a directory without "
                       "results.json is skipped with a warning)")
    p.add_argument("workdirs", nargs="+")
    p.add_argument("--out", help="also write the combined table to this file")
    p.set_defaults(func=lambda a, extra: _cmd_report(a))
    for module in COMMAND_MODULES:
        importlib.import_module(module).add_parser(sub)
    for name in ("bench",):
        _experiments_option(sub.choices[name])
    return parser


USAGE_ERRORS = (UsageError, KeyError, TypeError, ValueError, FileNotFoundError, NotADirectoryError)


def main(argv: list[str] | None = None) -> int:
    from aejax import registry
    from aejax.run import WorkdirInUseError

    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    args.command_line = "aejax " + shlex.join(sys.argv[1:] if argv is None else argv)
    if extra and not getattr(args, "takes_overrides", False):
        parser.error(f"unrecognised arguments: {' '.join(extra)}")
    command = " ".join(filter(None, (args.command, getattr(args, "data_command", None),
                                     getattr(args, "anomaly_command", None))))
    try:
        args.overrides = parse_overrides(extra) if getattr(args, "takes_overrides", False) else {}
        with registry.extra_folders(getattr(args, "experiments", None)):
            return args.func(args, extra)
    except BrokenPipeError:  # e.g. `aejax list | head`: the reader has gone, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (*USAGE_ERRORS, WorkdirInUseError, FloatingPointError, OSError) as err:
        if os.environ.get("AEJAX_TRACEBACK"):
            raise
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"aejax {command}: error: {message}", file=sys.stderr)
        return 2 if isinstance(err, (*USAGE_ERRORS, WorkdirInUseError)) else 1
    except KeyboardInterrupt:
        print(f"aejax {command}: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    except Exception as err:  # a failure nobody foresaw: still one line, exit 1
        if os.environ.get("AEJAX_TRACEBACK"):
            raise
        print(f"aejax {command}: error: {type(err).__name__}: {err} (AEJAX_TRACEBACK=1 shows where)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
