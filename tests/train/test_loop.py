import json

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from aejax.ckpt import Checkpoints
from aejax.models.autoencoder import Autoencoder, init_params
from aejax.run import Run
from aejax.train.loop import NonFiniteLossError, fit
from aejax.train.state import TrainState
from aejax.objectives import reconstruction
from aejax.train.steps import make_train_step

X = jax.random.uniform(jax.random.PRNGKey(5), (96, 12))


def _state(lr=1e-2):
    model = Autoencoder((12, 6, 3))
    state = TrainState.create(params=init_params(model, jax.random.PRNGKey(0)), tx=optax.adam(lr), rng=jax.random.PRNGKey(1))
    return model, state


def test_resume_from_checkpoint_equals_uninterrupted_run(tmp_path):
    model, state = _state()
    step = make_train_step(reconstruction(model, "cross_entropy"))
    full, _ = fit(state, step, X, epochs=4, batch_size=16)
    ckpt = Checkpoints(tmp_path / "ck")
    _, state = _state()
    fit(state, step, X, epochs=2, batch_size=16, checkpoints=ckpt)
    _, fresh = _state()
    resumed, _ = fit(fresh, step, X, epochs=4, batch_size=16, checkpoints=Checkpoints(tmp_path / "ck"))
    assert int(resumed.step) == int(full.step) == 24
    for a, b in zip(jax.tree_util.tree_leaves(full.params), jax.tree_util.tree_leaves(resumed.params)):
        np.testing.assert_array_equal(a, b)


def test_metrics_lines_and_checkpoint_cadence(tmp_path):
    model, state = _state()
    run = Run(tmp_path, quiet=True)
    ckpt = run.checkpoints(max_to_keep=None)
    step = make_train_step(reconstruction(model, "cross_entropy"), grad_norm=True)
    fit(state, step, X, epochs=3, batch_size=16, run=run, checkpoints=ckpt, checkpoint_every=10, log_every=4)
    lines = [json.loads(s) for s in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    steps = [r["step"] for r in lines if "grad_norm" in r]
    assert steps == [4, 6, 8, 12, 16, 18]  # every 4 steps plus each epoch's last step
    assert all({"loss", "grad_norm", "param_norm", "examples_per_s", "epoch"} <= set(r) for r in lines if "grad_norm" in r)
    assert ckpt.all_steps() == [12, 18]  # first epoch end after crossing 10, and the end


def test_fit_returns_the_records_it_logged_with_or_without_a_run(tmp_path):
    model, state = _state()
    step = make_train_step(reconstruction(model, "cross_entropy"))
    evaluate = lambda s: {"test_value": float(s.step)}  # noqa: E731
    fitted = fit(state, step, X, epochs=2, batch_size=16, log_every=4, evaluate=evaluate)
    assert [r["step"] for r in fitted.history if "examples_per_s" in r] == [4, 6, 8, 12]
    assert [(r["step"], r["test_value"]) for r in fitted.history if "test_value" in r] == [(6, 6.0), (12, 12.0)]
    assert fitted.params is fitted.state.params and int(fitted.state.step) == 12
    run = Run(tmp_path, quiet=True)
    _, state = _state()
    _, logged = fit(state, step, X, epochs=2, batch_size=16, log_every=4, evaluate=evaluate, run=run)
    assert json.loads(json.dumps(logged)) == run.history()


def test_nan_loss_stops_naming_the_step_and_keeps_last_good_checkpoint(tmp_path):
    model, state = _state()
    good = make_train_step(reconstruction(model, "cross_entropy"))

    def poisoned(state, batch):  # the loss turns NaN from step 9 on
        new, metrics = good(state, batch)
        return new, {**metrics, "loss": jnp.where(state.step >= 8, jnp.nan, metrics["loss"])}

    ckpt = Checkpoints(tmp_path / "ck")
    with pytest.raises(NonFiniteLossError, match=r"at step 9 \(epoch 2\).*step 6"):
        fit(state, poisoned, X, epochs=3, batch_size=16, checkpoints=ckpt, checkpoint_every=6)
    assert ckpt.all_steps() == [6]


class _BatchNormAutoencoder(nn.Module):
    """Dense -> batch norm -> sigmoid code -> dense: running statistics in "batch_stats"."""

    def setup(self):
        self.enc_0, self.norm, self.dec_0 = nn.Dense(4), nn.BatchNorm(momentum=0.8), nn.Dense(12)

    def encode(self, x, train: bool = False):
        return jax.nn.sigmoid(self.norm(self.enc_0(x), use_running_average=not train))

    def reconstruct(self, x):
        return jax.nn.sigmoid(self(x))

    def __call__(self, x, train: bool = False):
        return self.dec_0(self.encode(x, train))


def test_batch_statistics_train_checkpoint_and_resume_bit_exactly(tmp_path):
    """The batch statistics are updated by every step, used by evaluation, saved with the
    state; a run stopped after 2 epochs and resumed equals one run straight, statistics included."""
    from aejax import config as config_lib, eval as eval_lib
    from aejax.train import fit as fit_lib

    cfg = config_lib.base_config()
    cfg.train.epochs, cfg.train.batch_size = 4, 16

    def fresh():
        return fit_lib.prepare(cfg, X, model=_BatchNormAutoencoder())

    ready = fresh()
    initial = jax.tree_util.tree_map(np.asarray, ready.state.collections)
    assert set(initial) == {"batch_stats"}
    straight, _ = fit(ready.state, ready.step, ready.x, epochs=4, batch_size=16)
    moved = jax.tree_util.tree_map(lambda a, b: not np.allclose(a, b), initial, straight.collections)
    assert all(jax.tree_util.tree_leaves(moved))
    ready = fresh()
    fit(ready.state, ready.step, ready.x, epochs=2, batch_size=16, checkpoints=Checkpoints(tmp_path / "ck"))
    ready = fresh()
    resumed, _ = fit(ready.state, ready.step, ready.x, epochs=4, batch_size=16, checkpoints=Checkpoints(tmp_path / "ck"))
    assert int(resumed.step) == 24
    for a, b in zip(jax.tree_util.tree_leaves((straight.params, straight.collections)),
                    jax.tree_util.tree_leaves((resumed.params, resumed.collections))):
        np.testing.assert_array_equal(a, b)
    model = _BatchNormAutoencoder()
    want = model.apply(resumed.variables, X, method="reconstruct")  # running averages
    np.testing.assert_allclose(eval_lib.reconstruct(model, resumed.params, X, collections=resumed.collections), want, rtol=1e-6)


def test_a_convolutional_step_on_cpu_runs_stepwise_with_the_scan_epochs_batches_and_results():
    from aejax import distributed, models
    from aejax.train.loop import StepwiseEpoch, compile_epoch
    from aejax.train.steps import make_epoch

    model = models.build(dict(name="conv1d", channels=(8, 4), kernel_size=3, hidden_activation="relu",
                              output_activation="linear"), (8, 3))
    x = jax.random.normal(jax.random.PRNGKey(2), (64, 8, 3))

    tx = optax.adam(1e-2)

    def fresh():
        params = model.init(jax.random.PRNGKey(0), x[:1])["params"]
        return TrainState.create(params=params, tx=tx, rng=jax.random.PRNGKey(1))

    step = make_train_step(reconstruction(model, "squared_error"))
    mesh = distributed.current_mesh()
    stepwise = compile_epoch(step, 16, fresh(), x, mesh)
    scanned = jax.jit(make_epoch(step, 16))
    mlp_epoch = compile_epoch(make_train_step(reconstruction(Autoencoder((12, 6, 3)), "cross_entropy")), 16,
                              _state()[1], X, mesh)
    assert isinstance(mlp_epoch, jax.stages.Compiled) and isinstance(stepwise, StepwiseEpoch)
    a, b = fresh(), fresh()
    for _ in range(2):
        a, metrics_a = stepwise(a, x)
        b, metrics_b = scanned(b, x)
        np.testing.assert_allclose(metrics_a["loss"], metrics_b["loss"], rtol=1e-5)
        np.testing.assert_allclose(metrics_a["param_norm"], metrics_b["param_norm"], rtol=1e-5)
    assert int(a.step) == int(b.step) == 8
    np.testing.assert_array_equal(a.rng, b.rng)
    for leaf_a, leaf_b in zip(jax.tree_util.tree_leaves(a.params), jax.tree_util.tree_leaves(b.params)):
        np.testing.assert_allclose(leaf_a, leaf_b, rtol=1e-4, atol=1e-6)
