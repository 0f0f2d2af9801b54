"""Every registered experiment's quick variant runs and writes a valid results.json."""
import json

import pytest

from aejax import cli, registry


@pytest.mark.parametrize("name", registry.names())
def test_quick_variant_writes_results(name, tmp_path):
    if registry.describe(name)["data"] == "user-supplied":
        pytest.skip(f"{name} needs data that cannot be shipped (loaders are tested on generated files)")
    cli.run_experiment(name, tmp_path, quick=True, quiet=True)
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["experiment"] == name
    assert {"metrics", "reference", "timing", "device", "config"} <= set(results)
    assert results["timing"]["seconds"] > 0
    assert all(isinstance(v, (int, float)) for v in results["metrics"].values()), results["metrics"]
    for metric in results["reference"]:
        assert metric in results["metrics"], f"reference metric {metric} missing from results"
    for fig in results["figures"]:
        assert (tmp_path / fig).stat().st_size > 0
    assert (tmp_path / "report.md").read_text().startswith(f"# {name}")
