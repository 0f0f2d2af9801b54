"""The training state pytree, and the tree a checkpoint stores of it."""
from typing import Any

import flax.struct
import jax
import optax


@flax.struct.dataclass
class TrainState:
    """Everything a run needs to continue: params, optimizer state, step count, RNG key and the
    model's mutable collections other than params (e.g. {"batch_stats": ...}; {} for most models),
    which the train step updates and evaluation reads.

    `tx` is static (not a pytree leaf), so a TrainState passes through jit and orbax as data.
    """

    step: jax.Array
    params: Any
    opt_state: optax.OptState
    rng: jax.Array
    tx: optax.GradientTransformation = flax.struct.field(pytree_node=False)
    collections: Any = flax.struct.field(default_factory=dict)

    @classmethod
    def create(cls, *, params, tx: optax.GradientTransformation, rng: jax.Array, collections=None) -> "TrainState":
        return cls(step=jax.numpy.zeros((), jax.numpy.int32), params=params, opt_state=tx.init(params), rng=rng, tx=tx,
                   collections=dict(collections or {}))

    @property
    def variables(self) -> dict:
        """{"params": params, **collections}: what `model.apply` reads."""
        return {"params": self.params, **self.collections}

    def apply_gradients(self, grads) -> "TrainState":
        updates, opt_state = self.tx.update(grads, self.opt_state, self.params)
        return self.replace(step=self.step + 1, params=optax.apply_updates(self.params, updates), opt_state=opt_state)


def to_checkpoint(state: TrainState) -> dict:
    """The tree a checkpoint stores: the state's fields, `collections` only when the model has
    some, so a model without them keeps the layout its checkpoints always had."""
    tree = {"step": state.step, "params": state.params, "opt_state": state.opt_state, "rng": state.rng}
    return {**tree, "collections": state.collections} if state.collections else tree


def from_checkpoint(state: TrainState, tree: dict) -> TrainState:
    """`state` with the fields of a restored `to_checkpoint(...)` tree."""
    return state.replace(**tree)
