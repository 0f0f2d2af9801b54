"""`aejax score` throughput and peak memory on generated files (issue 12, items 4 and 6).

    PYTHONPATH=. python benchmarks/anomaly_score.py kdd        # 1,000,000 rows x 41 columns (38 numeric,
                                                               # protocol / service / flag), a table detector
    PYTHONPATH=. python benchmarks/anomaly_score.py telemetry  # one 130,000-step stream of 55 channels,
                                                               # a series detector (windows of 32)

Each case generates its files under --dir (default /tmp/aejax-bench-anomaly), fits a detector with
`aejax anomaly fit` on a smaller file from the same generator, then runs `aejax score` on the big one
under /usr/bin/time -v: rows per second of the whole command (start-up included), its CPU time
(user + system: what the rows cost when the CPU is shared) and its peak RSS. The 1-minute load
average before and after is printed beside the numbers; quote it with them.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SERVICES = tuple(f"svc{i}" for i in range(66))
FLAGS = ("SF", "S0", "REJ", "RSTR", "RSTO", "SH", "S1", "S2", "RSTOS0", "S3", "OTH")


def kdd_like(n: int, seed: int):
    """A KDD Cup 99-style table: 41 columns, three categorical (protocol_type, service, flag)."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    columns = {"duration": rng.exponential(50.0, n).round(),
               "protocol_type": rng.choice(["tcp", "udp", "icmp"], n, p=[0.8, 0.15, 0.05]),
               "service": rng.choice(SERVICES, n),
               "flag": rng.choice(FLAGS, n, p=[0.75] + [0.025] * 10),
               "src_bytes": rng.lognormal(6, 2, n).round(), "dst_bytes": rng.lognormal(7, 2, n).round()}
    for i in range(18):  # counts
        columns[f"count_{i}"] = rng.poisson(3 + i, n).astype(np.float64)
    for i in range(17):  # rates in [0, 1]
        columns[f"rate_{i}"] = rng.beta(1 + i % 3, 3, n).round(2)
    assert len(columns) == 41
    return pa.table(columns)


def telemetry(steps: int, channels: int, seed: int):
    """One multichannel stream: sines with periods of 25 to 400 steps and phases that are the same
    in every file (the joint pattern repeats every 400 steps), plus noise drawn with `seed`, and a
    time column."""
    import pyarrow as pa

    rng, fixed = np.random.default_rng(seed), np.random.default_rng(0)
    t = np.arange(steps)
    periods, phases = fixed.choice([25, 50, 100, 200, 400], channels), fixed.uniform(0, 2 * np.pi, channels)
    values = np.sin(t[:, None] * (2 * np.pi / periods) + phases) + 0.1 * rng.normal(size=(steps, channels))
    return pa.table({"t": t, **{f"ch{c}": values[:, c].astype(np.float32) for c in range(channels)}})


def write_csv(table, path: Path) -> Path:
    import pyarrow.csv as pcsv

    pcsv.write_csv(table, path, pcsv.WriteOptions(quoting_style="none"))
    return path


def load() -> float:
    return os.getloadavg()[0]


def aejax(*args) -> list[str]:
    return [sys.executable, "-m", "aejax.cli", *args]


def timed(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds (user + system), peak RSS in GB) of `command` under /usr/bin/time -v."""
    out = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{out.stdout}\n{out.stderr}")
    print(out.stdout.strip())
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", out.stderr)
    hours, minutes, seconds = int(wall.group(1) or 0), int(wall.group(2)), float(wall.group(3))
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", out.stderr).group(1)) for kind in ("User", "System"))
    return 3600 * hours + 60 * minutes + seconds, cpu, rss_kb / 1024 ** 2


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("case", choices=("kdd", "telemetry"))
    p.add_argument("--dir", default="/tmp/aejax-bench-anomaly")
    p.add_argument("--rows", type=int, help="rows (kdd, default 1,000,000) or steps (telemetry, default 130,000)")
    p.add_argument("--train-rows", type=int, default=50_000, help="rows / steps of the training file")
    args = p.parse_args()
    root = Path(args.dir) / args.case
    root.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if args.case == "kdd":
        n = args.rows or 1_000_000
        train, big = write_csv(kdd_like(args.train_rows, 0), root / "train.csv"), write_csv(kdd_like(n, 1), root / "big.csv")
        fit = aejax("anomaly", "fit", "--train", str(train), "--workdir", str(root / "detector"), "--overwrite")
    else:
        n = args.rows or 130_000
        train = write_csv(telemetry(args.train_rows, 55, 0), root / "train.csv")
        big = write_csv(telemetry(n, 55, 1), root / "big.csv")
        fit = aejax("anomaly", "fit", "--train", str(train), "--workdir", str(root / "detector"), "--overwrite",
                    "--time", "t", "--window", "32", "--config.train.epochs=2", "--config.sizing.min_steps=200")
    print(f"generated {big} ({big.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.0f} s", flush=True)
    subprocess.run(fit, check=True, stdout=subprocess.DEVNULL)
    before = load()
    seconds, cpu, peak_gb = timed(aejax("score", "--workdir", str(root / "detector"), "--input", str(big),
                                   "--output", str(root / "big.scores.csv")))
    after = load()
    what = "rows" if args.case == "kdd" else "steps"
    print(f"| {args.case} | {n:,} {what} | {seconds:.1f} s | {n / seconds:,.0f} {what}/s | {cpu:.1f} CPU s "
          f"({n / cpu:,.0f} {what} per CPU s) | {peak_gb:.2f} GB | load {before:.1f} -> {after:.1f} "
          f"(nproc {os.cpu_count()}) |")


if __name__ == "__main__":
    main()
