import json
import subprocess
import sys
from pathlib import Path

import pytest

from aejax import cli, config as config_lib, experiment, registry

REPO = Path(__file__).resolve().parents[1]


def test_list_shows_both_mnist_experiments(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "mnist/ae" in out and "mnist/tied-ae" in out
    assert cli.main(["list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["mnist/ae"]["metric"] == "test_sse_per_image" and rows["mnist/ae"]["reference"] == 3.0


def test_unknown_experiment_names_it_and_the_closest(capsys):
    assert cli.main(["run", "mnist/aee"]) == 2
    err = capsys.readouterr().err
    assert "mnist/aee" in err and "mnist/ae" in err


def test_unknown_key_names_it_and_the_closest(capsys, tmp_path):
    assert cli.main(["run", "mnist/ae", "--workdir", str(tmp_path), "--config.train.nope=1"]) == 2
    err = capsys.readouterr().err
    assert "train.nope" in err and "closest: train." in err


def test_wrong_type_names_the_key(capsys, tmp_path):
    assert cli.main(["run", "mnist/ae", "--workdir", str(tmp_path), "--config.train.epochs=many"]) == 2
    err = capsys.readouterr().err
    assert "train.epochs" in err and "int" in err


def test_overrides_are_typed_and_validated():
    cfg = registry.load("mnist/ae", overrides={"train.epochs": "3", "model.sizes": "(784, 64, 8)", "model.tied": "true", "train.optimizer.learning_rate": "1"})
    assert cfg.train.epochs == 3 and cfg.model.sizes == (784, 64, 8) and cfg.model.tied is True
    assert cfg.train.optimizer.learning_rate == 1.0 and isinstance(cfg.train.optimizer.learning_rate, float)
    with pytest.raises(ValueError, match="train.batch_size"):
        registry.load("mnist/ae", overrides={"train.batch_size": "0"})
    # a string key keeps the text, "none" included (the name of no corruption); elsewhere none is None
    with registry.extra_folders([Path(__file__).with_name("extensions")]):
        cfg = registry.load("my/cutout-dae", overrides={"corruption.name": "none", "data.data_dir": "none"})
    assert cfg.corruption.name == "none" and cfg.data.data_dir is None


def test_changed_config_on_existing_workdir_is_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({**config_lib.to_dict(registry.get_config("mnist/ae")), "seed": 123}))
    with pytest.raises(experiment.WorkdirConflictError, match=r"different config \(seed: 123 -> 0\)"):
        experiment.run_experiment("mnist/ae", tmp_path, quiet=True)


def test_list_fits_100_columns_and_json_stays_complete(capsys):
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= 100
    assert "Hinton &" in next(line for line in lines if line.startswith("mnist/ae "))  # the citation, maybe cut
    assert cli.main(["list", "--json"]) == 0
    row = next(r for r in json.loads(capsys.readouterr().out) if r["name"] == "semisup/mnist:labels=100")
    assert row["paper"].startswith("Kingma, Rezende, Mohamed, Welling (2014), Semi-supervised Learning") and row["units"] == "%"


def test_help_and_list_import_neither_jax_nor_a_task_module():
    """`aejax --help` and `aejax list` stay light: a fresh interpreter runs both and then holds no
    jax, flax or optax module and no task module."""
    code = ("import contextlib, io, sys\nfrom aejax import cli\n"
            "for argv in (['--help'], ['list'], ['list', '--json']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "        try:\n"
            "            cli.main(argv)\n"
            "        except SystemExit:\n"
            "            pass\n"
            "    assert 'mnist/' in out.getvalue() or argv == ['--help'], argv\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jax', 'flax', 'optax') or m.startswith('aejax.tasks')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_short_citation():
    assert cli.short_citation("Hinton & Salakhutdinov (2006), Science 313:504") == "Hinton & Salakhutdinov (2006)"
    assert cli.short_citation("Xie, Girshick, Farhadi (2016), Unsupervised Deep Embedding") == "Xie et al. (2016)"
    assert cli.short_citation("ADBench; DAGMM (see the runs)") == "ADBench; DAGMM (see the runs)"


def test_run_help_explains_config_overrides(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    out = capsys.readouterr().out
    assert "--config.KEY=VALUE" in out and "aejax config NAME" in out and "--continue" in out


def test_config_lists_every_key_with_its_value_after_overrides(capsys):
    assert cli.main(["config", "mnist/ae", "--config.train.epochs=3"]) == 0
    rows = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert rows["train.epochs"] == "3" and rows["model.sizes"] == "[784, 1000, 500, 250, 30]"
    assert rows["train.optimizer.learning_rate"] == "0.001" and rows["data.name"] == '"mnist"'
    assert cli.main(["config", "mnist/ae", "--json"]) == 0
    assert set(rows) == set(json.loads(capsys.readouterr().out))


def test_config_diff_names_leaf_keys():
    old = {"train": {"epochs": 14, "optimizer": {"name": "adam"}}, "data": {"data_dir": "/a"}, "seed": 0}
    new = {"train": {"epochs": 15, "optimizer": {"name": "adam"}}, "data": {"data_dir": "/b"}, "seed": 0, "extra": 1}
    assert experiment.config_changes(old, new) == {"extra": [None, 1], "train.epochs": [14, 15]}


def _readme_example(root: Path) -> None:
    """Writes the files of the README's "Extending it" example (each a python block whose first
    line names its path) under `root`."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Extending it", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0] for b in section.split("```python\n")[1:]]
    assert len(blocks) >= 2
    for block in blocks:
        first, body = block.split("\n", 1)
        path = root / first.removeprefix("# ")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)


def test_readme_extension_example_runs_from_a_folder_of_ones_own(tmp_path, capsys):
    _readme_example(tmp_path)
    folder = tmp_path / "my-aejax"
    assert cli.main(["list", "--experiments", str(folder)]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:-1]]
    assert "pca/digits" in names and "mnist/ae" in names  # added to the built-in experiments
    workdir = tmp_path / "run"
    assert cli.main(["run", "pca/digits", "--experiments", str(folder), "--workdir", str(workdir)]) == 0
    results = json.loads((workdir / "results.json").read_text())
    sse = results["metrics"]["test_sse_per_image"]
    # 8 principal components reconstruct the test digits better than the mean image, worse than perfectly
    assert 0 < sse < results["reference"]["test_sse_per_image"]["value"]
    assert "| test_sse_per_image | 4.73 |" in (workdir / "report.md").read_text()
    capsys.readouterr()
    assert cli.main(["config", "pca/digits", "--experiments", str(folder), "--quick"]) == 0
    assert dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())["pca.components"] == "2"


def test_experiment_folders_add_to_the_built_in_ones_and_names_stay_inside(tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    (mine / "mnist").mkdir(parents=True)
    (mine / "mnist" / "other.py").write_text("from aejax.config import base_config\n\ndef get_config(arg=None):\n    return base_config()\n")
    monkeypatch.setenv("AEJAX_EXPERIMENTS", str(mine))
    assert {"mnist/other", "mnist/ae", "hinton2006/mnist"} <= set(registry.names())
    (mine / "mnist" / "ae.py").write_text((mine / "mnist" / "other.py").read_text())
    with pytest.raises(ValueError, match=r"'mnist/ae' is defined twice: .*experiments/mnist/ae.py, .*mine/mnist/ae.py"):
        registry.get_config("mnist/ae")
    monkeypatch.setenv("AEJAX_EXPERIMENTS", str(tmp_path / "typo"))
    with pytest.raises(FileNotFoundError, match="typo.*AEJAX_EXPERIMENTS.*does not exist"):
        registry.names()
    outside = tmp_path / "x.py"
    outside.write_text("raise SystemExit('executed')\n")
    for name in ("../x", "../../x", str(outside.with_suffix("")), "mnist/../../x", "mnist/.hidden", "_common", ""):
        with pytest.raises(ValueError, match="not a name inside the experiments folders"):
            registry.get_config(name)


def test_a_shared_module_is_imported_once(tmp_path, monkeypatch):
    root = tmp_path / "exp" / "g"
    root.mkdir(parents=True)
    (root / "_shared.py").write_text("from aejax import tasks\nCOUNT = [0]\n\n@tasks.register('g-noop')\ndef run(cfg, run):\n    return {'metrics': {}}\n")
    (root / "a.py").write_text("from aejax import registry\nshared = registry.sibling(__file__, '_shared')\nshared.COUNT[0] += 1\n"
                               "from aejax.config import base_config\n\ndef get_config(arg=None):\n    c = base_config()\n    c.task = 'g-noop'\n    return c\n")
    (root / "b.py").write_text((root / "a.py").read_text())
    monkeypatch.setenv("AEJAX_EXPERIMENTS", str(tmp_path / "exp"))
    for name in ("g/a", "g/b", "g/a"):
        registry.get_config(name)
    shared = registry.sibling(str(root / "a.py"), "_shared")
    assert shared.COUNT == [2]  # one module, imported once, bumped once by each experiment file


def test_variants_are_experiments_of_one_file_and_old_names_are_aliases(tmp_path):
    names = registry.names()
    assert [n for n in names if n.startswith("semisup/mnist")] == [
        "semisup/mnist:labels=100", "semisup/mnist:labels=600", "semisup/mnist:labels=1000", "semisup/mnist:labels=3000"]
    cfg = registry.load("semisup/mnist:labels=600")
    assert cfg.semisup.labels == 600 and cfg.experiment == "semisup/mnist:labels=600"
    assert cfg.reference.test_error_mean.value == 6.3
    quick = registry.load("semisup/mnist:labels=1000", quick=True)
    assert quick.semisup.labels == 1000 and tuple(quick.model.sizes) == (784, 64)
    alias = registry.load("semisup/mnist-3000")
    assert alias.semisup.labels == 3000 and alias.experiment == "semisup/mnist:labels=3000"
    assert registry.load("semisup/mnist").semisup.labels == 100  # the default argument
    with pytest.raises(ValueError, match=r"unknown experiment argument 'label'.*takes labels, quick"):
        registry.load("semisup/mnist:label=7")
    with pytest.raises(ValueError, match=r"labels='many': expected int like 100"):
        registry.load("semisup/mnist:labels=many")
    with pytest.raises(ValueError, match=r"'mnist/ae' takes no arguments \(got 'epochs=3'\)"):
        registry.load("mnist/ae:epochs=3")


def test_every_experiment_says_what_to_expect_and_the_main_job_says_how_long(tmp_path, monkeypatch):
    assert [n for n in registry.names() if not registry.expected(n)] == []
    main_job = registry.expected("hinton2006/mnist-fast")  # the README's first command
    assert main_job.startswith("test SSE per image about 2.98, at or below the paper's 3.00.")
    assert "About 2.5 minutes on a quiet 2-core CPU" in main_job and "\n" not in main_job
    root = tmp_path / "exp" / "g"
    root.mkdir(parents=True)
    (root / "x.py").write_text('"""X.\n\nRun:      aejax run g/x\nExpected: about 1.0,\n          in a minute.\n'
                               'Notes:    not this.\n"""\ndef get_config(arg=None):\n    pass\n')
    (root / "y.py").write_text('"""Y, with no expectation."""\ndef get_config(arg=None):\n    pass\n')
    monkeypatch.setenv("AEJAX_EXPERIMENTS", str(tmp_path / "exp"))
    assert (registry.expected("g/x"), registry.expected("g/y")) == ("about 1.0, in a minute.", "")


def test_report_skips_a_directory_without_results_with_a_warning(tmp_path, capsys):
    done, unfinished = tmp_path / "done", tmp_path / "unfinished"
    done.mkdir()
    unfinished.mkdir()
    (done / "results.json").write_text(json.dumps({"experiment": "mnist/ae", "quick": False, "metrics": {"test_sse_per_image": 3.2},
                                                   "reference": {"test_sse_per_image": {"value": 3.0, "tolerance": 0.5, "source": "p"}}}))
    assert cli.main(["report", str(unfinished), str(done)]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == f"aejax report: warning: no results.json in {unfinished}, skipped (a run writes it when it finishes: aejax run NAME --workdir {unfinished})"
    assert "| mnist/ae | test_sse_per_image | 3 | 3.2 | yes |" in captured.out and (done / "report.md").is_file()
    assert cli.main(["report", str(unfinished)]) == 2
    assert "error: none of the directories holds a results.json" in capsys.readouterr().err
