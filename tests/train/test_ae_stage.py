"""AE stages in greedy pretraining: each trains only its own layer, on clean codes; resume by stage."""
import dataclasses
import jax
import numpy as np
import pytest

from aejax.ckpt import Checkpoints
from aejax.models.autoencoder import Autoencoder
from aejax.train import ae_stage, pretrain


def _data():
    # Binary patterns built from 4 prototypes: a one-hidden-layer AE can learn them.
    protos = np.asarray(jax.random.bernoulli(jax.random.PRNGKey(0), 0.5, (4, 20)), np.float32)
    pick = np.asarray(jax.random.randint(jax.random.PRNGKey(1), (256,), 0, 4))
    return protos[pick]


def _stages(**kw):
    return ae_stage.ae_stages((20, 8, 4), ("sigmoid", "sigmoid"), epochs=4, batch_size=32,
                              optimizer={"name": "adam", "learning_rate": 3e-2}, quiet=True, **kw)


@dataclasses.dataclass(frozen=True)
class Spy:
    """Wraps a stage and records the inputs it trains on."""

    stage: ae_stage.AEStage
    seen: list

    @property
    def n_out(self):
        return self.stage.n_out

    def train(self, key, inputs, log):
        self.seen.append(np.asarray(inputs))
        return self.stage.train(key, inputs, log)

    def encode(self, layer, inputs):
        return self.stage.encode(layer, inputs)

    def __repr__(self):  # pretrain checks a resumed stack by the stages' reprs
        return repr(self.stage)


KEY = jax.random.PRNGKey(5)


@pytest.fixture(scope="module")
def two_stages():
    """Both masking-noise stages run uninterrupted, with the inputs each stage saw."""
    seen = []
    stages = [Spy(s, seen) for s in _stages(corruption_name="masking", corruption_level=0.3)]
    return pretrain.pretrain(stages, _data(), KEY), seen


def test_a_stage_trains_only_its_own_layer_on_the_clean_codes_below(two_stages):
    x = _data()
    both, seen = two_stages
    first_only = pretrain.pretrain(_stages(corruption_name="masking", corruption_level=0.3)[:1], x, KEY)
    # Layer 0 is the same bits whether or not stage 1 ran after it: stage 1 did not touch it.
    for part in ("encoder", "decoder"):
        for leaf in ("kernel", "bias"):
            np.testing.assert_array_equal(both[0][part][leaf], first_only[0][part][leaf])
    # Stage 1 trained on the noise-free logistic codes of layer 0.
    w, b = np.asarray(both[0]["encoder"]["kernel"]), np.asarray(both[0]["encoder"]["bias"])
    np.testing.assert_allclose(seen[1], 1 / (1 + np.exp(-(x @ w + b))), rtol=1e-5, atol=1e-6)
    assert seen[1].shape == (256, 8)


def test_a_stage_learns_a_tied_one_hidden_layer_autoencoder():
    x = _data()
    stage = _stages()[0]
    records = []
    layer = stage.train(jax.random.PRNGKey(0), x, records.append)
    np.testing.assert_array_equal(layer["decoder"]["kernel"], layer["encoder"]["kernel"].T)
    losses = [r["loss"] for r in records if "loss" in r and "examples_per_s" in r]
    assert losses[-1] < 0.7 * losses[0]
    # The layer unrolls into the one-hidden-layer Autoencoder it came from.
    model = Autoencoder((20, 8), activations=("sigmoid",), tied=True)
    recon = model.apply({"params": pretrain.unroll([layer], tied=True)}, x, method="reconstruct")
    assert float(np.mean(np.sum((np.asarray(recon) - x) ** 2, axis=1))) < 0.5 * float(np.sum(x.var(axis=0)))


def test_denoising_changes_what_a_stage_learns():
    x = _data()
    plain = _stages()[0].train(jax.random.PRNGKey(0), x, lambda r: None)
    noisy = _stages(corruption_name="salt_and_pepper", corruption_level=0.3)[0].train(jax.random.PRNGKey(0), x, lambda r: None)
    assert not np.allclose(plain["encoder"]["kernel"], noisy["encoder"]["kernel"])


def test_a_killed_run_resumes_at_its_stage(tmp_path, two_stages):
    x = _data()
    uninterrupted, _ = two_stages
    ckpt = Checkpoints(tmp_path / "pretrain")
    plain_stages = _stages(corruption_name="masking", corruption_level=0.3)
    pretrain.pretrain(plain_stages[:1], x, KEY, checkpoints=ckpt)  # a run that stopped after stage 0
    seen = []
    stages = [Spy(s, seen) for s in plain_stages]
    resumed = pretrain.pretrain(stages, x, KEY, checkpoints=ckpt, print_fn=lambda s: None)
    assert len(seen) == 1 and seen[0].shape == (256, 8)  # only stage 1 trained
    for a, b in zip(jax.tree_util.tree_leaves(resumed), jax.tree_util.tree_leaves(uninterrupted)):
        np.testing.assert_array_equal(a, b)  # bit for bit, as fit's resume
    ckpt.close()


def test_upper_stages_of_a_linear_stack_use_squared_error():
    stages = ae_stage.ae_stages((20, 8, 4, 2), ("relu", "relu", "linear"), epochs=1, batch_size=8,
                                optimizer={"name": "adam", "learning_rate": 1e-3})
    assert [(s.output, s.loss) for s in stages] == [("sigmoid", "cross_entropy"), ("linear", "squared_error"),
                                                     ("linear", "squared_error")]
