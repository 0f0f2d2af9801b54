"""Logistic PCA: PCA initialisation and training on data a logistic decoder fits exactly."""

import jax.numpy as jnp
import numpy as np

from aejax.baselines import logistic_pca, pca


def test_pca_initialisation_gives_pca_codes():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(200, 12)).astype(np.float32)
    fitted = pca.fit(x, 3)
    net = logistic_pca.model(12, 3)
    params = logistic_pca.init_from_pca(fitted)
    codes = net.apply({"params": params}, jnp.asarray(x), method="encode")
    np.testing.assert_allclose(codes, pca.encode(fitted, x), atol=1e-5)


def test_training_fits_rank_one_logistic_data_better_than_pca():
    # Images = sigmoid(t * u + c): one logistic component explains them; a one-component linear
    # PCA cannot follow the saturation, so logistic PCA-1 must end below PCA-1.
    rng = np.random.default_rng(1)
    u, c = rng.standard_normal(20) * 3, rng.standard_normal(20)
    t = rng.standard_normal((600, 1))
    x = (1 / (1 + np.exp(-(t * u + c)))).astype(np.float32)
    pca_error = pca.sse_per_example(pca.fit(x[:500], 1), x[500:])
    net, params = logistic_pca.fit(x[:500], 1, epochs=150, batch_size=50, learning_rate=1e-2)
    error = logistic_pca.sse_per_example(net, params, x[500:])
    assert error < 0.5 * pca_error
