import numpy as np
import pytest
from sklearn.datasets import load_digits

from aejax import data


@pytest.mark.usefixtures("isolated_cache")
def test_digits_match_scikit_learn_scaled_to_unit_interval():
    reference = load_digits()
    train, test = data.load("digits", "train"), data.load("digits", "test")
    assert train.x.shape == (1500, 64) and test.x.shape == (297, 64)
    np.testing.assert_array_equal(np.concatenate([train.x, test.x]), (reference.data / 16).astype(np.float32))
    np.testing.assert_array_equal(np.concatenate([train.y, test.y]), reference.target)
    assert train.x.max() == 1.0 and train.x.min() == 0.0
