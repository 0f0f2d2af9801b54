"""Classifier: autoencoder encoder params drop in; frozen layers stay bit-identical under optax."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from aejax.models import classifier as classifier_lib
from aejax.models.autoencoder import Autoencoder, init_params as ae_init
from aejax.tasks.classify import classification_loss
from aejax.train.state import TrainState
from aejax.train.steps import make_train_step

SIZES = (12, 8, 6, 4)


def _model(**kw):
    return classifier_lib.Classifier(encoder_sizes=SIZES, head_sizes=(5,), num_classes=3, **kw)


def _data():
    x = jax.random.uniform(jax.random.PRNGKey(1), (64, SIZES[0]))
    y = jnp.argmax(x[:, :3], axis=1)  # a learnable rule
    return x, y


def test_forward_pass_equals_numpy_and_encoder_matches_the_autoencoder():
    model = _model()
    ae = Autoencoder(SIZES, activations=("sigmoid",) * 3, tied=True)
    ae_params = ae_init(ae, jax.random.PRNGKey(2))
    params = classifier_lib.with_encoder(classifier_lib.init_params(model, jax.random.PRNGKey(0)), ae_params)
    x = np.asarray(_data()[0])
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    h = x
    for i in range(3):
        h = sig(h @ np.asarray(ae_params[f"enc_{i}"]["kernel"]) + np.asarray(ae_params[f"enc_{i}"]["bias"]))
    np.testing.assert_allclose(model.apply({"params": params}, x, method="encode"),
                               ae.apply({"params": ae_params}, x, method="encode"), rtol=1e-6)
    np.testing.assert_allclose(model.apply({"params": params}, x, method="encode"), h, rtol=1e-5, atol=1e-6)
    logits = sig(h @ np.asarray(params["head_0"]["kernel"]) + np.asarray(params["head_0"]["bias"]))
    logits = logits @ np.asarray(params["out"]["kernel"]) + np.asarray(params["out"]["bias"])
    np.testing.assert_allclose(model.apply({"params": params}, x), logits, rtol=1e-5, atol=1e-6)


def _train(params, trainable, steps=30):
    model = _model()
    tx = classifier_lib.masked_optimizer(optax.adam(1e-2), classifier_lib.trainable_labels(params, trainable))
    state = TrainState.create(params=params, tx=tx, rng=jax.random.PRNGKey(3))
    step = jax.jit(make_train_step(classification_loss(model)))
    batch = _data()
    losses = []
    for _ in range(steps):
        state, metrics = step(state, batch)
        losses.append(float(metrics["loss"]))
    return state.params, losses


def test_frozen_encoder_is_bit_identical_after_head_training():
    params = classifier_lib.init_params(_model(), jax.random.PRNGKey(0))
    before = jax.tree_util.tree_map(np.array, params)
    after, losses = _train(params, trainable=0)
    assert losses[-1] < 0.95 * losses[0]  # the head learns
    for i in range(3):
        for leaf in ("kernel", "bias"):
            np.testing.assert_array_equal(np.asarray(after[f"enc_{i}"][leaf]), before[f"enc_{i}"][leaf])
    for name in ("head_0", "out"):
        assert not np.array_equal(np.asarray(after[name]["kernel"]), before[name]["kernel"])


@pytest.mark.parametrize("top_k,changed", [(1, {"enc_2"}), (2, {"enc_1", "enc_2"}), (None, {"enc_0", "enc_1", "enc_2"})])
def test_fine_tuning_the_top_k_layers_changes_exactly_those(top_k, changed):
    params = classifier_lib.init_params(_model(), jax.random.PRNGKey(0))
    before = jax.tree_util.tree_map(np.array, params)
    after, _ = _train(params, trainable=top_k, steps=5)
    moved = {f"enc_{i}" for i in range(3) if not np.array_equal(np.asarray(after[f"enc_{i}"]["kernel"]), before[f"enc_{i}"]["kernel"])}
    assert moved == changed


def test_bad_inputs_name_the_problem():
    params = classifier_lib.init_params(_model(), jax.random.PRNGKey(0))
    with pytest.raises(ValueError, match="trainable_encoder_layers=4: choose 0..3"):
        classifier_lib.trainable_labels(params, 4)
    with pytest.raises(ValueError, match="lack enc_2"):
        classifier_lib.with_encoder(params, {"enc_0": params["enc_0"], "enc_1": params["enc_1"]})
    wrong = {**params, "enc_0": {"kernel": jnp.zeros((12, 9)), "bias": jnp.zeros((9,))}}
    with pytest.raises(ValueError, match=r"enc_0/kernel has shape \(12, 9\), the classifier needs \(12, 8\)"):
        classifier_lib.with_encoder(params, wrong)


def test_frozen_layers_stop_backpropagation_without_changing_the_forward_pass():
    params = classifier_lib.init_params(_model(), jax.random.PRNGKey(0))
    x, y = _data()
    grads = {k: jax.grad(lambda p: classification_loss(_model(frozen_layers=k))(p, (x, y), None)[0])(params) for k in (0, 2)}
    for name in ("enc_0", "enc_1"):
        assert not np.any(np.asarray(grads[2][name]["kernel"]))
        assert np.any(np.asarray(grads[0][name]["kernel"]))
    for name in ("enc_2", "head_0", "out"):
        np.testing.assert_allclose(grads[2][name]["kernel"], grads[0][name]["kernel"], rtol=1e-6)
    np.testing.assert_array_equal(_model(frozen_layers=2).apply({"params": params}, x), _model().apply({"params": params}, x))
    flops = {k: jax.jit(jax.grad(lambda p: classification_loss(_model(frozen_layers=k))(p, (x, y), None)[0]))
             .lower(params).compile().cost_analysis()["flops"] for k in (0, 3)}
    assert flops[3] < 0.8 * flops[0]
