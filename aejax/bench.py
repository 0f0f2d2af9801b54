"""`aejax bench NAME`: throughput, FLOP/s and utilisation of an experiment's training step.

For each device count and batch size it compiles the engine's epoch program (`loop.compile_epoch`,
the one `fit` runs) on synthetic data of `steps` batches, so one call is one timed window of
`steps` steps. Reported per configuration:

- compile_s: lowering + compilation of the epoch program (seconds)
- step_ms (median) and step_ms_spread (max - min) over `windows` timed windows after a warm-up
  window, each ended by `block_until_ready`
- examples_per_s: batch size / median step time
- flops_per_step: XLA cost analysis of the lowered single train step (all devices together)
- achieved_tflops: flops_per_step / median step time
- peak_measured_tflops: the best rate of matrix-product probes in the compute dtype, timed
  before every window (interleaved with the step, so load that slows one slows the other): the
  step's largest product ([batch / devices, K] x [K, N] of its widest layer) and a 512-cube,
  times the device count
- peak_published_tflops: the datasheet's dense peak of the device kind (table below; GPU/TPU)
- peak_tflops: the published peak when the device kind is in the table, else the measured one;
  peak_source says which. utilisation = achieved / peak; an utilisation above 100 % means the
  peak is wrong, and is reported as an error (the row's `error`), never as a figure
- peak_memory_mb: argument + output + temporary bytes of the compiled epoch program, less aliased
  (donated) bytes, as XLA's memory analysis reports them for one device
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


def probe_shapes(sizes, rows: int) -> list[tuple[int, int, int]]:
    """(m, k, n) of the probes for an MLP of layer `sizes` at `rows` examples per device: its
    widest layer's product and a 512-cube."""
    k, n = max(zip(sizes[:-1], sizes[1:]), key=lambda kn: kn[0] * kn[1])
    return [(rows, k, n), (512, 512, 512)]


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


def _peak_memory_bytes(compiled) -> float:
    mem = compiled.memory_analysis()
    if mem is None:
        return float("nan")
    total = mem.argument_size_in_bytes + mem.output_size_in_bytes + mem.temp_size_in_bytes - mem.alias_size_in_bytes
    return float(total)


def training_setup(cfg, dtype: str):
    """(model, fresh TrainState, train step) for an experiment config with an MLP autoencoder."""
    import jax
    import jax.numpy as jnp

    from aejax.models import autoencoder
    from aejax.train import optim
    from aejax.train.state import TrainState
    from aejax.objectives import reconstruction
    from aejax.train.steps import make_train_step

    if "sizes" not in cfg.get("model", {}):
        raise ValueError(f"aejax bench needs an experiment whose config.model has `sizes` (an MLP autoencoder); {cfg.experiment!r} has none")
    model = autoencoder.from_config(cfg.model, dtype=None if dtype == "float32" else getattr(jnp, dtype))
    params = autoencoder.init_params(model, jax.random.PRNGKey(0))
    tx = optim.make_optimizer(cfg.train.optimizer, total_steps=10_000)
    state = TrainState.create(params=params, tx=tx, rng=jax.random.PRNGKey(1))
    return model, state, make_train_step(reconstruction(model, cfg.loss))


def _device_kind(device) -> str:
    return device.device_kind


def measure(cfg, *, batch_size: int, devices: int, dtype: str = "float32", steps: int = 20, windows: int = 5) -> dict:
    """Benchmark the training step of `cfg` at one batch size on the first `devices` devices."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from aejax import distributed, params as params_lib
    from aejax.train import loop

    mesh = distributed.make_mesh(devices)
    _, state, step = training_setup(cfg, dtype)
    num_params = params_lib.count(state.params)
    features = cfg.model.sizes[0]
    data = jax.random.uniform(jax.random.PRNGKey(2), (steps * batch_size, features), jnp.float32)
    state = distributed.put_replicated(state, mesh)
    data = distributed.put_examples(data, mesh)

    batch = distributed.put_examples(data[:batch_size], mesh)
    one_step = jax.jit(step, in_shardings=(distributed.state_shardings(state, mesh), distributed.example_shardings(batch, mesh)))
    flops = _cost_flops(one_step.lower(state, batch))

    start = time.perf_counter()
    epoch = loop.compile_epoch(step, batch_size, state, data, mesh)
    compile_s = time.perf_counter() - start
    peak_memory = _peak_memory_bytes(epoch)

    window_flops = flops * steps / devices
    probes = {(m, k, n): matmul_probe(dtype, m, k, n, int(np.clip(round(window_flops / (2 * m * k * n)), 1, 10_000)))
              for m, k, n in probe_shapes(cfg.model.sizes, max(batch_size // devices, 1))}
    state, _ = epoch(state, data)  # warm-up window
    jax.block_until_ready(state)
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
    return {
        "experiment": cfg.experiment,
        "platform": device.platform,
        "device_kind": kind,
        "devices": devices,
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
        "peak_memory_mb": peak_memory / 2**20,
    }


def run_bench(name: str, *, batch_sizes, devices, dtype: str = "float32", steps: int = 20, windows: int = 5, quick: bool = False) -> list[dict]:
    """`measure` for every (device count, batch size); device counts above the available
    devices, or not dividing a batch size, are skipped with a note on stderr."""
    import sys

    import jax

    from aejax import registry

    cfg = registry.load(name, quick=quick)
    available = jax.device_count()
    rows = []
    for count in devices:
        if count > available:
            print(f"aejax bench: skipping --devices {count}: only {available} available", file=sys.stderr)
            continue
        for batch_size in batch_sizes:
            rows.append(measure(cfg, batch_size=batch_size, devices=count, dtype=dtype, steps=steps, windows=windows))
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
    ("peak_memory_mb", "peak MB", "{:.1f}"),
)


def markdown(rows: list[dict]) -> str:
    """The rows as a markdown table, with the device and peak source above it."""
    if not rows:
        return "(no configurations measured)\n"
    head = (f"`aejax bench {rows[0]['experiment']}` on {rows[0]['device_kind']} ({rows[0]['platform']}); rates in "
            f"TFLOP/s; utilisation = achieved / peak, peak: {rows[0]['peak_source']}\n\n")
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
                     steps=args.steps, windows=args.windows, quick=args.quick)
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
    p = subparsers.add_parser("bench", help="throughput, FLOP/s and utilisation of an experiment's training step")
    p.add_argument("name", help="experiment name, e.g. mnist/ae")
    p.add_argument("--batch-sizes", default="100,1000", help="comma-separated global batch sizes (default 100,1000)")
    p.add_argument("--devices", help="comma-separated device counts (default: all devices)")
    p.add_argument("--dtype", choices=DTYPES, default="float32", help="compute dtype (parameters stay float32)")
    p.add_argument("--steps", type=int, default=20, help="train steps per timed window (default 20)")
    p.add_argument("--windows", type=int, default=5, help="timed windows after one warm-up window (default 5)")
    p.add_argument("--quick", action="store_true", help="use the experiment's quick config")
    p.add_argument("--out", help="folder for bench.md, bench.json, bench.png (default runs/bench/NAME)")
    p.set_defaults(func=_cmd_bench)
