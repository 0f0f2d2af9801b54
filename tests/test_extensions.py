"""The three extensions of issue 25 written out of tree (tests/extensions/my): a VAE from a model
module and the built-in ELBO, a denoising autoencoder against a registered corruption, and a
probe of the codes as a registered evaluator. Each is a module and a config run by the built-in
task "reconstruct": no task module. A model drawing from a stream aejax does not give is a
one-line error (exit 2)."""
import json
from pathlib import Path

import pytest

from aejax import cli

FOLDER = Path(__file__).with_name("extensions")


def _run(name, tmp_path):
    code = cli.main(["run", name, "--quick", "--workdir", str(tmp_path), "--experiments", str(FOLDER)])
    assert code == 0
    return json.loads((tmp_path / "results.json").read_text())


def test_no_extension_needs_a_task_module():
    assert not list(FOLDER.rglob("*task*")) and "tasks.register" not in "".join(p.read_text() for p in FOLDER.rglob("*.py"))


def test_a_vae_from_a_model_module_and_the_built_in_elbo(tmp_path):
    results = _run("my/vae", tmp_path)
    assert results["config"]["task"] == "reconstruct"
    assert -120 < results["metrics"]["test/log_likelihood"] < 0  # nats per 8x8 image
    steps = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert any({"loss", "reconstruction", "kl"} <= set(r) for r in steps)
    report = (tmp_path / "report.md").read_text()
    assert "| reconstruction |" in report and "| kl |" in report and (tmp_path / "loss_curves.png").stat().st_size > 0


def test_a_denoising_autoencoder_with_a_registered_corruption(tmp_path):
    results = _run("my/cutout-dae", tmp_path)
    assert results["config"]["corruption"] == {"name": "cutout", "level": 0.375}
    assert results["metrics"]["test_sse_per_image"] > 0


def test_a_probe_of_the_codes_as_a_registered_evaluator(tmp_path):
    results = _run("my/probe", tmp_path)
    assert 0 <= results["metrics"]["probe/test_error"] < 90
    logged = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in logged if "probe/test_error" in r] == [1, 2]
    assert "| probe/test_error |" in (tmp_path / "report.md").read_text()
    assert "resumed from checkpoint" not in (tmp_path / "report.md").read_text()


def test_a_model_drawing_from_an_unknown_stream_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "exp" / "odd").mkdir(parents=True)
    (tmp_path / "exp" / "odd" / "_model.py").write_text(
        "import flax.linen as nn, jax\nfrom aejax import models\n\n\n@models.register('odd-noise')\n"
        "class Odd(nn.Module):\n    @nn.compact\n    def __call__(self, x):\n"
        "        x = x.reshape(x.shape[0], -1)\n        return nn.Dense(x.shape[-1])(x) + jax.random.normal(self.make_rng('sampling'), x.shape)\n\n"
        "    def encode(self, x):\n        return x\n\n    def reconstruct(self, x):\n        return self(x)\n")
    (tmp_path / "exp" / "odd" / "noise.py").write_text(
        "from ml_collections import ConfigDict\nfrom aejax import registry\nfrom aejax.config import base_config\n"
        "registry.sibling(__file__, '_model')\n\n\ndef get_config(arg=None):\n    c = base_config()\n"
        "    c.data.name, c.model = 'digits', ConfigDict(dict(name='odd-noise'))\n    c.train.epochs = 1\n    return c\n")
    code = cli.main(["run", "odd/noise", "--workdir", str(tmp_path / "w"), "--experiments", str(tmp_path / "exp")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("aejax run: error: model Odd draws from RNG stream 'sampling', which aejax does not give")


@pytest.mark.parametrize("name", ["my/vae", "my/cutout-dae", "my/probe"])
def test_extension_configs_are_light(name):
    from aejax import registry

    with registry.extra_folders([FOLDER]):
        assert registry.describe(name)["name"] == name
