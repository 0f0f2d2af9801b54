"""`aejax anomaly fit` and `aejax score` on generated KDD-style tables: rows/s, rows per CPU second
and peak memory (issue 23.9).

    PYTHONPATH=. nice -n 5 python benchmarks/anomaly_fit.py                 # 100,000 and 1,000,000 rows
    PYTHONPATH=. nice -n 5 python benchmarks/anomaly_fit.py --rows 100000   # one size
    PYTHONPATH=. nice -n 5 python benchmarks/anomaly_fit.py --rows 0 --series 58000   # a telemetry stream

For each size it writes a 41-column CSV (38 numeric, 3 categorical: `anomaly_score.kdd_like`)
under --dir, runs `aejax anomaly fit` on it and `aejax score` of the same file with the fitted
detector, each as a child process under /usr/bin/time -v: wall seconds, CPU seconds (user +
system of the process and its threads), peak RSS. rows/s = rows / wall seconds; rows per CPU
second = rows / CPU seconds (what the rows cost when the CPU is shared). The 1-minute load
average before and after each command is printed with the row; quote it with the numbers.
--series N fits (and does not score) an N-step, 55-channel telemetry stream
(`anomaly_score.telemetry`, its last 22 channels constant) with `--time t --window 32`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from anomaly_score import aejax, kdd_like, load, telemetry, timed, write_csv  # noqa: E402

CONSTANT_CHANNELS = 22  # of 55: the held-out telemetry stream of issue 26 had 22 constant in training



def measure(command: list[str], rows: int) -> dict:
    before = load()
    seconds, cpu, peak_gb = timed(command)
    return {"rows": rows, "wall_s": seconds, "cpu_s": cpu, "rows_per_s": rows / seconds, "rows_per_cpu_s": rows / cpu,
            "peak_gib": peak_gb, "load": (before, load())}


def _series_row(root: Path, steps: int) -> str:
    import pyarrow as pa

    stream = root / f"telemetry_{steps}.csv"
    if not stream.exists():
        table = telemetry(steps, 55, 0)
        for c in range(55 - CONSTANT_CHANNELS, 55):
            table = table.set_column(c + 1, f"ch{c}", pa.array(np.full(steps, float(c), np.float32)))
        write_csv(table, stream)
    r = measure(aejax("anomaly", "fit", "--train", str(stream), "--workdir", str(root / f"series_{steps}"),
                      "--time", "t", "--window", "32", "--overwrite"), steps)
    return (f"| anomaly fit (series, 55 channels) | {steps:,} steps | {r['wall_s']:.1f} | {r['rows_per_s']:,.0f} | "
            f"{r['cpu_s']:.1f} | {r['rows_per_cpu_s']:,.0f} | {r['peak_gib']:.2f} | {r['load'][0]:.1f} -> {r['load'][1]:.1f} |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", default="100000,1000000", help="comma-separated table sizes")
    p.add_argument("--series", type=int, default=0, help="steps of a 55-channel telemetry stream to fit (0: none)")
    p.add_argument("--dir", default="/tmp/aejax-bench-anomaly-fit")
    args = p.parse_args()
    root = Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    lines = ["| command | rows | wall s | rows/s | CPU s | rows per CPU s | peak GiB | load (1 min, before -> after) |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    if args.series:
        lines.append(_series_row(root, args.series))
        print(lines[-1], flush=True)
    for n in (int(v) for v in args.rows.split(",") if int(v)):
        table = root / f"kdd_{n}.csv"
        if not table.exists():
            write_csv(kdd_like(n, 0), table)
        print(f"{table}: {table.stat().st_size / 1e6:.0f} MB", flush=True)
        workdir = root / f"detector_{n}"
        fit = measure(aejax("anomaly", "fit", "--train", str(table), "--workdir", str(workdir), "--overwrite"), n)
        score = measure(aejax("score", "--workdir", str(workdir), "--input", str(table), "--output",
                              str(root / f"scores_{n}.csv"), "--overwrite"), n)
        for name, r in (("anomaly fit", fit), ("score", score)):
            lines.append(f"| {name} | {n:,} | {r['wall_s']:.1f} | {r['rows_per_s']:,.0f} | {r['cpu_s']:.1f} | "
                         f"{r['rows_per_cpu_s']:,.0f} | {r['peak_gib']:.2f} | {r['load'][0]:.1f} -> {r['load'][1]:.1f} |")
        print("\n".join(lines[-2:]), flush=True)
    print(f"\nnproc {os.cpu_count()}\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
