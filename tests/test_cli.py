import json
from pathlib import Path

import pytest

from aejax import cli, config as config_lib, registry

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


def test_changed_config_on_existing_workdir_is_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({**config_lib.to_dict(registry.get_config("mnist/ae")), "seed": 123}))
    with pytest.raises(cli.UsageError, match=r"different config \(seed: 123 -> 0\)"):
        cli.run_experiment("mnist/ae", tmp_path, quiet=True)


def test_list_fits_100_columns_and_json_stays_complete(capsys):
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= 100
    assert "Hinton & Salakhutdinov (2006)" in next(line for line in lines if line.startswith("mnist/ae "))
    assert cli.main(["list", "--json"]) == 0
    row = next(r for r in json.loads(capsys.readouterr().out) if r["name"] == "semisup/mnist-100")
    assert row["paper"].startswith("Kingma, Rezende, Mohamed, Welling (2014), Semi-supervised Learning") and row["units"] == "%"


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
    assert cli.config_changes(old, new) == {"extra": [None, 1], "train.epochs": [14, 15]}
