"""The denoise runner: errors from corrupted and clean inputs, a DAE that denoises, the figure."""
import jax
import numpy as np
import pytest

from aejax import corruption, data
from aejax.config import base_config
from aejax.run import Run
from aejax.configs.denoise import denoise_config
from aejax.tasks import denoise


def _config():
    c = base_config()
    c.task = "denoise"
    c.data.name = "digits"
    c.model.sizes = (64, 48)
    c.model.code_activation = "sigmoid"
    c.model.tied = True
    c.denoise = denoise_config()
    c.denoise.corruptions = {"masking": 0.4}
    c.denoise.num_shown = 4
    c.train.epochs = 30
    c.train.batch_size = 50
    c.train.optimizer.learning_rate = 1e-2
    c.train.log_every = 100
    return c


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("denoise")
    run = Run(workdir, quiet=True)
    out = denoise.run_denoise(_config(), run)
    run.close()
    return workdir, out


def test_errors_are_against_the_clean_test_images(finished):
    _, out = finished
    test = data.load("digits", "test").x
    noisy = np.asarray(corruption.make("masking", 0.4)(jax.random.PRNGKey(1000), test))
    expected = np.mean(np.sum((noisy - test) ** 2, axis=1))
    assert out["metrics"]["masking_sse_corrupted_input"] == pytest.approx(expected, rel=1e-5)


def test_the_denoising_autoencoder_denoises_better_than_a_plain_one(finished):
    m = finished[1]["metrics"]
    assert m["masking_sse_from_corrupted"] < 0.8 * m["masking_plain_ae_sse_from_corrupted"]
    assert m["masking_sse_from_corrupted"] < m["masking_sse_corrupted_input"]
    # Clean inputs are the easier task for both.
    assert m["masking_sse_from_clean"] < m["masking_sse_from_corrupted"]
    assert m["plain_ae_sse_from_clean"] < m["masking_plain_ae_sse_from_corrupted"]


def test_figure_shows_noisy_denoised_and_clean(finished):
    workdir, out = finished
    assert out["figures"] == ["denoising.png"]
    assert (workdir / "denoising.png").stat().st_size > 1000


def test_a_corruption_without_noise_is_an_error(tmp_path):
    cfg = _config()
    cfg.denoise.corruptions = {"gaussian": 0.0}
    with pytest.raises(ValueError, match="denoise.corruptions.gaussian=0.0 adds no noise"):
        denoise.run_denoise(cfg, Run(tmp_path, quiet=True))


def test_a_registered_corruption_is_accepted_by_name(tmp_path):
    @corruption.register("test-stripe")
    def stripe(rng, x, level, *, example_shape):  # zero the top rows of each image, a level's share of them
        rows = int(round(level * example_shape[0]))
        keep = (np.arange(example_shape[0]) >= rows).repeat(example_shape[1])
        return x * keep

    c = _config()
    c.denoise.corruptions = {"test-stripe": 0.25}
    c.denoise.plain_baseline, c.train.epochs = False, 2
    run = Run(tmp_path, quiet=True)
    out = denoise.run_denoise(c, run)
    run.close()
    test = data.load("digits", "test").x
    expected = np.mean(np.sum(test[:, :16] ** 2, axis=1))  # the two top rows of the 8 x 8 images, zeroed
    assert out["metrics"]["test-stripe_sse_corrupted_input"] == pytest.approx(expected, rel=1e-5)
    assert list(out["trained"]) == ["test-stripe"] and int(out["trained"]["test-stripe"].step) == 2 * (1500 // 50)
