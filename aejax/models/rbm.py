"""Restricted Boltzmann machines trained with contrastive divergence (Hinton & Salakhutdinov 2006).

Pure functions over a params pytree ``{"kernel": [V, H], "visible_bias": [V], "hidden_bias": [H]}``;
the momentum increments live in a separate pytree of the same structure.

Four kinds of units, following the authors' released code (spec ``hinton2006.md`` section 2.2-2.5):

* binary visible / binary hidden (``rbm.m``), learning rate 0.1;
* binary visible / linear hidden units with unit-variance Gaussian noise (``rbmhidlinear.m``),
  used for the code layer, learning rate 0.001;
* linear visible units with unit-variance Gaussian noise / binary hidden (faces, first layer),
  learning rate 0.001;
* softmax visible units for word counts (documents, first layer; spec section 2.5 and 1.5, the
  "constrained Poisson" model of the same authors): the data v are a document's counts over the
  vocabulary, L = sum_i v_i its length; the hidden input is v W + b_h (= L times the input of the
  word probabilities v / L, so the bottom-up weights are L times the top-down ones) and the
  reconstruction is E[v | h] = L softmax(h W' + b_v): counts that sum to L. Learning rate 0.001.

CD-k per minibatch v0 [N, V] (k=1 is the paper's setting):

1. p0 = E[h | v0] (logistic probabilities, or the linear mean); positive statistics use p0.
2. h = a sample of the hidden units (binary: 1[p > u], u ~ U(0,1); linear: mean + N(0,1)).
3. v1 = E[v | h] (logistic probabilities, the linear mean, or L times the softmax; the
   reconstruction is not sampled).
4. p1 = E[h | v1]; for k > 1 steps 2-4 repeat from p1. Negative statistics use v_k and p_k.
5. Increments: dW <- m dW + lr ((v0'p0 - vk'pk)/N - weight_cost W);
   db_v <- m db_v + lr/N (sum v0 - sum vk); db_h <- m db_h + lr/N (sum p0 - sum pk).
   Weight cost acts inside the learning-rate term and never on biases.

Momentum is 0.5 for epochs 1..5 and 0.9 afterwards. Training (epochs over fixed minibatches)
is ``aejax.train.rbm``.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp


UNIT_TYPES = ("binary", "gaussian")
VISIBLE_UNIT_TYPES = UNIT_TYPES + ("softmax",)

Params = dict[str, jax.Array]


@dataclasses.dataclass(frozen=True)
class CDConfig:
    """Hyper-parameters of CD-k training (defaults = the released code, binary units).

    Attributes:
      visible: "binary" (logistic), "gaussian" (linear, unit variance) or "softmax" (word
        counts: L times a softmax over the vocabulary, L the document length) visible units.
      hidden: "binary" (logistic) or "gaussian" (linear, unit variance) hidden units.
      learning_rate: epsilon for weights and both biases; None = 0.1 for binary-binary,
        0.001 otherwise (a Gaussian layer or softmax visible units).
      weight_cost: L2 coefficient on the kernel, inside the learning-rate term.
      initial_momentum, final_momentum: momentum before / after ``momentum_switch_epoch``.
      momentum_switch_epoch: epochs (1-based) <= this use ``initial_momentum``.
      k: number of Gibbs steps in CD-k.
      init_scale: standard deviation of the initial kernel.
    """

    visible: str = "binary"
    hidden: str = "binary"
    learning_rate: float | None = None
    weight_cost: float = 0.0002
    initial_momentum: float = 0.5
    final_momentum: float = 0.9
    momentum_switch_epoch: int = 5
    k: int = 1
    init_scale: float = 0.1

    def __post_init__(self):
        for field, allowed in (("visible", VISIBLE_UNIT_TYPES), ("hidden", UNIT_TYPES)):
            value = getattr(self, field)
            if value not in allowed:
                raise ValueError(f"CDConfig.{field}={value!r}: expected one of {allowed}.")
        if self.k < 1:
            raise ValueError(f"CDConfig.k={self.k}: CD-k needs at least one Gibbs step (k >= 1).")

    @property
    def lr(self) -> float:
        """The effective learning rate (0.1 binary-binary, 0.001 otherwise)."""
        if self.learning_rate is not None:
            return float(self.learning_rate)
        return 0.1 if self.visible == self.hidden == "binary" else 0.001

    def momentum(self, epoch: int) -> float:
        """Momentum for 1-based ``epoch``."""
        return self.initial_momentum if epoch <= self.momentum_switch_epoch else self.final_momentum


def init_params(key: jax.Array, n_visible: int, n_hidden: int, scale: float = 0.1,
                dtype=jnp.float32) -> Params:
    """W ~ scale * N(0, 1) of shape [n_visible, n_hidden]; zero visible and hidden biases."""
    return {
        "kernel": scale * jax.random.normal(key, (n_visible, n_hidden), dtype),
        "visible_bias": jnp.zeros((n_visible,), dtype),
        "hidden_bias": jnp.zeros((n_hidden,), dtype),
    }


def init_increments(params: Params) -> Params:
    """Zero momentum increments with the structure of ``params``."""
    return jax.tree_util.tree_map(jnp.zeros_like, params)


def _mean(pre_activation: jax.Array, unit_type: str) -> jax.Array:
    return jax.nn.sigmoid(pre_activation) if unit_type == "binary" else pre_activation


def hidden_mean(params: Params, v: jax.Array, unit_type: str = "binary") -> jax.Array:
    """E[h | v] [N, H]: logistic probabilities (binary) or the linear mean (gaussian)."""
    return _mean(v @ params["kernel"] + params["hidden_bias"], unit_type)


def visible_mean(params: Params, h: jax.Array, unit_type: str = "binary",
                 length: jax.Array | None = None) -> jax.Array:
    """E[v | h] [N, V]: logistic probabilities (binary), the linear mean (gaussian), or for
    "softmax" the expected counts ``length[:, None] * softmax(h W' + b_v)`` (each row sums to
    its document length; ``length`` [N] is required)."""
    pre = h @ params["kernel"].T + params["visible_bias"]
    if unit_type == "softmax":
        if length is None:
            raise ValueError("visible_mean(unit_type='softmax') needs the document lengths "
                             "`length` [N] (the row sums of the count data).")
        return length[:, None] * jax.nn.softmax(pre, axis=-1)
    return _mean(pre, unit_type)


def document_length(v: jax.Array) -> jax.Array:
    """L [N]: total word count of each document in count data ``v`` [N, V]."""
    return jnp.sum(v, axis=1)


def sample_noise(key: jax.Array, config: CDConfig, batch_size: int, n_hidden: int,
                 dtype=jnp.float32) -> jax.Array:
    """Random numbers for the k hidden samples of one minibatch, [k, N, H].

    Uniform(0, 1) draws for binary hidden units, standard normal draws for Gaussian ones.
    """
    shape = (config.k, batch_size, n_hidden)
    if config.hidden == "binary":
        return jax.random.uniform(key, shape, dtype)
    return jax.random.normal(key, shape, dtype)


def _sample_hidden(mean: jax.Array, noise: jax.Array, unit_type: str) -> jax.Array:
    if unit_type == "binary":
        return (mean > noise).astype(mean.dtype)
    return mean + noise


def cd_step(params: Params, increments: Params, v0: jax.Array, noise: jax.Array,
            momentum: jax.Array | float, config: CDConfig):
    """One CD-k update on a minibatch.

    Args:
      params, increments: RBM parameters and momentum increments.
      v0: data [N, V] (word counts for softmax visible units).
      noise: [k, N, H] draws from ``sample_noise``.
      momentum: scalar momentum for this update.
      config: CDConfig.
    Returns:
      (new_params, new_increments, sse): sse = sum over the batch of (v0 - v1)^2 with v1 the
      first reconstruction.
    """
    n = v0.shape[0]
    lr = config.lr
    length = document_length(v0) if config.visible == "softmax" else None
    p0 = hidden_mean(params, v0, config.hidden)
    vk, pk, v1 = v0, p0, None
    for step in range(config.k):
        h = _sample_hidden(pk, noise[step], config.hidden)
        vk = visible_mean(params, h, config.visible, length)
        pk = hidden_mean(params, vk, config.hidden)
        if v1 is None:
            v1 = vk
    gradient = {
        "kernel": (v0.T @ p0 - vk.T @ pk) / n - config.weight_cost * params["kernel"],
        "visible_bias": (v0.sum(0) - vk.sum(0)) / n,
        "hidden_bias": (p0.sum(0) - pk.sum(0)) / n,
    }
    new_increments = jax.tree_util.tree_map(
        lambda inc, g: momentum * inc + lr * g, increments, gradient)
    new_params = jax.tree_util.tree_map(jnp.add, params, new_increments)
    sse = jnp.sum((v0 - v1) ** 2)
    return new_params, new_increments, sse
