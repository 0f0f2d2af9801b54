"""CD-k against a NumPy transcription of the authors' rbm.m / rbmhidlinear.m (spec section 2.2-2.4)
and of the count-data (constrained Poisson / softmax visible) RBM of spec section 2.5."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from aejax.models import rbm


def numpy_rbm_m(vishid, visbiases, hidbiases, vishidinc, visbiasinc, hidbiasinc, data, draws,
                momentum, epsilon, weightcost, hidden="binary", visible="binary"):
    """Line-by-line transcription of one minibatch of rbm.m (rbmhidlinear.m for Gaussian hidden).

    visible="softmax": ``data`` are word counts; the reconstruction is the document length times
    the softmax of the top-down input (spec section 2.5), everything else unchanged."""
    numcases = data.shape[0]
    logistic = lambda x: 1.0 / (1.0 + np.exp(-x))
    if hidden == "binary":
        poshidprobs = logistic(data @ vishid + hidbiases)
    else:
        poshidprobs = data @ vishid + hidbiases
    posprods = data.T @ poshidprobs
    poshidact = poshidprobs.sum(0)
    posvisact = data.sum(0)
    if hidden == "binary":
        poshidstates = (poshidprobs > draws).astype(np.float64)
    else:
        poshidstates = poshidprobs + draws
    negpre = poshidstates @ vishid.T + visbiases
    if visible == "binary":
        negdata = logistic(negpre)
    elif visible == "softmax":
        doclength = data.sum(1, keepdims=True)
        expo = np.exp(negpre - negpre.max(1, keepdims=True))
        negdata = doclength * expo / expo.sum(1, keepdims=True)
    else:
        negdata = negpre
    if hidden == "binary":
        neghidprobs = logistic(negdata @ vishid + hidbiases)
    else:
        neghidprobs = negdata @ vishid + hidbiases
    negprods = negdata.T @ neghidprobs
    neghidact = neghidprobs.sum(0)
    negvisact = negdata.sum(0)
    err = ((data - negdata) ** 2).sum()
    vishidinc = momentum * vishidinc + epsilon * ((posprods - negprods) / numcases - weightcost * vishid)
    visbiasinc = momentum * visbiasinc + (epsilon / numcases) * (posvisact - negvisact)
    hidbiasinc = momentum * hidbiasinc + (epsilon / numcases) * (poshidact - neghidact)
    return (vishid + vishidinc, visbiases + visbiasinc, hidbiases + hidbiasinc,
            vishidinc, visbiasinc, hidbiasinc, err)


def _tiny_problem(seed=0, n=7, v=6, h=5, counts=False):
    rng = np.random.default_rng(seed)
    params = {
        "kernel": 0.1 * rng.standard_normal((v, h)),
        "visible_bias": 0.2 * rng.standard_normal(v),
        "hidden_bias": 0.2 * rng.standard_normal(h),
    }
    increments = {key: 0.01 * rng.standard_normal(value.shape) for key, value in params.items()}
    data = rng.poisson(3.0, size=(n, v)).astype(np.float64) if counts else rng.uniform(size=(n, v))
    return params, increments, data


def _as_jax(tree):
    return jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float32), tree)


@pytest.mark.parametrize("hidden, visible, momentum", [
    ("binary", "binary", 0.5),
    ("gaussian", "binary", 0.9),
    ("binary", "gaussian", 0.9),
    ("binary", "softmax", 0.5),
    ("gaussian", "softmax", 0.9),
])
def test_cd1_matches_numpy_transcription(hidden, visible, momentum):
    params, increments, data = _tiny_problem(counts=visible == "softmax")
    config = rbm.CDConfig(visible=visible, hidden=hidden)
    noise = rbm.sample_noise(jax.random.key(3), config, data.shape[0], 5)
    expected = numpy_rbm_m(params["kernel"], params["visible_bias"], params["hidden_bias"],
                           increments["kernel"], increments["visible_bias"],
                           increments["hidden_bias"], data, np.asarray(noise[0], np.float64),
                           momentum, config.lr, 0.0002, hidden=hidden, visible=visible)
    new_params, new_inc, sse = rbm.cd_step(_as_jax(params), _as_jax(increments),
                                           jnp.asarray(data, jnp.float32), noise, momentum, config)
    got = (new_params["kernel"], new_params["visible_bias"], new_params["hidden_bias"],
           new_inc["kernel"], new_inc["visible_bias"], new_inc["hidden_bias"], sse)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(np.asarray(g), e, atol=1e-6, rtol=1e-6)


def test_cd1_with_zero_weights_by_hand():
    # Zero weights and biases: p0 = p1 = 0.5 and v1 = sigmoid(0) = 0.5 whatever the sample, so
    # dW = 0.1 * (v0' p0 - v1' p1) = 0.1 * (v0 - 0.5) * 0.5 and db_v = 0.1 * (v0 - 0.5), db_h = 0.
    config = rbm.CDConfig()
    params = {"kernel": jnp.zeros((3, 4)), "visible_bias": jnp.zeros(3), "hidden_bias": jnp.zeros(4)}
    noise = jnp.array([[[0.1, 0.9, 0.4, 0.6]]])
    v0 = jnp.array([[1.0, 0.0, 1.0]])
    new_params, _, sse = rbm.cd_step(params, rbm.init_increments(params), v0, noise, 0.5, config)
    np.testing.assert_allclose(new_params["visible_bias"], [0.05, -0.05, 0.05], atol=1e-7)
    np.testing.assert_allclose(new_params["kernel"], np.repeat([[0.025], [-0.025], [0.025]], 4, 1),
                               atol=1e-7)
    np.testing.assert_allclose(new_params["hidden_bias"], 0.0, atol=1e-7)
    np.testing.assert_allclose(float(sse), 3 * 0.25, rtol=1e-6)


def test_binary_hidden_sample_is_probability_above_uniform_draw():
    # p0 = sigmoid(0) = 0.5 for both hidden units; draws 0.1 and 0.9 give h = [1, 0], hence
    # v1 = sigmoid(h W') = sigmoid([2, 0]) and the reconstruction error is sigmoid(2)^2 + 0.5^2.
    config = rbm.CDConfig()
    params = {"kernel": 2.0 * jnp.eye(2), "visible_bias": jnp.zeros(2), "hidden_bias": jnp.zeros(2)}
    noise = jnp.array([[[0.1, 0.9]]])
    _, _, sse = rbm.cd_step(params, rbm.init_increments(params), jnp.zeros((1, 2)), noise, 0.5,
                            config)
    s2 = 1.0 / (1.0 + np.exp(-2.0))
    np.testing.assert_allclose(float(sse), s2 ** 2 + 0.25, rtol=1e-6)


def test_learning_rate_defaults_and_momentum_schedule():
    assert rbm.CDConfig().lr == 0.1
    assert rbm.CDConfig(hidden="gaussian").lr == 0.001
    assert rbm.CDConfig(visible="gaussian").lr == 0.001
    assert rbm.CDConfig(visible="softmax").lr == 0.001
    assert rbm.CDConfig(learning_rate=0.05).lr == 0.05
    config = rbm.CDConfig()
    assert [config.momentum(e) for e in (1, 5, 6, 50)] == [0.5, 0.5, 0.9, 0.9]


def test_bad_config_names_the_value():
    with pytest.raises(ValueError, match="'bernoulli'"):
        rbm.CDConfig(hidden="bernoulli")
    with pytest.raises(ValueError, match="'softmax'"):
        rbm.CDConfig(hidden="softmax")
    with pytest.raises(ValueError, match="k=0"):
        rbm.CDConfig(k=0)


def test_init_params_scale_and_zero_biases():
    params = rbm.init_params(jax.random.key(0), 200, 300)
    assert params["kernel"].shape == (200, 300)
    assert abs(float(jnp.std(params["kernel"])) - 0.1) < 0.002
    assert not jnp.any(params["visible_bias"]) and not jnp.any(params["hidden_bias"])


def test_softmax_reconstruction_is_a_distribution_scaled_by_document_length():
    params, _, counts = _tiny_problem(counts=True)
    counts[2] = 0.0  # an empty document reconstructs to zero counts
    h = (np.random.default_rng(1).uniform(size=(counts.shape[0], 5)) > 0.5).astype(np.float64)
    length = rbm.document_length(jnp.asarray(counts, jnp.float32))
    recon = np.asarray(rbm.visible_mean(_as_jax(params), jnp.asarray(h, jnp.float32), "softmax",
                                        length))
    assert (recon >= 0).all()
    np.testing.assert_allclose(recon.sum(1), counts.sum(1), rtol=1e-6)
    np.testing.assert_allclose(recon[2], 0.0)
    # Word i's share of each document is exp(input_i) / sum_k exp(input_k).
    top_down = h @ params["kernel"].T + params["visible_bias"]
    share = np.exp(top_down) / np.exp(top_down).sum(1, keepdims=True)
    nonempty = counts.sum(1) > 0
    np.testing.assert_allclose(recon[nonempty] / counts.sum(1, keepdims=True)[nonempty],
                               share[nonempty], rtol=1e-5)


def test_softmax_hidden_input_scales_with_document_length():
    # The same word proportions at twice the length double the bottom-up input (v W).
    params, _, counts = _tiny_problem(counts=True)
    params = _as_jax({**params, "hidden_bias": np.zeros(5)})
    counts = jnp.asarray(counts, jnp.float32)
    once = rbm.hidden_mean(params, counts, "gaussian")
    np.testing.assert_allclose(rbm.hidden_mean(params, 2 * counts, "gaussian"), 2 * once,
                               rtol=1e-5, atol=1e-6)


def test_softmax_visible_needs_document_lengths():
    params, _, _ = _tiny_problem()
    with pytest.raises(ValueError, match="length"):
        rbm.visible_mean(_as_jax(params), jnp.zeros((2, 5)), "softmax")


