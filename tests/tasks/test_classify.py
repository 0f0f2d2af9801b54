"""The classify runner: selection on validation, frozen encoder untouched, test error of the selected model."""
import json

import jax
import numpy as np
import pytest

from aejax import data
from aejax.config import base_config
from aejax.models import classifier as classifier_lib
from aejax.run import Run
from aejax.configs.classify import MODES, classify_config
from aejax.configs.stacked import pretrain_config
from aejax.tasks import classify


def _config():
    c = base_config()
    c.task = "classify"
    c.data.name = "digits"
    c.model.sizes = (64, 24)
    c.model.code_activation = "sigmoid"
    c.pretrain = pretrain_config(epochs=3, corruption_name="masking", level=0.2)
    c.pretrain.batch_size = 50
    c.pretrain.optimizer.name = "adam"
    c.pretrain.optimizer.learning_rate = 1e-2
    c.classify = classify_config()
    c.classify.train_split, c.classify.val_split, c.classify.test_split = "train[:1200]", "train[1200:]", "test"
    c.classify.learning_rates = (1e-2,)
    c.train.epochs = 4
    c.train.batch_size = 50
    c.train.log_every = 10
    return c


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("classify")
    cfg = _config()
    run = Run(workdir, quiet=True)
    out = classify.run_classify(cfg, run)
    run.close()
    return cfg, workdir, out


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _restore(workdir, subdir, template):
    run = Run(workdir, quiet=True)
    params, meta = run.checkpoints(subdir).restore(template)
    run.close()
    return jax.tree_util.tree_map(np.asarray, params), meta


def test_each_mode_reports_the_epoch_with_the_lowest_validation_error(finished):
    cfg, workdir, out = finished
    history = [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]
    for mode in MODES:
        vals = [r["val_error"] for r in history if r.get("phase") == f"{mode}/lr=0.01" and "val_error" in r]
        assert len(vals) == cfg.train.epochs
        assert out["metrics"][f"val_error_{mode}"] == min(vals)
        assert out["metrics"][f"epoch_{mode}"] == 1 + vals.index(min(vals))


def test_test_error_is_that_of_the_selected_checkpoint_and_the_frozen_encoder_is_the_pretrained_one(finished):
    cfg, workdir, out = finished
    model = classify.build_classifier(cfg)
    template = classifier_lib.init_params(model, jax.random.PRNGKey(0))
    frozen, _ = _restore(workdir, "frozen/lr=0.01/best", template)
    ae_template = {"enc_0": {"kernel": np.zeros((64, 24), np.float32), "bias": np.zeros(24, np.float32)},
                   "dec_0": {"kernel": np.zeros((24, 64), np.float32), "bias": np.zeros(64, np.float32)}}
    layer_template = {"enc_0": {"encoder": ae_template["enc_0"], "decoder": ae_template["dec_0"]}}
    layers, _ = _restore(workdir, "pretrain", layer_template)
    np.testing.assert_array_equal(frozen["enc_0"]["kernel"], layers["enc_0"]["encoder"]["kernel"])
    np.testing.assert_array_equal(frozen["enc_0"]["bias"], layers["enc_0"]["encoder"]["bias"])
    test = data.load("digits", "test")
    for mode in MODES:
        params, _ = _restore(workdir, f"{mode}/lr=0.01/best", template)
        logits = _sigmoid(test.x @ params["enc_0"]["kernel"] + params["enc_0"]["bias"]) @ params["out"]["kernel"] + params["out"]["bias"]
        error = 100 * np.mean(np.argmax(logits, 1) != test.y)
        assert out["metrics"][f"test_error_{mode}"] == pytest.approx(error, abs=1e-9)
    # The pretrained encoder is worth something: the frozen and fine-tuned modes beat chance by far.
    assert out["metrics"]["test_error_frozen"] < 50 and out["metrics"]["test_error_finetuned"] < 30


def test_a_rerun_resumes_without_training_again(finished):
    cfg, workdir, out = finished
    lines = len((workdir / "metrics.jsonl").read_text().splitlines())
    run = Run(workdir, quiet=True)
    again = classify.run_classify(cfg, run)
    run.close()
    assert again["metrics"] == out["metrics"]
    new = [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()[lines:]]
    assert not any("examples_per_s" in r for r in new)


def test_inconsistent_settings_are_errors():
    cfg = _config()
    cfg.pretrain.kind = "none"
    with pytest.raises(ValueError, match="pretrain.kind='none' leaves nothing to freeze"):
        classify.run_classify(cfg, None)
    cfg = _config()
    cfg.classify.modes = ("frozen", "linear-probe")
    with pytest.raises(ValueError, match="classify.modes"):
        classify.run_classify(cfg, None)
