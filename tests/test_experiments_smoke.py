"""Every registered experiment's quick variant runs, writes a valid results.json and reproduces
its pinned metrics (tests/golden/quick.json; regenerate with tests/golden/golden.py)."""
import importlib.util
import json
import math
import time
from pathlib import Path

import pytest

from aejax import experiment, registry

_spec = importlib.util.spec_from_file_location("golden", Path(__file__).with_name("golden") / "golden.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)
GOLDEN = golden.load()


@pytest.mark.parametrize("name", registry.names())
def test_quick_variant_writes_results(name, tmp_path):
    if registry.describe(name)["data"] == "user-supplied":
        pytest.skip(f"{name} needs data that cannot be shipped (loaders are tested on generated files)")
    for module in registry.get_config(name, quick=True).get("requires", ()):
        pytest.importorskip(module, reason=f"{name} needs the optional package {module}")
    start = time.perf_counter()
    experiment.run_experiment(name, tmp_path, quick=True, quiet=True)
    wall = time.perf_counter() - start
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["experiment"] == name
    assert {"metrics", "reference", "timing", "device", "config"} <= set(results)
    assert 0 < results["timing"]["seconds"] <= wall
    not_finite = {k: v for k, v in results["metrics"].items()
                  if not (isinstance(v, (int, float)) and math.isfinite(v))}
    assert not not_finite, f"non-finite or non-numeric metrics: {not_finite}"
    for metric in results["reference"]:
        assert metric in results["metrics"], f"reference metric {metric} missing from results"
    for fig in results["figures"]:
        assert (tmp_path / fig).stat().st_size > 0
    assert (tmp_path / "report.md").read_text().startswith(f"# {name}")
    assert name in GOLDEN, f"{name} has no pinned metrics: run python tests/golden/golden.py {name}"
    moved = golden.mismatches(name, results["metrics"], GOLDEN[name])
    assert not moved, (f"{name} moved from its pinned metrics (tests/golden/quick.json); if the change is "
                       f"intended, regenerate with `python tests/golden/golden.py {name}` and say why in "
                       "the commit:\n  " + "\n  ".join(moved))


def test_golden_comparison_flags_moved_missing_and_non_finite_metrics():
    pinned = {"test_sse_per_image": 10.0, "steps": 40, "train_seconds": 3.0}
    assert golden.mismatches("x", {"test_sse_per_image": 10.005, "steps": 40, "train_seconds": 9.0}, pinned) == []
    moved = golden.mismatches("x", {"test_sse_per_image": 10.02, "steps": 41}, pinned)
    assert [m.split(":")[0] for m in moved] == ["steps", "test_sse_per_image"]
    assert golden.mismatches("x", {"test_sse_per_image": float("nan"), "steps": 40}, pinned)
    assert golden.mismatches("x", {"steps": 40}, pinned) == ["test_sse_per_image: missing (pinned 10.0)"]
