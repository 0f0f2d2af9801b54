import jax
import numpy as np
import optax

from aejax.ckpt import Checkpoints
from aejax.models.autoencoder import Autoencoder, init_params
from aejax.train.state import TrainState


def test_orbax_round_trip_restores_every_leaf_exactly(tmp_path):
    model = Autoencoder((10, 6, 3), tied=True)
    state = TrainState.create(params=init_params(model, jax.random.PRNGKey(0)), tx=optax.adam(1e-3), rng=jax.random.PRNGKey(7))
    grads = jax.tree_util.tree_map(lambda p: 0.1 * np.ones_like(p), state.params)
    state = state.apply_gradients(grads)  # non-trivial optimizer moments and step
    ckpt = Checkpoints(tmp_path / "ck")
    ckpt.save(int(state.step), state, {"epoch": 3})
    fresh = TrainState.create(params=init_params(model, jax.random.PRNGKey(1)), tx=optax.adam(1e-3), rng=jax.random.PRNGKey(0))
    restored, meta = Checkpoints(tmp_path / "ck").restore(fresh)
    assert meta == {"epoch": 3}
    assert int(restored.step) == 1
    for a, b in zip(jax.tree_util.tree_leaves(state), jax.tree_util.tree_leaves(restored)):
        np.testing.assert_array_equal(a, b)
    assert jax.tree_util.tree_structure(restored.opt_state) == jax.tree_util.tree_structure(state.opt_state)
