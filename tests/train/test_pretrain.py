"""Greedy pretraining: stage wiring, unrolling into the Autoencoder and resume after a kill."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from aejax.ckpt import Checkpoints
from aejax.models import rbm
from aejax.models.autoencoder import Autoencoder
from aejax.train import pretrain


def _random_layer(key, n_in, n_out):
    k = jax.random.split(key, 4)
    return pretrain.layer_from_rbm({
        "kernel": jax.random.normal(k[0], (n_in, n_out)),
        "visible_bias": jax.random.normal(k[1], (n_in,)),
        "hidden_bias": jax.random.normal(k[2], (n_out,)),
    })


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@pytest.mark.parametrize("tied", [False, True])
def test_unrolled_forward_pass_equals_explicit_matrix_products(tied):
    sizes = (6, 5, 4, 2)
    keys = jax.random.split(jax.random.key(0), 3)
    layers = [_random_layer(keys[i], sizes[i], sizes[i + 1]) for i in range(3)]
    params = pretrain.unroll(layers, tied=tied)
    x = np.asarray(jax.random.uniform(jax.random.key(1), (3, 6)))
    W = [np.asarray(l["encoder"]["kernel"]) for l in layers]
    bh = [np.asarray(l["encoder"]["bias"]) for l in layers]
    bv = [np.asarray(l["decoder"]["bias"]) for l in layers]
    # backprop.m: sigmoid hidden layers, linear code, then transposed weights with visible biases.
    h1 = _sigmoid(x @ W[0] + bh[0])
    h2 = _sigmoid(h1 @ W[1] + bh[1])
    code = h2 @ W[2] + bh[2]
    d2 = _sigmoid(code @ W[2].T + bv[2])
    d1 = _sigmoid(d2 @ W[1].T + bv[1])
    out = _sigmoid(d1 @ W[0].T + bv[0])
    model = Autoencoder(sizes=sizes, tied=tied)
    assert jax.tree_util.tree_structure(params) == jax.tree_util.tree_structure(
        model.init(jax.random.key(0), jnp.zeros((1, 6)))["params"])
    got_code = model.apply({"params": params}, jnp.asarray(x), method="encode")
    got_out = model.apply({"params": params}, jnp.asarray(x), method="reconstruct")
    np.testing.assert_allclose(got_code, code, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got_out, out, rtol=1e-5, atol=1e-6)
    if tied:
        assert "kernel" not in params["dec_0"]
    else:
        np.testing.assert_array_equal(params["dec_1"]["kernel"], W[1].T)


def test_rbm_stages_follow_the_paper():
    stages = pretrain.rbm_stages((784, 1000, 500, 250, 30), epochs=50)
    assert [s.n_out for s in stages] == [1000, 500, 250, 30]
    assert [s.config.hidden for s in stages] == ["binary", "binary", "binary", "gaussian"]
    assert [s.config.lr for s in stages] == [0.1, 0.1, 0.1, 0.001]
    assert all(s.epochs == 50 and s.batch_size == 100 for s in stages)
    faces = pretrain.rbm_stages((625, 2000, 30), epochs=50, visible="gaussian", first_epochs=200)
    assert faces[0].config.visible == "gaussian" and faces[0].config.lr == 0.001
    assert faces[0].epochs == 200 and faces[1].config.visible == "binary"
    documents = pretrain.rbm_stages((2000, 500, 250, 125, 10), epochs=50, visible="softmax",
                                    learning_rate=0.1, first_learning_rate=0.001)
    assert [s.config.visible for s in documents] == ["softmax", "binary", "binary", "binary"]
    assert [s.config.lr for s in documents] == [0.001, 0.1, 0.1, 0.001]
    with pytest.raises(ValueError, match="'poisson'"):
        pretrain.rbm_stages((20, 5), epochs=1, visible="poisson")


def test_softmax_stage_encodes_counts_for_the_next_stage():
    counts = jnp.asarray(np.random.default_rng(0).poisson(2.0, (30, 8)), jnp.float32)
    stage = pretrain.rbm_stages((8, 4), epochs=2, batch_size=10, visible="softmax",
                                code_units="binary")[0]
    layer = stage.train(jax.random.key(0), counts, lambda record: None)
    expected = _sigmoid(np.asarray(counts) @ np.asarray(layer["encoder"]["kernel"])
                        + np.asarray(layer["encoder"]["bias"]))
    np.testing.assert_allclose(stage.encode(layer, counts), expected, rtol=1e-5, atol=1e-6)


def test_next_stage_trains_on_hidden_probabilities():
    data = jax.random.uniform(jax.random.key(2), (40, 6))
    seen = []

    class Recorder(pretrain.RBMStage):
        def train(self, key, inputs, log):
            seen.append(np.asarray(inputs))
            return super().train(key, inputs, log)

    stages = [Recorder(4, rbm.CDConfig(), 2, 10), Recorder(3, rbm.CDConfig(hidden="gaussian"), 2, 10)]
    layers = pretrain.pretrain(stages, data, jax.random.key(0))
    expected = _sigmoid(np.asarray(data) @ np.asarray(layers[0]["encoder"]["kernel"])
                        + np.asarray(layers[0]["encoder"]["bias"]))
    np.testing.assert_allclose(seen[1], expected, rtol=1e-5, atol=1e-6)


class Killed(RuntimeError):
    pass


def test_resume_in_the_middle_of_pretraining(tmp_path):
    data = jax.random.uniform(jax.random.key(3), (60, 8))
    calls = []

    def make_stages(kill_at=None):
        class Counting(pretrain.RBMStage):
            def train(self, key, inputs, log):
                calls.append(self.n_out)
                if self.n_out == kill_at:
                    raise Killed
                return super().train(key, inputs, log)
        hidden = ["binary", "binary", "gaussian"]
        return [Counting(n, rbm.CDConfig(hidden=h), 3, 20) for n, h in zip((7, 5, 2), hidden)]

    uninterrupted = pretrain.pretrain(make_stages(), data, jax.random.key(0))
    calls.clear()
    with pytest.raises(Killed):
        pretrain.pretrain(make_stages(kill_at=5), data, jax.random.key(0),
                          checkpoints=Checkpoints(tmp_path / "pretrain"))
    assert calls == [7, 5]
    calls.clear()
    records = []
    resumed = pretrain.pretrain(make_stages(), data, jax.random.key(0),
                                checkpoints=Checkpoints(tmp_path / "pretrain"), log=records.append,
                                print_fn=lambda s: None)
    assert calls == [5, 2]  # the first stage is restored, not retrained
    assert {r["phase"] for r in records} == {"pretrain/enc_1", "pretrain/enc_2"}
    for a, b in zip(jax.tree_util.tree_leaves(resumed), jax.tree_util.tree_leaves(uninterrupted)):
        np.testing.assert_array_equal(a, b)  # bit for bit, as fit's resume


def test_resume_refuses_layers_from_a_different_stack(tmp_path):
    data = jax.random.uniform(jax.random.key(4), (40, 6))
    first = [pretrain.RBMStage(4, rbm.CDConfig(), 1, 20), pretrain.RBMStage(2, rbm.CDConfig(), 1, 20)]
    pretrain.pretrain(first[:1], data, jax.random.key(0), checkpoints=Checkpoints(tmp_path / "p"))
    other = [pretrain.RBMStage(4, rbm.CDConfig(), 3, 20), pretrain.RBMStage(2, rbm.CDConfig(), 1, 20)]
    with pytest.raises(ValueError, match="fresh work directory"):
        pretrain.pretrain(other, data, jax.random.key(0), checkpoints=Checkpoints(tmp_path / "p"))
    # The same stack resumes after the saved stage.
    layers = pretrain.pretrain(first, data, jax.random.key(0), checkpoints=Checkpoints(tmp_path / "p"),
                               print_fn=lambda s: None)
    assert len(layers) == 2


def test_the_bar_shows_the_time_left_to_the_end_of_the_run(capsys):
    data = jax.random.uniform(jax.random.key(4), (40, 6))
    stages = [pretrain.RBMStage(4, rbm.CDConfig(), 3, 10), pretrain.RBMStage(2, rbm.CDConfig(hidden="gaussian"), 2, 10)]
    pretrain.pretrain(stages, data, jax.random.key(0), then_seconds=lambda: 3725.0)
    bars = capsys.readouterr().err.replace("\r", "\n").splitlines()
    left = [line.split("run_left=")[1].split(",")[0] for line in bars if "run_left=" in line]
    seconds = [sum(int(part) * 60 ** i for i, part in enumerate(reversed(text.split(":")))) for text in left]
    # one update per RBM epoch (5): 3,725 s (1:02:05) plus the stack's ETA, seconds here
    assert len(seconds) >= 5 and all(3725 <= s < 3725 + 300 for s in seconds) and seconds[-1] == 3725
    pretrain.pretrain(stages, data, jax.random.key(0))
    assert "run_left" not in capsys.readouterr().err
