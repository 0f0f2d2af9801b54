"""The smoke test of a registered experiment: its quick variant runs, writes a valid results.json
and reproduces its pinned metrics (tests/golden/quick.json; regenerate with tests/golden/golden.py).
The test_*.py files beside this one run it for one group of experiments each, so that pytest-xdist
(`--dist loadfile`) spreads the groups over its workers."""
import importlib.util
import json
import math
from pathlib import Path

import pytest

from aejax import experiment, registry

_spec = importlib.util.spec_from_file_location("golden", Path(__file__).parents[1] / "golden" / "golden.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)
GOLDEN = golden.load()
SANITY = golden.load_sanity()


def names(*groups: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """Registered experiments of `groups` (all groups but `exclude` when none are given)."""
    return [n for n in registry.names() if (n.split("/")[0] in groups if groups else n.split("/")[0] not in exclude)]


def check_quick_variant(name: str, tmp_path) -> None:
    if registry.describe(name)["data"] == "user-supplied":
        pytest.skip(f"{name} needs data that cannot be shipped (loaders are tested on generated files)")
    for module in registry.get_config(name, quick=True).get("requires", ()):
        pytest.importorskip(module, reason=f"{name} needs the optional package {module}")
    experiment.run_experiment(name, tmp_path, quick=True, quiet=True)
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["experiment"] == name
    assert {"metrics", "reference", "timing", "device", "config"} <= set(results)
    not_finite = {k: v for k, v in results["metrics"].items()
                  if not (isinstance(v, (int, float)) and math.isfinite(v))}
    assert not not_finite, f"non-finite or non-numeric metrics: {not_finite}"
    for metric in results["reference"]:
        assert metric in results["metrics"], f"reference metric {metric} missing from results"
    for fig in results["figures"]:
        assert (tmp_path / fig).stat().st_size > 0
    assert (tmp_path / "report.md").read_text().startswith(f"# {name}")
    assert name in GOLDEN, f"{name} has no pinned metrics: run python tests/golden/golden.py {name}"
    assert name in SANITY, f"{name} has no sanity rules in tests/golden/sanity.json: what makes its quick result meaningful?"
    broken = golden.sanity_failures(results["metrics"], SANITY[name])
    assert not broken, f"{name}'s quick result is not meaningful: " + "; ".join(broken)
    moved = golden.mismatches(name, results["metrics"], GOLDEN[name])
    assert not moved, (f"{name} moved from its pinned metrics (tests/golden/quick.json); if the change is "
                       f"intended, regenerate with `python tests/golden/golden.py {name}` and say why in "
                       "the commit:\n  " + "\n  ".join(moved))

