"""Optimizers by name: plain keywords or a config section give the same transformation."""
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from ml_collections import ConfigDict

from aejax.train import optim


def _updates(tx, steps=5):
    params = {"w": jnp.ones(3)}
    state, out = tx.init(params), []
    for i in range(steps):
        updates, state = tx.update({"w": jnp.full(3, 0.5 + i)}, state, params)
        out.append(np.asarray(updates["w"]))
    return np.stack(out)


def test_keywords_and_config_section_agree_and_match_optax():
    section = ConfigDict(dict(name="adam", learning_rate=1e-2, schedule="cosine", final_fraction=0.1))
    from_config = _updates(optim.make_optimizer(section, total_steps=5))
    from_keywords = _updates(optim.make_optimizer(name="adam", learning_rate=1e-2, schedule="cosine",
                                                  final_fraction=0.1, total_steps=5))
    reference = _updates(optax.adam(optax.cosine_decay_schedule(1e-2, 5, alpha=0.1)))
    np.testing.assert_array_equal(from_config, from_keywords)
    np.testing.assert_allclose(from_keywords, reference, rtol=1e-6)
    overridden = _updates(optim.make_optimizer(section, total_steps=5, learning_rate=1e-3))  # keywords win
    np.testing.assert_allclose(overridden, _updates(optax.adam(optax.cosine_decay_schedule(1e-3, 5, alpha=0.1))), rtol=1e-6)


def test_missing_learning_rate_and_unknown_name_are_named():
    with pytest.raises(ValueError, match="learning_rate"):
        optim.make_optimizer(name="sgd")
    with pytest.raises(ValueError, match="unknown optimizer 'adamx'.*adam"):
        optim.make_optimizer(name="adamx", learning_rate=0.1)


def test_linear_tail_is_constant_then_decays_linearly_to_the_final_fraction():
    schedule = optim.make_schedule({"learning_rate": 0.002, "schedule": "linear_tail", "decay_fraction": 1 / 3}, 150)
    rates = np.array([float(schedule(s)) for s in (0, 99, 100, 125, 150)])
    np.testing.assert_allclose(rates, [0.002, 0.002, 0.002, 0.001, 0.0], rtol=1e-6, atol=1e-9)
