import jax
import jax.numpy as jnp
import numpy as np
import optax

from aejax.models.autoencoder import Autoencoder, init_params
from aejax.train.state import TrainState
from aejax.objectives import reconstruction
from aejax.train.steps import batched_map, make_epoch, make_train_step


def _setup(seed=0, tied=False):
    model = Autoencoder((16, 8, 4), tied=tied)
    state = TrainState.create(params=init_params(model, jax.random.PRNGKey(seed)), tx=optax.adam(1e-2), rng=jax.random.PRNGKey(seed + 1))
    x = jax.random.uniform(jax.random.PRNGKey(99), (64, 16))
    return model, state, x


def test_one_step_lowers_the_loss_on_a_fixed_batch():
    model, state, x = _setup()
    loss_fn = reconstruction(model, "cross_entropy")
    step = jax.jit(make_train_step(loss_fn))
    before = float(loss_fn(state.params, x, jax.random.PRNGKey(0))[0])
    state, metrics = step(state, x)
    after = float(loss_fn(state.params, x, jax.random.PRNGKey(0))[0])
    assert np.isclose(float(metrics["loss"]), before, rtol=1e-6)
    assert after < before
    assert int(state.step) == 1


def test_same_seed_same_params_other_seed_differs():
    def train(seed):
        model, state, x = _setup(seed)
        epoch = jax.jit(make_epoch(make_train_step(reconstruction(model, "cross_entropy")), 16))
        for _ in range(3):
            state, _ = epoch(state, x)
        return state.params

    a, b, c = train(0), train(0), train(1)
    for la, lb in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_array_equal(la, lb)
    assert any(not np.array_equal(la, lc) for la, lc in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(c)))


def test_epoch_visits_every_example_once():
    seen = []
    x = jnp.arange(12.0)[:, None]

    def step(state, batch):
        return state, {"loss": jnp.sum(batch), "first": batch[0, 0]}

    model, state, _ = _setup()
    _, metrics = make_epoch(step, 4)(state, x)
    seen = np.asarray(metrics["loss"])
    assert seen.shape == (3,)
    assert seen.sum() == sum(range(12))


def test_batched_map_equals_direct_application_for_ragged_sizes():
    x = jax.random.normal(jax.random.PRNGKey(0), (10, 3))
    out = batched_map(lambda b: {"s": jnp.sum(b**2, axis=1)}, x, 4)
    np.testing.assert_allclose(out["s"], np.sum(np.asarray(x) ** 2, axis=1), rtol=1e-6)
