"""aejax.train.rbm: CD-k epochs over fixed minibatches, and whole RBM training runs."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from aejax.models import rbm
from aejax.train.rbm import make_batches, train, train_epoch


def test_train_epoch_scan_equals_loop_of_cd_steps():
    config = rbm.CDConfig(k=2)
    params = rbm.init_params(jax.random.key(1), 6, 5)
    increments = rbm.init_increments(params)
    batches = jnp.asarray(np.random.default_rng(1).uniform(size=(3, 4, 6)), jnp.float32)
    key = jax.random.key(7)
    scan_params, scan_inc, scan_sse = train_epoch(params, increments, batches, key, 0.9, config)
    p, inc, total = params, increments, 0.0
    for b in range(3):
        noise = rbm.sample_noise(jax.random.fold_in(key, b), config, 4, 5)
        p, inc, sse = rbm.cd_step(p, inc, batches[b], noise, 0.9, config)
        total += float(sse)
    for a, b in zip(jax.tree_util.tree_leaves((scan_params, scan_inc)),
                    jax.tree_util.tree_leaves((p, inc))):
        np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(float(scan_sse), total, rtol=1e-5)


def test_training_reduces_reconstruction_error_on_structured_data():
    # Two prototype patterns plus noise: an RBM with a few hidden units learns to reconstruct them.
    rng = np.random.default_rng(0)
    prototypes = (rng.uniform(size=(2, 16)) > 0.5).astype(np.float32)
    data = np.clip(prototypes[rng.integers(0, 2, 400)] + 0.05 * rng.standard_normal((400, 16)), 0, 1)
    _, history = train(jax.random.key(0), data.astype(np.float32), 8, rbm.CDConfig(),
                           epochs=15, batch_size=20)
    assert len(history) == 15
    assert history[-1] < 0.5 * history[0]


def test_make_batches_fixed_and_rejects_oversized_batch():
    data = jnp.arange(20.0).reshape(10, 2)
    batches = make_batches(data, 3, None)
    assert batches.shape == (3, 3, 2)
    np.testing.assert_array_equal(batches[1, 0], [6.0, 7.0])
    with pytest.raises(ValueError, match="batch_size=11"):
        make_batches(data, 11, None)


def test_softmax_rbm_learns_topic_documents():
    # Documents drawn from two word distributions: CD-1 lowers the reconstruction error of the
    # counts well below that of the first epoch.
    rng = np.random.default_rng(0)
    topics = rng.dirichlet(np.full(30, 0.1), 2)
    docs = np.stack([rng.multinomial(rng.integers(20, 60), topics[i % 2]) for i in range(400)])
    _, history = train(jax.random.key(0), docs.astype(np.float32), 8,
                           rbm.CDConfig(visible="softmax", learning_rate=0.01), epochs=15,
                           batch_size=50)
    assert all(np.isfinite(history))
    assert history[-1] < 0.7 * history[0]
