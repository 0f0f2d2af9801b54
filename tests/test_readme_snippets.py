"""Every code snippet of the README runs in a test: its fenced blocks and the commands, flags and
Python statements quoted in its prose (names of files, keys and functions are not snippets).

`SNIPPETS` names, for each, the file of the test that runs it and a text of that file showing
where; `test_every_snippet_has_a_test` fails for a snippet added to the README without one. The
snippets that no other test runs run here: the "Using it" block (its full runs as their quick
variants, /path/to/mnist being $AEJAX_DATA_DIR/mnist), the prose commands on those runs, and
the Python statements of "Library use" in the library example.
"""
import json
import re
from pathlib import Path

import pytest

from aejax import cli, registry

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
HERE = "tests/test_readme_snippets.py"

# snippet -> (file whose tests run it, a text of that file where they do)
SNIPPETS = {
    # the setup block: .ci/run runs both lines (the first one's run: the "Using it" runs here)
    "python3 -m venv .venv && .venv/bin/pip install -q -e . && AEJAX_DATA_DIR=../shared/data .venv/bin/aejax run hinton2006/mnist-fast":
        (".ci/run", "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'"),
    "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && AEJAX_DATA_DIR=../shared/data .venv/bin/python -m pytest -q -n 2 --dist loadfile --durations=20":
        (".ci/run", "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && AEJAX_DATA_DIR=../shared/data .venv/bin/python -m pytest -q -n 2 --dist loadfile --durations=20"),
    # "Using it"
    "aejax list": (HERE, "test_the_using_it_block"),
    "aejax run mnist/tied-ae --quick --workdir runs/tied": (HERE, "test_the_using_it_block"),
    "aejax run mnist/ae --workdir runs/ae --config.train.epochs=2 --config.train.optimizer.learning_rate=3e-4": (HERE, "test_the_using_it_block"),
    "aejax run mnist/ae --data-dir /path/to/mnist": (HERE, "test_the_using_it_block"),
    "aejax report runs/ae runs/tied": (HERE, "test_the_using_it_block"),
    "aejax list --json": (HERE, '"list", "--json"'),
    "aejax run NAME --record": (HERE, '"--record"'),
    "$AEJAX_RESULTS_DIR": (HERE, "AEJAX_RESULTS_DIR"),
    "--config.KEY=VALUE": (HERE, "--config.train.epochs=2"),
    "aejax config NAME": (HERE, '"config", "mnist/ae"'),
    "aejax run --help": ("tests/test_cli.py", 'cli.main(["run", "--help"])'),
    "--tensorboard": ("tests/test_tensorboard.py", '"--tensorboard"'),
    "pip install 'aejax[tensorboard]'": (HERE, "test_the_optional_extras_are_declared"),
    "pip install 'aejax[baselines]'": (HERE, "test_the_optional_extras_are_declared"),
    "tensorboard --logdir runs": ("tests/test_tensorboard.py", "read_events(tmp_path / tensorboard.FOLDER)"),
    "--continue": ("tests/test_reliability.py", '"--continue"'),
    "--overwrite": ("tests/test_reliability.py", '"--overwrite"'),
    # Guarantees
    "aejax data prepare": ("tests/test_reliability.py", '"data", "prepare"'),
    "aejax data prepare NAME --rebuild": ("tests/data/test_cache_integrity.py", "def test_rebuild_prepares_again"),
    "aejax run NAME --workdir D --continue --config.train.optimizer.learning_rate=1e-4": (HERE, '"--continue"'),
    "AEJAX_TRACEBACK=1": ("tests/test_reliability.py", 'setenv("AEJAX_TRACEBACK", "1")'),
    # Library use
    'cfg.model = ConfigDict(dict(name="conv2d", channels=(16, 32), tied=True))': (HERE, "test_the_library_use_prose"),
    "cfg.regularizers = ConfigDict(dict(kl_sparsity=dict(weight=0.1, target=0.05, layer=0)))": (HERE, "test_the_library_use_prose"),
    # Anomaly detection on your own data
    "aejax anomaly fit --train sensors.csv --workdir runs/sensors": ("tests/test_readme_anomaly.py", "readme_commands()"),
    "aejax score --workdir runs/sensors --input new_readings.csv": ("tests/test_readme_anomaly.py", "readme_commands()"),
    "--na-values n/a,?": ("tests/anomaly/test_fit_file.py", 'na_values=("n/a",)'),
    "--categorical C": ("tests/anomaly/test_fit_file.py", "categorical="),
    "--categorical A,B": ("tests/anomaly/test_fit_file.py", "categorical="),
    "--numeric C": ("tests/anomaly/test_fit_file.py", "numeric="),
    "--ignore D": ("tests/anomaly/test_score_file.py", '"--ignore", "host,port"'),
    "--window": ("tests/anomaly/test_fit_file.py", "window=12"),
    "--numeric": ("tests/anomaly/test_fit_file.py", "numeric="),
    "--label COL": ("tests/anomaly/test_fit_file.py", 'label="anomaly"'),
    "--na-values": ("tests/anomaly/test_fit_file.py", 'na_values=("n/a",)'),
    "--ignore": ("tests/anomaly/test_score_file.py", '"--ignore", "host,port"'),
    "--window 32": ("tests/anomaly/test_fit_file.py", "window=12"),
    "--time COL": ("tests/anomaly/test_fit_file.py", 'time="ts"'),
    "--series-id COL": ("tests/anomaly/test_fit_file.py", 'series_id="unit"'),
    "--per-series": ("tests/anomaly/test_fit_file.py", "per_series=per_series"),
    "aejax run anomaly/skab": ("tests/experiments/smoke.py", "registry.names()"),
    "aejax run anomaly/nab-other": ("tests/experiments/smoke.py", "registry.names()"),
    "aejax run anomaly/nab": ("tests/experiments/smoke.py", "registry.names()"),
    "aejax run anomaly/adbench": ("tests/experiments/smoke.py", "registry.names()"),
    "aejax run anomaly/adbench:select": ("tests/experiments/smoke.py", "registry.names()"),
    "--detector autoencoder": ("tests/anomaly/test_fit_file.py", '("autoencoder", "autoencoder"), ("iforest", "iforest")'),
    "--detector iforest": ("tests/anomaly/test_fit_file.py", '("autoencoder", "autoencoder"), ("iforest", "iforest")'),
    "--config.threshold.q=99.9": ("tests/anomaly/test_fit_file.py", "threshold.q"),
    "--contamination 0.05": ("tests/anomaly/test_fit_file.py", "def test_contamination_sets_the_share_of_training_rows_flagged"),
    # Extending it
    "--experiments DIR": ("tests/test_cli.py", '"--experiments", str(folder)'),
    "AEJAX_EXPERIMENTS=DIR": ("tests/test_cli.py", 'setenv("AEJAX_EXPERIMENTS"'),
    "aejax run ../../x": ("tests/test_cli.py", "not a name inside the experiments folders"),
    'aejax.registry.sibling(__file__, "_module")': ("tests/extensions/my/vae.py", 'registry.sibling(__file__, "_vae")'),
    'aejax config': ("tests/test_extensions.py", "['config', 'my/vae']"),
    '@...register("name")': ("tests/test_extensions.py", "test_list_and_config_of_registering_modules_import_no_jax"),
    '@aejax.tasks.register("name")': ("tests/test_cli.py", "@tasks.register('g-noop')"),
    '@aejax.data.registry.register("name")': ("aejax/data/builders/digits.py", '@registry.register("digits")'),
    '@aejax.models.register("name")': ("tests/extensions/my/_vae.py", '@models.register("my-vae")'),
    '@aejax.objectives.register_objective("name")': ("tests/train/test_fit.py", '@objectives.register_objective("test_labelled")'),
    '@aejax.objectives.register("name")': ("tests/test_objectives.py", '@objectives.register("test_mean_code")'),
    '@aejax.corruption.register("name")': ("tests/extensions/my/_cutout.py", '@corruption.register("cutout")'),
    '@aejax.evals.register("name")': ("tests/extensions/my/_probe.py", '@evals.register("centroid_probe")'),
    '{"schedule": "linear", "init_value": 0.0, "end_value": 1.0, "transition_steps": 10000}':
        ("tests/extensions/my/vae.py", 'kl_weight=dict(schedule="linear", init_value=0.0, end_value=1.0'),
    "aejax list --experiments my-aejax": ("tests/test_cli.py", 'cli.main(["list", "--experiments", str(folder)])'),
    "aejax config pca/digits --experiments my-aejax": ("tests/test_cli.py", 'cli.main(["config", "pca/digits", "--experiments", str(folder)'),
    "aejax run pca/digits --experiments my-aejax": ("tests/test_cli.py", 'cli.main(["run", "pca/digits", "--experiments", str(folder)'),
    # the fenced Python blocks
    "```python: Library use": ("tests/test_readme.py", "library_example()"),
    "```python: Extending it": ("tests/test_cli.py", "_readme_example(tmp_path)"),
}

COMMAND = re.compile(r"aejax (list|run|config|report|data|anomaly|score|bench)\b")


def _is_snippet(span: str) -> bool:
    """Whether an inline code span is something to run: a command, a flag, a statement."""
    return bool(COMMAND.match(span) or span.startswith(("--", "cfg.", "pip ", "tensorboard ", "@", '{"', "$AEJAX_", "aejax.registry."))
                or re.fullmatch(r"AEJAX_\w+=\S+", span) or span == "aejax config")


def readme_snippets() -> list[str]:
    """The README's snippets (before its Architecture section, a file tree)."""
    text = README.read_text().split("\n## Architecture", 1)[0]
    out, section = [], ""
    for part, fenced in zip(re.split(r"```(?:\w+)?\n.*?```", text, flags=re.S), re.findall(r"```(\w*)\n(.*?)```", text, re.S) + [None]):
        section = (re.findall(r"^## (.+)$", part, re.M) or [section])[-1]
        prose = re.sub(r"\n\s*", " ", part)
        out += [s for s in re.findall(r"`([^`]+)`", prose) if _is_snippet(s)]
        if fenced is None:
            continue
        language, body = fenced
        if language == "bash":
            out += [re.split(r"\s#", line)[0].strip() for line in body.splitlines() if line.strip()]
        else:
            out.append(f"```{language}: {section}")
    return list(dict.fromkeys(out))


def using_it_commands() -> list[str]:
    section = README.read_text().split("## Using it", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [re.split(r"\s#", line)[0].strip() for line in block.splitlines() if line.strip()]


def test_every_snippet_has_a_test():
    snippets = readme_snippets()
    assert set(snippets) == set(SNIPPETS), ("README snippets without a test here", sorted(set(snippets) - set(SNIPPETS)),
                                            "entries here no longer in the README", sorted(set(SNIPPETS) - set(snippets)))
    for snippet, (path, where) in SNIPPETS.items():
        assert where in (REPO / path).read_text(), (snippet, path, where)


def test_the_optional_extras_are_declared():
    """The README's `pip install 'aejax[EXTRA]'` names extras that exist, and the tests install them."""
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for extra, package in (("tensorboard", "tensorboardX"), ("baselines", "pyod")):
        assert [r.split(">=")[0] for r in extras[extra]] == [package] and extras[extra][0] in extras["test"]


def _main(*argv) -> int:
    return cli.main(list(argv))


def test_the_using_it_block(tmp_path, monkeypatch, capsys):
    """The block's commands in order in an empty folder (its full runs as quick ones), then the
    prose's commands on those runs: list --json, config NAME, run --record, --continue."""
    import os

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AEJAX_RESULTS_DIR", str(tmp_path / "results"))
    commands = using_it_commands()
    assert [c.split()[:2] for c in commands] == [["aejax", "list"], ["aejax", "run"], ["aejax", "run"], ["aejax", "run"], ["aejax", "report"]]
    for command in commands:
        argv = command.replace("/path/to/mnist", os.path.join(os.environ["AEJAX_DATA_DIR"], "mnist")).split()[1:]
        if argv[0] == "run" and "--quick" not in argv:
            argv.append("--quick")
        assert _main(*argv) == 0, command
    out = capsys.readouterr().out
    assert "| mnist/ae (quick) | test_sse_per_image |" in out and "| mnist/tied-ae (quick) |" in out
    assert f"expected (full run): {registry.expected('mnist/ae')}" in out  # printed before the run starts
    assert json.loads((tmp_path / "runs/ae/results.json").read_text())["config"]["train"]["epochs"] == 2
    assert (tmp_path / "runs/mnist/ae-quick/report.md").read_text().startswith("# mnist/ae (quick variant)")

    assert _main("list", "--json") == 0 and any(r["name"] == "mnist/ae" for r in json.loads(capsys.readouterr().out))
    assert _main("config", "mnist/ae") == 0 and "train.epochs" in capsys.readouterr().out
    # aejax run NAME --record: the finished quick run in runs/tied, recorded under $AEJAX_RESULTS_DIR
    assert _main("run", "mnist/tied-ae", "--quick", "--workdir", "runs/tied", "--record") == 0
    assert (tmp_path / "results/mnist/tied-ae.jsonl").is_file()
    # aejax run NAME --workdir D --continue --config.train.optimizer.learning_rate=1e-4
    assert _main("run", "mnist/ae", "--workdir", "runs/ae", "--continue", "--config.train.optimizer.learning_rate=1e-4") == 0
    history = (tmp_path / "runs/ae/config_history.jsonl").read_text().splitlines()
    assert json.loads(history[-1])["changes"] == {"train.optimizer.learning_rate": [3e-4, 1e-4]}


def _library_example(*lines: str) -> str:
    """The README's library example, smaller (1 epoch on 2,000 images), with `lines` after its config line."""
    section = README.read_text().split("## Library use", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    code = code.replace('"train[:10000]"', '"train[:2000]"').replace(", 2\n", ", 1\n", 1)
    config_line = "cfg.model.sizes, cfg.train.epochs = (784, 256, 32), 1\n"
    assert config_line in code
    return code.replace(config_line, config_line + "".join(f"{line}\n" for line in lines))


@pytest.mark.parametrize("snippet", [s for s in SNIPPETS if s.startswith("cfg.")])
def test_the_library_use_prose(snippet):
    """Each statement the "Library use" prose quotes, in the library example."""
    namespace: dict = {}
    exec(compile(_library_example("from ml_collections import ConfigDict", snippet), str(README), "exec"), namespace)
    ae = namespace["ae"]
    assert namespace["codes"].shape[0] == 1000
    steps = [r for r in ae.history if "examples_per_s" in r]
    if "regularizers" in snippet:
        assert steps and all(r["kl_sparsity"] > 0 for r in steps)
    else:
        assert type(ae.model).__name__.lower().startswith("conv")
