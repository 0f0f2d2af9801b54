import numpy as np
import pytest

from aejax import data
from aejax.data import curves
from aejax.data.builders.curves import CALIBRATION, AejaxCurves, CurvesConfig


def test_builder_writes_the_generated_images(tmp_path):
    config = CurvesConfig(name="tiny_seed_5", seed=5, sizes=(("train", 30), ("test", 12)))
    built = AejaxCurves(data_dir=str(tmp_path), config=config)
    built.download_and_prepare()
    source = built.as_data_source(split="test")
    assert len(source) == 12
    expected = curves.generate(5, "test", n=12)
    np.testing.assert_array_equal(np.stack([source[i]["image"] for i in range(12)]), expected)
    reopened = AejaxCurves(data_dir=str(tmp_path), config=config)
    assert reopened.info.metadata["calibration"]["pca18_test_sse"] == CALIBRATION["pca18_test_sse"]
    assert reopened.info.metadata["generator"]["width"] == curves.DEFAULT_PARAMS.width


def test_seed_configs_by_name():
    assert AejaxCurves.make_config("seed_12").seed == 12
    with pytest.raises(ValueError, match="seed_N"):
        AejaxCurves.make_config("twelve")


def test_load_gives_unlabelled_flat_images(tmp_path, monkeypatch):
    monkeypatch.setattr(AejaxCurves, "BUILDER_CONFIGS",
                        [CurvesConfig(name="seed_0", seed=0, sizes=(("train", 25), ("test", 5)))])
    split = data.load("curves", "train[:20]", cache=tmp_path)
    assert split.x.shape == (20, 784) and split.x.dtype == np.float32 and np.all(split.y == -1)
    np.testing.assert_array_equal(split.x, curves.generate(0, "train", n=25)[:20].reshape(20, 784))
