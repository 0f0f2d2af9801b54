"""PCA baseline: a hand-checkable case and the paper's MNIST PCA-30 figure."""

import numpy as np
import pytest

from aejax import data
from aejax.baselines import pca


def test_points_on_a_line_are_reconstructed_exactly_by_one_component():
    # Points (t, 2t) + (1, 1): mean (1, 1) + mean t * (1, 2); the first component is (1, 2)/sqrt(5).
    t = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    x = np.stack([t + 1.0, 2.0 * t + 1.0], axis=1)
    model = pca.fit(x, 1)
    np.testing.assert_allclose(model.mean, [1.0, 1.0])
    np.testing.assert_allclose(np.abs(model.components[0]), np.array([1.0, 2.0]) / np.sqrt(5.0))
    np.testing.assert_allclose(model.variances, [np.mean(5.0 * t ** 2)])
    np.testing.assert_allclose(pca.reconstruct(model, x), x, atol=1e-12)


def test_off_line_point_loses_its_perpendicular_part():
    # Data along the x axis: a test point (3, 4) is reconstructed as (3, mean_y) = (3, 0),
    # error 16, and reconstructions are not clipped to the data range.
    x = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    model = pca.fit(x, 1)
    np.testing.assert_allclose(pca.reconstruct(model, np.array([[3.0, 4.0]])), [[3.0, 0.0]],
                               atol=1e-12)
    assert pca.sse_per_example(model, np.array([[3.0, 4.0], [0.0, 2.0]])) == pytest.approx(10.0)


def test_bad_component_count_is_named():
    with pytest.raises(ValueError, match="n_components=3"):
        pca.fit(np.zeros((4, 2)), 3)


def test_mnist_pca30_test_error_matches_paper():
    train = data.load("mnist", "train")
    test = data.load("mnist", "test")
    model = pca.fit(train.x, 30)
    assert pca.sse_per_example(model, test.x) == pytest.approx(13.87, abs=0.01)
