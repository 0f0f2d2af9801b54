"""The one autoencoder trainer: same result as the engine's parts put together by hand, no work
directory needed, regulariser values in metrics.jsonl, K models side by side, any model by name."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from ml_collections import ConfigDict

from aejax import config as config_lib, data, models, objectives
from aejax.run import Run
from aejax.train import loop, optim
from aejax.train.fit import train_autoencoder
from aejax.train.state import TrainState
from aejax.train.steps import make_train_step, num_batches

X = np.asarray(jax.random.uniform(jax.random.PRNGKey(5), (96, 16)))


def _config(**model):
    c = config_lib.base_config()
    c.model.sizes = (16, 8, 4)
    c.model.update(model)
    c.train.epochs, c.train.batch_size, c.train.log_every = 3, 16, 2
    c.train.optimizer.schedule = "cosine"
    return c


def test_trainer_equals_the_parts_put_together_by_hand():
    cfg = _config()
    trained = train_autoencoder(cfg, X)
    model = models.build(cfg.model, (16,))
    init_rng, rng = jax.random.split(jax.random.PRNGKey(cfg.seed))
    tx = optim.make_optimizer(cfg.train.optimizer, cfg.train.epochs * num_batches(X, 16))
    state = TrainState.create(params=models.init(model, init_rng, (16,)), tx=tx, rng=rng)
    by_hand, _ = loop.fit(state, make_train_step(objectives.reconstruction(model, cfg.loss)), jnp.asarray(X),
                          epochs=3, batch_size=16)
    for a, b in zip(jax.tree_util.tree_leaves(trained.params), jax.tree_util.tree_leaves(by_hand.params)):
        np.testing.assert_array_equal(a, b)
    assert int(trained.state.step) == 18
    assert [r["step"] for r in trained.history if "examples_per_s" in r] == [2, 4, 6, 8, 10, 12, 14, 16, 18]


def test_given_params_are_copied_not_consumed():
    cfg = _config()
    start = train_autoencoder(cfg, X).params
    before = jax.tree_util.tree_map(np.asarray, start)
    train_autoencoder(cfg, X, params=start)
    for a, b in zip(jax.tree_util.tree_leaves(start), jax.tree_util.tree_leaves(before)):
        np.testing.assert_array_equal(a, b)  # still readable and unchanged after the fit donated its state


def test_regulariser_values_are_logged_to_metrics_jsonl(tmp_path):
    cfg = _config(hidden_activation="sigmoid", code_activation="sigmoid")
    cfg.regularizers = ConfigDict(dict(kl_sparsity=dict(weight=0.1, target=0.05), weight_decay=dict(weight=1e-4)))
    run = Run(tmp_path, quiet=True)
    trained = train_autoencoder(cfg, X, run=run, checkpoints="checkpoints")
    steps = [r for r in run.history() if "examples_per_s" in r]
    assert steps and all({"loss", "cross_entropy", "kl_sparsity", "weight_decay"} <= set(r) for r in steps)
    last = steps[-1]
    assert last["loss"] > last["cross_entropy"] > 0
    assert (tmp_path / "checkpoints").is_dir() and int(trained.state.step) == 18


def test_members_train_side_by_side_with_a_leading_model_axis():
    cfg = _config()
    x3 = np.stack([X, X[::-1], X ** 2], axis=1)  # [N, K=3, D]
    trained = train_autoencoder(cfg, x3, members=3)
    kernel = trained.params["enc_0"]["kernel"]
    assert kernel.shape == (3, 16, 8)
    assert not np.allclose(kernel[0], kernel[1])  # each member its own initialisation
    losses = [r["loss"] for r in trained.history if "examples_per_s" in r]
    assert losses[-1] < losses[0]


def test_conv2d_by_name_on_a_split_with_its_image_shape():
    c = config_lib.base_config()
    c.model = ConfigDict(dict(name="conv2d", channels=(2, 4), tied=True))
    c.train.epochs, c.train.batch_size, c.train.log_every = 6, 8, 1
    c.train.optimizer.learning_rate = 3e-2
    images = data.Split(np.asarray(jax.random.uniform(jax.random.PRNGKey(1), (32, 64))), np.zeros(32, np.int32), (8, 8, 1))
    trained = train_autoencoder(c, images)
    assert trained.params["enc_0"]["kernel"].shape == (3, 3, 1, 2) and set(trained.params["dec_0"]) == {"bias"}
    losses = [r["loss"] for r in trained.history if "examples_per_s" in r]
    assert np.mean(losses[-4:]) < np.mean(losses[:4])


def test_a_width_mismatch_fails_before_training():
    cfg = _config()
    cfg.model.sizes = (784, 30)
    with pytest.raises(ValueError, match=r"model.sizes\[0\]=784 but the data have 16 values"):
        train_autoencoder(cfg, X)
    cfg = _config(output_activation="linear")
    with pytest.raises(ValueError, match="does not match loss 'cross_entropy'"):
        train_autoencoder(cfg, X)


def test_evaluators_by_name_run_on_their_epochs_and_after_training(tmp_path):
    """config.evals: "sse" every 2 epochs and after the last, logged as <entry>/<name>; the
    numbers after training are the trained state's and come back in Trained.evals."""
    from aejax import eval as eval_lib

    cfg = _config()
    cfg.data.name, cfg.model.sizes = "digits", (64, 8)
    cfg.train.epochs = 5
    cfg.evals = ConfigDict(dict(test=dict(kind="sse", every_epochs=2), final=dict(kind="sse", split="test[:50]")))
    images = data.load("digits", "train[:96]")
    run = Run(tmp_path, quiet=True)
    trained = train_autoencoder(cfg, images, run=run)
    logged = [(r["epoch"], sorted(k for k in r if "/" in k)) for r in run.history() if any("/" in k for k in r)]
    assert logged == [(2, ["test/sse_per_image"]), (4, ["test/sse_per_image"]), (5, ["final/sse_per_image", "test/sse_per_image"])]
    test = data.load("digits", "test")
    assert trained.evals == pytest.approx({"test/sse_per_image": eval_lib.sse_per_image(trained.model, trained.params, test.x),
                                           "final/sse_per_image": eval_lib.sse_per_image(trained.model, trained.params, test.x[:50])})
    cfg.evals = ConfigDict(dict(test=dict(kind="sse", spilt="test")))
    with pytest.raises(ValueError, match="evals.test: .*unexpected keyword argument 'spilt'"):
        train_autoencoder(cfg, images)


def test_context_reaches_a_registered_objective_through_the_trainer():
    seen = []

    @objectives.register_objective("test_labelled")
    def labelled_objective(ctx, x, *, labelled):
        seen.append(labelled.shape)
        return jnp.mean(jnp.square(ctx.forward(x).outputs["reconstruction"] - x)) + 0.0 * jnp.sum(labelled)

    cfg = _config(output_activation="linear")
    cfg.objective = ConfigDict(dict(name="test_labelled"))
    trained = train_autoencoder(cfg, X, context={"labelled": jnp.ones((7, 2))})
    assert seen == [(7, 2)] and int(trained.state.step) == 18


def test_labels_carried_in_the_batch_reach_the_objective_permuted_with_the_examples():
    @objectives.register_objective("test_paired")
    def paired(ctx, batch):
        out = ctx.forward(batch["x"]).outputs["reconstruction"]
        mismatch = jnp.mean(jnp.abs(batch["x"][:, 0] - batch["y"]))  # y is a copy of x's first value
        return jnp.mean(jnp.square(out - batch["x"])), {"mismatch": mismatch}

    cfg = _config(output_activation="linear")
    cfg.objective = ConfigDict(dict(name="test_paired"))
    trained = train_autoencoder(cfg, {"x": X, "y": X[:, 0]})
    steps = [r for r in trained.history if "mismatch" in r]
    assert steps and all(r["mismatch"] == 0 for r in steps)
