"""Hyper-parameters over the step: numbers stay constant, optax schedules by name (with or
without the _schedule suffix), their last value, and errors that name the key."""
import numpy as np
import pytest
from ml_collections import ConfigDict

from aejax import schedules


def test_a_number_is_constant_and_a_schedule_follows_the_step():
    assert schedules.make(0.3)(12345) == 0.3 and not schedules.is_schedule(0.3)
    warmup = ConfigDict(dict(schedule="linear", init_value=0.0, end_value=2.0, transition_steps=100))
    assert schedules.is_schedule(warmup)
    np.testing.assert_allclose([schedules.make(warmup)(s) for s in (0, 25, 100, 400)], [0.0, 0.5, 2.0, 2.0])
    cosine = {"schedule": "cosine_decay_schedule", "init_value": 1.0, "decay_steps": 10}
    np.testing.assert_allclose(schedules.make(cosine)(5), 0.5, atol=1e-6)
    assert schedules.resolve({"a": 1, "b": warmup}, 50) == {"a": 1, "b": pytest.approx(1.0)}


def test_last_value_is_where_the_schedule_settles():
    assert schedules.last({"schedule": "linear", "init_value": 100, "end_value": 25, "transition_steps": 3000}) == 25
    assert isinstance(schedules.last({"schedule": "linear", "init_value": 100, "end_value": 25, "transition_steps": 3}), int)
    assert schedules.last({"schedule": "exponential_decay", "init_value": 1.0, "transition_steps": 1, "decay_rate": 0.5,
                           "end_value": 0.25}) == 0.25
    assert schedules.last(7) == 7


def test_bad_schedules_are_errors_naming_the_key():
    with pytest.raises(ValueError, match=r"model\.k: unknown schedule 'linar'; choose one of .*'linear'"):
        schedules.make({"schedule": "linar"}, "model.k")
    with pytest.raises(ValueError, match=r"w: schedule 'linear' does not take these arguments .*optax.schedules.linear_schedule"):
        schedules.make({"schedule": "linear", "start": 1.0}, "w")
