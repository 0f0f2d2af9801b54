"""Corruption statistics on known inputs, range of values, determinism per key."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from aejax import corruption

B, D = 200, 500


def _x():
    # Values strictly inside (0.2, 0.8): no element equals 0 or 1 before corruption.
    return 0.2 + 0.6 * jax.random.uniform(jax.random.PRNGKey(7), (B, D))


def test_gaussian_noise_has_zero_mean_and_the_requested_variance():
    x = _x()
    noisy = corruption.make("gaussian", 0.3)(jax.random.PRNGKey(0), x)
    noise = np.asarray(noisy - x)
    assert abs(noise.mean()) < 0.005  # 1e5 draws: sd of the mean 0.3 / 316 ~ 0.001
    assert np.isclose(noise.var(), 0.09, rtol=0.02)
    assert np.all(noise != 0)


def test_masking_zeroes_exactly_the_fraction_per_example():
    x = _x()
    noisy = np.asarray(corruption.make("masking", 0.25)(jax.random.PRNGKey(1), x))
    zeroed = noisy == 0
    np.testing.assert_array_equal(zeroed.sum(axis=1), np.full(B, 125))
    np.testing.assert_array_equal(noisy[~zeroed], np.asarray(x)[~zeroed])
    # Every position is hit about equally often across examples (no fixed pattern).
    assert zeroed.mean(axis=0).std() < 0.06  # binomial(200, .25) sd / 200 ~ 0.031


def test_salt_and_pepper_sets_the_fraction_to_min_or_max_in_equal_shares():
    x = _x()
    noisy = np.asarray(corruption.make("salt_and_pepper", 0.4, low=-1.0, high=2.0)(jax.random.PRNGKey(2), x))
    low, high = noisy == -1.0, noisy == 2.0
    np.testing.assert_array_equal((low | high).sum(axis=1), np.full(B, 200))
    assert np.isclose(high.sum() / (low | high).sum(), 0.5, atol=0.01)  # 40,000 coin flips
    untouched = ~(low | high)
    np.testing.assert_array_equal(noisy[untouched], np.asarray(x)[untouched])
    assert noisy.min() >= -1.0 and noisy.max() <= 2.0


@pytest.mark.parametrize("name,level", [("gaussian", 0.5), ("masking", 0.3), ("salt_and_pepper", 0.3)])
def test_same_key_same_noise_other_key_other_noise(name, level):
    corrupt = jax.jit(corruption.make(name, level))
    x = _x()
    a, b = corrupt(jax.random.PRNGKey(3), x), corrupt(jax.random.PRNGKey(3), x)
    c = corrupt(jax.random.PRNGKey(4), x)
    np.testing.assert_array_equal(a, b)
    assert np.mean(np.asarray(a) != np.asarray(c)) > 0.1


def test_none_and_zero_level_mean_no_corruption():
    assert corruption.make("none", 0.5) is None
    assert corruption.make("masking", 0.0) is None


def test_bad_name_and_level_are_errors_that_say_what_to_do():
    with pytest.raises(ValueError, match="unknown corruption 'blur'.*masking"):
        corruption.make("blur", 0.1)
    with pytest.raises(ValueError, match="fraction in \\[0, 1\\]"):
        corruption.make("masking", 1.5)


def test_corruption_inside_the_jitted_step_follows_the_step_rng():
    from aejax.models.autoencoder import Autoencoder, init_params
    from aejax.objectives import reconstruction

    model = Autoencoder((D, 8), tied=True)
    params = init_params(model, jax.random.PRNGKey(0))
    x = _x()
    loss = jax.jit(reconstruction(model, "cross_entropy", corrupt=corruption.make("masking", 0.5)))
    clean = reconstruction(model, "cross_entropy")(params, x, jax.random.PRNGKey(0))[0]
    l1, l2, l3 = (float(loss(params, x, jax.random.PRNGKey(k))[0]) for k in (0, 0, 1))
    assert l1 == l2 and l1 != l3 and l1 != float(clean)
    # The target stays the clean input: scoring model(masked x) against x by hand gives l1.
    noisy = corruption.make("masking", 0.5)(jax.random.PRNGKey(0), x)
    logits = model.apply({"params": params}, noisy)
    by_hand = jnp.mean(jnp.sum(jnp.maximum(logits, 0) - logits * x + jnp.log1p(jnp.exp(-jnp.abs(logits))), axis=1))
    assert np.isclose(l1, float(by_hand), rtol=1e-5)


def cutout(rng, x, level, *, example_shape, fill=0.0):
    """A square of side round(level * H) at a random place of each image set to `fill`."""
    height, width = example_shape
    side = int(round(level * height))
    top, left = (jax.random.randint(k, (x.shape[0], 1, 1), 0, n - side + 1) for k, n in zip(jax.random.split(rng), (height, width)))
    rows, cols = jnp.arange(height)[None, :, None], jnp.arange(width)[None, None, :]
    inside = (rows >= top) & (rows < top + side) & (cols >= left) & (cols < left + side)
    return jnp.where(inside.reshape(x.shape), fill, x)


def test_a_registered_corruption_is_made_by_name_with_its_options_and_the_example_shape():
    corruption.register("test-cutout")(cutout)
    assert "test-cutout" in corruption.names()
    x = _x()[:, :64]
    noisy = np.asarray(corruption.make("test-cutout", 0.25, example_shape=(8, 8), fill=-1.0)(jax.random.PRNGKey(0), x))
    for image in (noisy == -1.0).reshape(-1, 8, 8):
        rows, cols = np.flatnonzero(image.any(1)), np.flatnonzero(image.any(0))
        assert image.sum() == 4 and len(rows) == len(cols) == 2  # one 2 x 2 square per image
    assert len({tuple(np.argwhere(im)[0]) for im in (noisy == -1.0).reshape(-1, 8, 8)}) > 10  # at random places
    with pytest.raises(ValueError, match="corruption 'test-cutout' takes no option\\(s\\) size; its options: example_shape, fill"):
        corruption.make("test-cutout", 0.25, example_shape=(8, 8), size=3)
