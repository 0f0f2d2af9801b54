"""results.json and report.md: our numbers beside the paper's."""
import json
import math
from pathlib import Path

from aejax import run as run_lib

# The pinned metrics of every quick variant (a source checkout's tests; absent from an installed package).
QUICK_PINS = Path(__file__).resolve().parents[1] / "tests" / "golden" / "quick.json"


def compare(metrics: dict, reference: dict) -> list[dict]:
    """One row per referenced metric: paper, ours, difference (ours - paper), within tolerance.

    Within tolerance: ours is on the better side of the paper's value (`higher_is_better` says
    which side that is), or no further from it than `tolerance` (a distance equal to the tolerance
    up to float rounding counts). A missing or non-finite value of ours has no difference and no
    verdict."""
    rows = []
    for name, ref in reference.items():
        ours = metrics.get(name)
        row = {"metric": name, "paper": ref["value"], "ours": ours, "tolerance": ref.get("tolerance"), "source": ref.get("source", "")}
        if isinstance(ours, (int, float)) and not isinstance(ours, bool) and math.isfinite(ours):
            diff = ours - ref["value"]
            row["difference"] = diff
            better = diff >= 0 if ref.get("higher_is_better") else diff <= 0
            tolerance = ref.get("tolerance") or 0.0
            row["within_tolerance"] = bool(better or abs(diff) <= tolerance or math.isclose(abs(diff), tolerance, rel_tol=1e-9))
        rows.append(row)
    return rows


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e5 else f"{v:.3e}"
    return str(v)


def comparison_table(rows: list[dict]) -> str:
    lines = ["| metric | paper | ours | difference | tolerance | within tolerance | source |", "|---|---:|---:|---:|---:|:---:|---|"]
    for r in rows:
        lines.append(
            f"| {r['metric']} | {_fmt(r['paper'])} | {_fmt(r['ours'])} | {_fmt(r.get('difference'))} | "
            f"{_fmt(r['tolerance'])} | {_fmt(r.get('within_tolerance'))} | {r['source']} |"
        )
    return "\n".join(lines)


def quick_pins(experiment: str) -> dict:
    """The pinned metrics of `experiment`'s quick variant (tests/golden/quick.json), or {}."""
    if not QUICK_PINS.is_file():
        return {}
    return json.loads(QUICK_PINS.read_text()).get("experiments", {}).get(experiment, {})


def quick_table(rows: list[dict], pins: dict) -> str:
    """A quick run's numbers beside the full run's paper values and the quick variant's pinned
    ones; no tolerance verdict (the paper's number is a full run's)."""
    lines = ["| metric | paper (full run) | quick variant, pinned | ours (quick) | source |", "|---|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['metric']} | {_fmt(r['paper'])} | {_fmt(pins.get(r['metric']))} | {_fmt(r['ours'])} | {r['source']} |")
    return "\n".join(lines)


def paper_table(results: dict) -> str:
    """The comparison of a run with the paper: with a tolerance verdict for a full run; beside
    the pinned quick values for a quick one."""
    rows = compare(results["metrics"], results["reference"])
    return quick_table(rows, quick_pins(results["experiment"])) if results.get("quick") else comparison_table(rows)


QUICK_NOTE = ("**Quick variant**: a small run for checking the code, not the paper's setting. The paper's values are "
              "those of the full run, shown for orientation without a tolerance verdict; the pinned column holds what "
              "this quick variant reproduces (tests/golden/quick.json).")


def render(results: dict) -> str:
    """report.md text for one run's results dict."""
    quick = bool(results.get("quick"))
    out = [f"# {results['experiment']}" + (" (quick variant)" if quick else ""), ""]
    if quick:
        out += [QUICK_NOTE, ""]
    if results.get("paper"):
        out += [f"Paper: {results['paper']}", ""]
    if results.get("notes"):
        out += [*results["notes"], ""]
    if results.get("reference"):
        out += ["## Paper vs ours", "", paper_table(results), ""]
    out += ["## Metrics", "", "| metric | value |", "|---|---:|"]
    out += [f"| {k} | {_fmt(v)} |" for k, v in results["metrics"].items()]
    for title, table in results.get("tables", {}).items():
        out += ["", f"## {title}", "", table if isinstance(table, str) else "```\n" + json.dumps(table, indent=1) + "\n```"]
    timing, device = results.get("timing", {}), results.get("device", {})
    out += ["", "## Run", "", f"- device: {device.get('kind', '?')} x{device.get('count', '?')} ({device.get('platform', '?')})"]
    out += [f"- {k}: {_fmt(v)}" for k, v in timing.items()]
    if results.get("figures"):
        out += ["", "## Figures", ""] + [f"![{f}]({f})" for f in results["figures"]]
    return "\n".join(out) + "\n"


def write(workdir: Path, results: dict) -> None:
    workdir = Path(workdir)
    run_lib.claim(workdir, "results.json", "report.md", *results.get("figures", []))
    (workdir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (workdir / "report.md").write_text(render(results))


def combined(results: list[dict]) -> str:
    """One markdown table for several runs: each referenced metric, paper vs ours."""
    lines = ["| experiment | metric | paper | ours | within tolerance |", "|---|---|---:|---:|:---:|"]
    for res in results:
        name = res["experiment"] + (" (quick)" if res.get("quick") else "")
        for r in compare(res["metrics"], res.get("reference", {})) or [{"metric": "—", "paper": None, "ours": None}]:
            verdict = "quick variant" if res.get("quick") and "within_tolerance" in r else _fmt(r.get("within_tolerance"))
            lines.append(f"| {name} | {r['metric']} | {_fmt(r['paper'])} | {_fmt(r['ours'])} | {verdict} |")
    return "\n".join(lines) + "\n"
