"""Semi-supervised runner: balanced, reproducible label draws disjoint from validation; the loss."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from aejax import corruption, data, losses
from aejax.config import base_config
from aejax.models.classifier import Classifier, init_params
from aejax.models.autoencoder import Autoencoder, init_params as ae_init
from aejax.run import Run
from aejax.configs.semisup import semisup_config
from aejax.configs.stacked import pretrain_config
from aejax.tasks import semisup


@pytest.fixture(scope="module")
def pool_labels():
    return data.load("mnist", "train[:50000]").y


@pytest.mark.parametrize("n", [100, 600, 1000, 3000])
def test_label_draws_are_class_balanced_and_inside_the_pool(pool_labels, n):
    idx = semisup.balanced_subset(pool_labels, n, seed=0)
    assert len(idx) == n == len(np.unique(idx))
    np.testing.assert_array_equal(np.bincount(pool_labels[idx], minlength=10), np.full(10, n // 10))
    # Pool = train[:50000], so every drawn image has a training index below 50,000 and none is
    # one of the validation images train[50000:].
    assert idx.max() < 50000


def test_label_draws_are_disjoint_from_the_validation_images(pool_labels):
    pool = data.load("mnist", "train[:50000]")
    val = data.load("mnist", "train[50000:]")
    idx = semisup.balanced_subset(pool.y, 1000, seed=3)
    drawn = {row.tobytes() for row in pool.x[idx]}
    assert not drawn & {row.tobytes() for row in val.x}


def test_label_draws_are_reproducible_per_seed_and_differ_across_seeds(pool_labels):
    a = semisup.balanced_subset(pool_labels, 100, seed=1)
    np.testing.assert_array_equal(a, semisup.balanced_subset(pool_labels, 100, seed=1))
    b = semisup.balanced_subset(pool_labels, 100, seed=2)
    assert len(np.intersect1d(a, b)) < 10  # 100 of 50,000: overlaps are rare


def test_unbalanceable_budgets_are_errors(pool_labels):
    with pytest.raises(ValueError, match="semisup.labels=105 is not a multiple of the 10 classes"):
        semisup.balanced_subset(pool_labels, 105, seed=0)
    with pytest.raises(ValueError, match="class 1 has 2 examples, fewer than the 3"):
        semisup.balanced_subset(np.array([0, 0, 0, 1, 1]), 6, seed=0, num_classes=2)


def test_loss_is_cross_entropy_plus_weighted_per_feature_reconstruction_and_entropy():
    model = Classifier((12, 6), num_classes=3)
    ae = Autoencoder((12, 6), activations=("sigmoid",), tied=True)
    params = {**init_params(model, jax.random.PRNGKey(0)), "dec_0": ae_init(ae, jax.random.PRNGKey(1))["dec_0"]}
    batch = {"x": jax.random.uniform(jax.random.PRNGKey(2), (8, 12)), "y": jnp.arange(8) % 3,
             "u": jax.random.uniform(jax.random.PRNGKey(3), (8, 12))}
    rng = jax.random.PRNGKey(4)
    loss_fn = semisup.semisup_loss(model, ae, input_corrupt=None, recon_corrupt=corruption.make("masking", 0.5),
                                   recon_weight=0.3, entropy_weight=0.2)
    loss, aux = jax.jit(loss_fn)(params, batch, rng)
    logits = model.apply({"params": params}, batch["x"])
    ce = -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(8), batch["y"]])
    noisy = corruption.make("masking", 0.5)(jax.random.split(rng)[1], batch["u"])
    recon = jnp.mean(losses.sigmoid_cross_entropy(ae.apply({"params": params}, noisy), batch["u"])) / 12
    p = jax.nn.softmax(model.apply({"params": params}, batch["u"]))
    entropy = -jnp.mean(jnp.sum(p * jnp.log(p), -1))
    assert float(loss) == pytest.approx(float(ce + 0.3 * recon + 0.2 * entropy), rel=1e-5)
    assert float(aux["reconstruction"]) == pytest.approx(float(recon), rel=1e-5)
    grads = jax.jit(jax.grad(lambda q: loss_fn(q, batch, rng)[0]))(params)
    assert float(jnp.abs(grads["dec_0"]["bias"]).sum()) > 0  # the decoder is trained too


def test_runner_reports_mean_and_std_over_draws_on_digits(tmp_path):
    c = base_config()
    c.task = "semisup"
    c.data.name = "digits"
    c.model.sizes = (64, 32)
    c.model.code_activation = "sigmoid"
    c.pretrain = pretrain_config(epochs=3, corruption_name="masking", level=0.2)
    c.pretrain.batch_size = 50
    c.pretrain.optimizer.name = "adam"
    c.pretrain.optimizer.learning_rate = 1e-2
    c.semisup = semisup_config(100)
    c.semisup.seeds = (0, 1)
    c.semisup.unlabelled_split, c.semisup.label_pool, c.semisup.val_split = "train", "train[:1200]", "train[1200:]"
    c.semisup.recon_weight = 1.0
    c.semisup.learning_rate = 1e-2
    c.train.epochs = 2
    c.train.batch_size = 50
    run = Run(tmp_path, quiet=True)
    m = semisup.run_semisup(c, run)["metrics"]
    run.close()
    per_seed = [m["test_error_seed0"], m["test_error_seed1"]]
    assert m["test_error_mean"] == pytest.approx(np.mean(per_seed))
    assert m["test_error_std"] == pytest.approx(np.std(per_seed, ddof=1))
    assert m["test_error_supervised_mean"] == pytest.approx(np.mean([m["test_error_supervised_seed0"], m["test_error_supervised_seed1"]]))
    assert 0 <= m["test_error_mean"] < 60  # 100 labels of 8x8 digits: far better than chance (90 %)
