"""Golden metrics: every registered experiment's quick-variant metrics, pinned in quick.json.

The smoke tests (tests/experiments/) compare each run with its pinned metrics, so a
change that moves a registered result fails CI. When a change is meant to move a number (a jax
version bump, a deliberate change of protocol), regenerate and say in the commit why it moved:

    python tests/golden/golden.py                 # every experiment (about 10 minutes)
    python tests/golden/golden.py mnist/ae ...    # only these; the others stay as pinned
"""
import json
import math
import sys
import tempfile
from pathlib import Path

PATH = Path(__file__).with_name("quick.json")
RTOL, ATOL = 1e-3, 1e-5  # holds for the pinned jax on CPU (one run's metrics vs another's)
# timings and rates differ run to run; everything else a run reports is pinned
UNPINNED = ("seconds", "examples_per_s")


def pinned(metrics: dict) -> dict:
    """The metrics of one run that are pinned (no timings)."""
    return {k: v for k, v in metrics.items() if not any(part in k for part in UNPINNED)}


def load() -> dict:
    return json.loads(PATH.read_text())["experiments"] if PATH.exists() else {}


def mismatches(name: str, metrics: dict, golden: dict) -> list[str]:
    """Human-readable differences between a run's metrics and its pinned ones."""
    want, got = pinned(golden), pinned(metrics)
    out = [f"{k}: missing (pinned {want[k]!r})" for k in sorted(set(want) - set(got))]
    out += [f"{k}: new metric {got[k]!r} (not pinned)" for k in sorted(set(got) - set(want))]
    for k in sorted(set(want) & set(got)):
        a, b = got[k], want[k]
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            if not (math.isfinite(a) and math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)):
                out.append(f"{k}: {a!r} != pinned {b!r}")
        elif a != b:
            out.append(f"{k}: {a!r} != pinned {b!r}")
    return out


def regenerate(names: list[str]) -> None:
    from aejax import experiment, registry

    golden = load()
    for name in names or registry.names():
        if registry.describe(name)["data"] == "user-supplied":
            continue
        with tempfile.TemporaryDirectory() as tmp:
            results = experiment.run_experiment(name, Path(tmp), quick=True, quiet=True)
        golden[name] = pinned(results["metrics"])
        print(f"{name}: {len(golden[name])} metrics pinned", flush=True)
    text = json.dumps({"variant": "quick", "rtol": RTOL, "atol": ATOL,
                       "experiments": dict(sorted(golden.items()))}, indent=1)
    PATH.write_text(text + "\n")


if __name__ == "__main__":
    regenerate(sys.argv[1:])
