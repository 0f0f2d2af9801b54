"""`aejax bench NAME`: throughput, FLOP/s and utilisation of an experiment's training step.

It times the step the experiment trains with: `aejax.train.fit.prepare` builds the model, state
and step of the config (after `--config.KEY=VALUE` overrides) exactly as `train_autoencoder`
does: its model (MLP, convolutional, VAE, any registered one), objective, regularisers and
corruption, on batches of its training data. For each device count and batch size it compiles the
engine's epoch program (`loop.compile_epoch`, the one `fit` runs) over `steps` batches, so one
call is one timed window of `steps` steps. Reported per configuration:

- compile_s: lowering + compilation of the epoch program (seconds)
- step_ms (median) and step_ms_spread (max - min) over `windows` timed windows after a warm-up
  window, each ended by `block_until_ready`
- examples_per_s: batch size / median step time
- flops_per_step: XLA cost analysis of the lowered single train step (all devices together)
- achieved_tflops: flops_per_step / median step time
- peak_measured_tflops: the best rate of matrix-product probes in the compute dtype, timed
  before every window (interleaved with the step, so load that slows one slows the other): the
  step's largest product ([batch / devices, K] x [K, N] of its widest 2-D kernel) and a 512-cube,
  times the device count
- peak_published_tflops: the datasheet's dense peak of the device kind (table below; GPU/TPU)
- peak_tflops: the published peak when the device kind is in the table, else the measured one;
  peak_source says which. utilisation = achieved / peak; an utilisation above 100 % means the
  peak is wrong, and is reported as an error (the row's `error`), never as a figure
- memory_xla_estimate_mb: argument + output + temporary bytes of the compiled epoch program, less
  aliased (donated) bytes, as XLA's memory analysis reports them for one device
- memory_peak_measured_mb: the first device's peak bytes in use in this process, where the backend
  reports it (GPU, TPU; None on CPU)
- the run's context: device kind and count, jax / jaxlib / flax versions, git commit, XLA_FLAGS,
  the host's load averages (1, 5, 15 min) before the first window, the overrides and the objective
"""
import json
import statistics
import time
from pathlib import Path

# Dense peak TFLOP/s per chip: (float32 as XLA runs it by default, bfloat16). NVIDIA float32
# matmuls use TF32 tensor cores under JAX's default precision, so the float32 peak is TF32's.
# Sources: NVIDIA H100/H200/A100/L4/V100 datasheets (dense, SXM parts), Google Cloud TPU docs.
KNOWN_PEAK_TFLOPS: dict[str, tuple[float, float]] = {
    "H200": (494.7, 989.4),
    "H100": (494.7, 989.4),
    "A100": (156.0, 312.0),
    "L4": (60.0, 121.0),
    "V100": (15.7, 125.0),
    "TPU v4": (275.0, 275.0),
    "TPU v5 lite": (197.0, 197.0),
    "TPU v5e": (197.0, 197.0),
    "TPU v5p": (459.0, 459.0),
    "TPU v5": (459.0, 459.0),
    "TPU v6 lite": (918.0, 918.0),
    "TPU v6e": (918.0, 918.0),
}

DTYPES = ("bfloat16", "float32")  # compute dtypes (jax is imported only when a benchmark runs)


def known_peak_tflops(device_kind: str, dtype: str) -> float | None:
    """Per-chip dense peak for `device_kind` (e.g. "NVIDIA H100 80GB HBM3"), or None if unknown."""
    for name in sorted(KNOWN_PEAK_TFLOPS, key=len, reverse=True):
        if name.lower() in device_kind.lower():
            fp32, bf16 = KNOWN_PEAK_TFLOPS[name]
            return bf16 if dtype == "bfloat16" else fp32
    return None


def matmul_probe(dtype: str, m: int, k: int, n: int, repeats: int):
    """A compiled [m, k] @ [k, n] product run `repeats` times in one call (a loop whose input
    changes each time, so XLA can neither merge nor hoist the products); returns
    `probe() -> TFLOP/s` of one timed call. The first call compiles."""
    import jax
    import jax.numpy as jnp

    x = jax.random.normal(jax.random.PRNGKey(0), (m, k), dtype)
    w = jax.random.normal(jax.random.PRNGKey(1), (k, n), dtype) / k

    @jax.jit
    def products(x, w):
        body = lambda i, acc: acc + (x * (1 + i.astype(x.dtype) * 1e-3)) @ w  # noqa: E731
        return jax.lax.fori_loop(0, repeats, body, jnp.zeros((m, n), x.dtype))

    products(x, w).block_until_ready()
    flops = 2.0 * m * k * n * repeats
    return lambda: flops / _timed(lambda: products(x, w).block_until_ready()) / 1e12


def probe_shapes(params, rows: int) -> list[tuple[int, int, int]]:
    """(m, k, n) of the probes at `rows` examples per device: the product of the widest 2-D
    kernel [K, N] in `params` (if any) and a 512-cube."""
    import jax

    kernels = [leaf.shape for leaf in jax.tree_util.tree_leaves(params) if leaf.ndim == 2]
    widest = [(rows, *max(kernels, key=lambda kn: kn[0] * kn[1]))] if kernels else []
    return widest + [(512, 512, 512)]


def choose_peak(device_kind: str, dtype: str, measured_tflops: float, devices: int) -> tuple[float, str]:
    """(peak TFLOP/s of `devices` devices, which peak that is): the published one when
    `device_kind` is in KNOWN_PEAK_TFLOPS, else the measured one."""
    published = known_peak_tflops(device_kind, dtype)
    if published is not None:
        return published * devices, f"published ({device_kind}, dense {dtype}, datasheet table)"
    return measured_tflops, "measured (best matmul probe, interleaved with the step)"


def utilisation(achieved_tflops: float, peak_tflops: float | None) -> tuple[float | None, str | None]:
    """(achieved / peak, None), or (None, an error) when that exceeds 100 %: a rate above the
    peak means the peak is wrong, not that the step is fast."""
    if peak_tflops is None or not peak_tflops > 0:
        return None, None
    ratio = achieved_tflops / peak_tflops
    if ratio > 1.0:
        return None, (f"achieved {achieved_tflops:.4g} TFLOP/s exceeds the peak {peak_tflops:.4g} TFLOP/s "
                      f"({ratio:.1%}): that peak is wrong for this device (or every probe was slowed); no utilisation reported")
    return ratio, None


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _cost_flops(lowered) -> float:
    """FLOPs of a lowered (not yet compiled) program: the whole computation, before the backend
    moves matrix products into library calls (XLA:GPU's compiled cost analysis does not count
    cuBLAS calls, and reported 16.6 GFLOP for a 170 GFLOP step on an H200)."""
    cost = lowered.cost_analysis()
    if isinstance(cost, (list, tuple)):
        cost = cost[0]
    return float(cost.get("flops", float("nan")))


def _xla_memory_bytes(compiled) -> float:
    mem = compiled.memory_analysis()
    if mem is None:
        return float("nan")
    total = mem.argument_size_in_bytes + mem.output_size_in_bytes + mem.temp_size_in_bytes - mem.alias_size_in_bytes
    return float(total)


def _measured_peak_bytes(device) -> float | None:
    """The device's peak bytes in use in this process, or None where the backend keeps no count."""
    stats = device.memory_stats() if hasattr(device, "memory_stats") else None
    return float(stats["peak_bytes_in_use"]) if stats and "peak_bytes_in_use" in stats else None


def training_setup(cfg, dtype: str):
    """(model, fresh TrainState, train step, training examples x [N, ...]) of an experiment config,
    as `train_autoencoder` builds them (`aejax.train.fit.prepare`), in compute dtype `dtype`."""
    from aejax import data
    from aejax.train import fit

    cfg = cfg.copy_and_resolve_references()
    cfg.train.compute_dtype = dtype
    train = data.load(cfg.data.name, cfg.data.train_split, data_dir=cfg.data.get("data_dir"))
    ready = fit.prepare(cfg, train)
    return ready.model, ready.state, ready.step, ready.x


def _device_kind(device) -> str:
    return device.device_kind


def context() -> dict:
    """Versions, commit, XLA flags and host load of this process."""
    import os
    import subprocess

    import flax
    import jax
    import jaxlib

    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True).stdout.strip()
        commit += "-dirty" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {"jax_version": jax.__version__, "jaxlib_version": jaxlib.__version__, "flax_version": flax.__version__,
            "git_commit": commit, "xla_flags": os.environ.get("XLA_FLAGS", ""), "host_load": list(os.getloadavg())}


def measure(cfg, *, batch_size: int, devices: int, dtype: str = "float32", steps: int = 20, windows: int = 5) -> dict:
    """Benchmark the training step of `cfg` at one batch size on the first `devices` devices."""
    import jax
    import numpy as np

    from aejax import distributed, objectives, params as params_lib
    from aejax.train import loop

    mesh = distributed.make_mesh(devices)
    _, state, step, x = training_setup(cfg, dtype)
    num_params = params_lib.count(state.params)
    data = x[np.arange(steps * batch_size) % x.shape[0]]
    state = distributed.put_replicated(state, mesh)
    data = distributed.put_examples(data, mesh)

    batch = distributed.put_examples(data[:batch_size], mesh)
    one_step = jax.jit(step, in_shardings=(distributed.state_shardings(state, mesh), distributed.example_shardings(batch, mesh)))
    flops = _cost_flops(one_step.lower(state, batch))

    start = time.perf_counter()
    epoch = loop.compile_epoch(step, batch_size, state, data, mesh)
    compile_s = time.perf_counter() - start
    xla_memory = _xla_memory_bytes(epoch)

    window_flops = flops * steps / devices
    probes = {(m, k, n): matmul_probe(dtype, m, k, n, int(np.clip(round(window_flops / (2 * m * k * n)), 1, 10_000)))
              for m, k, n in probe_shapes(state.params, max(batch_size // devices, 1))}
    state, _ = epoch(state, data)  # warm-up window
    jax.block_until_ready(state)
    run_context = context()
    step_times, probe_rates = [], {shape: [] for shape in probes}
    for _ in range(windows):
        for shape, probe in probes.items():
            probe_rates[shape].append(probe())
        start = time.perf_counter()
        state, metrics = epoch(state, data)
        jax.block_until_ready((state, metrics))
        step_times.append((time.perf_counter() - start) / steps)
    median = statistics.median(step_times)
    best_shape = max(probe_rates, key=lambda shape: max(probe_rates[shape]))
    measured = max(probe_rates[best_shape]) * devices

    device = mesh.devices.flat[0]
    kind = _device_kind(device)
    achieved = flops / median / 1e12
    peak, source = choose_peak(kind, dtype, measured, devices)
    util, error = utilisation(achieved, peak)
    published = known_peak_tflops(kind, dtype)
    measured_memory = _measured_peak_bytes(device)
    return {
        "experiment": cfg.experiment,
        "objective": objectives.label(cfg),
        "platform": device.platform,
        "device_kind": kind,
        "devices": devices,
        "device_count": jax.device_count(),
        "batch_size": batch_size,
        "dtype": dtype,
        "num_params": num_params,
        "steps_per_window": steps,
        "windows": windows,
        "compile_s": compile_s,
        "step_ms": median * 1e3,
        "step_ms_spread": (max(step_times) - min(step_times)) * 1e3,
        "examples_per_s": batch_size / median,
        "flops_per_step": flops,
        "achieved_tflops": achieved,
        "peak_measured_tflops": measured,
        "peak_published_tflops": None if published is None else published * devices,
        "peak_tflops": peak,
        "peak_source": source,
        "peak_probe": f"[{best_shape[0]}x{best_shape[1]}] x [{best_shape[1]}x{best_shape[2]}] {dtype}, best of {windows}",
        "utilisation": util,
        "error": error,
        "memory_xla_estimate_mb": xla_memory / 2**20,
        "memory_peak_measured_mb": None if measured_memory is None else measured_memory / 2**20,
        **run_context,
    }


def run_bench(name: str, *, batch_sizes, devices, dtype: str = "float32", steps: int = 20, windows: int = 5, quick: bool = False,
              overrides: dict[str, str] | None = None) -> list[dict]:
    """`measure` for every (device count, batch size) of experiment `name` (its config after
    `overrides`, {"train.epochs": "5"}); device counts above the available devices are skipped
    with a note on stderr."""
    import sys

    import jax

    from aejax import registry

    cfg = registry.load(name, quick=quick, overrides=overrides)
    available = jax.device_count()
    rows = []
    for count in devices:
        if count > available:
            print(f"aejax bench: skipping --devices {count}: only {available} available", file=sys.stderr)
            continue
        for batch_size in batch_sizes:
            rows.append({**measure(cfg, batch_size=batch_size, devices=count, dtype=dtype, steps=steps, windows=windows),
                         "overrides": dict(overrides or {})})
    return rows


COLUMNS = (
    ("devices", "devices", "{:d}"),
    ("batch_size", "batch", "{:d}"),
    ("dtype", "dtype", "{}"),
    ("compile_s", "compile s", "{:.2f}"),
    ("step_ms", "step ms (median)", "{:.3f}"),
    ("step_ms_spread", "spread ms", "{:.3f}"),
    ("examples_per_s", "examples/s", "{:,.0f}"),
    ("flops_per_step", "GFLOP/step", None),
    ("achieved_tflops", "achieved TFLOP/s", "{:.4f}"),
    ("peak_measured_tflops", "measured peak", "{:.4f}"),
    ("peak_published_tflops", "published peak", "{:.4f}"),
    ("utilisation", "utilisation", "{:.1%}"),
    ("memory_xla_estimate_mb", "XLA memory MB", "{:.1f}"),
    ("memory_peak_measured_mb", "measured peak MB", "{:.1f}"),
)


def markdown(rows: list[dict]) -> str:
    """The rows as a markdown table, with the device and peak source above it."""
    if not rows:
        return "(no configurations measured)\n"
    r0 = rows[0]
    head = (f"`aejax bench {r0['experiment']}` ({r0['objective']}) on {r0['device_kind']} x{r0['device_count']} "
            f"({r0['platform']}); jax {r0['jax_version']}, flax {r0['flax_version']}, commit {r0['git_commit']}, "
            f"load {', '.join(f'{v:.2f}' for v in r0['host_load'])}; rates in TFLOP/s; utilisation = achieved / peak, "
            f"peak: {r0['peak_source']}\n\n")
    lines = ["| " + " | ".join(title for _, title, _ in COLUMNS) + " |", "|" + "---:|" * len(COLUMNS)]
    errors = []
    for r in rows:
        cells = []
        for key, _, fmt in COLUMNS:
            value = r[key]
            if key == "utilisation" and r.get("error"):
                errors.append(f"- error, {r['devices']} device(s), batch {r['batch_size']}: {r['error']}")
                cells.append(f"error {len(errors)}")
            elif value is None:
                cells.append("n/a")
            elif key == "flops_per_step":
                cells.append(f"{value / 1e9:.4f}")
            else:
                cells.append(fmt.format(value))
        lines.append("| " + " | ".join(cells) + " |")
    return head + "\n".join(lines + ([""] + errors if errors else [])) + "\n"


def plot(rows: list[dict], path: Path) -> None:
    """Throughput (examples/s) against batch size, one line per device count."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    for count in sorted({r["devices"] for r in rows}):
        pts = sorted((r["batch_size"], r["examples_per_s"]) for r in rows if r["devices"] == count)
        ax.plot(*zip(*pts), marker="o", label=f"{count} device{'s' if count > 1 else ''}")
    ax.set_xscale("log")
    ax.set_xlabel("global batch size")
    ax.set_ylabel("examples / s")
    ax.set_title(f"{rows[0]['experiment']} ({rows[0]['dtype']}, {rows[0]['device_kind']})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _int_list(text: str, flag: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"{flag}: expected comma-separated integers like 100,1000; got {text!r}") from None
    if not values or any(v <= 0 for v in values):
        raise ValueError(f"{flag}: expected positive integers like 100,1000; got {text!r}")
    return values


def _cmd_bench(args, extra) -> int:
    """Errors (a bad option, an unknown experiment) are raised to the one printer of `aejax.cli.main`."""
    batch_sizes = _int_list(args.batch_sizes, "--batch-sizes")  # options checked before jax starts
    devices = _int_list(args.devices, "--devices") if args.devices else None
    for flag, value in (("--steps", args.steps), ("--windows", args.windows)):
        if value < 1:
            raise ValueError(f"{flag} must be a positive integer, got {value}")
    import jax

    from aejax import distributed
    distributed.initialize()
    rows = run_bench(args.name, batch_sizes=batch_sizes, devices=devices or [jax.device_count()], dtype=args.dtype,
                     steps=args.steps, windows=args.windows, quick=args.quick, overrides=args.overrides)
    table = markdown(rows)
    print(table)
    out = Path(args.out or Path("runs") / "bench" / args.name)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.md").write_text(table)
    (out / "bench.json").write_text(json.dumps(rows, indent=1) + "\n")
    if rows:
        plot(rows, out / "bench.png")
    print(f"written: {out / 'bench.md'}, {out / 'bench.json'}, {out / 'bench.png'}")
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("bench", help="throughput, FLOP/s and utilisation of an experiment's training step",
                              usage="aejax bench NAME [options] [--config.KEY=VALUE ...]")
    p.add_argument("name", help="experiment name, e.g. mnist/ae")
    p.add_argument("--batch-sizes", default="100,1000", help="comma-separated global batch sizes (default 100,1000)")
    p.add_argument("--devices", help="comma-separated device counts (default: all devices)")
    p.add_argument("--dtype", choices=DTYPES, default="float32", help="compute dtype (parameters stay float32)")
    p.add_argument("--steps", type=int, default=20, help="train steps per timed window (default 20)")
    p.add_argument("--windows", type=int, default=5, help="timed windows after one warm-up window (default 5)")
    p.add_argument("--quick", action="store_true", help="use the experiment's quick config")
    p.add_argument("--out", help="folder for bench.md, bench.json, bench.png (default runs/bench/NAME)")
    p.set_defaults(func=_cmd_bench, takes_overrides=True)
