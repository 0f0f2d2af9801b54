"""The training state pytree."""
from typing import Any

import flax.struct
import jax
import optax


@flax.struct.dataclass
class TrainState:
    """Everything a run needs to continue: params, optimizer state, step count and RNG key.

    `tx` is static (not a pytree leaf), so a TrainState passes through jit and orbax as data.
    """

    step: jax.Array
    params: Any
    opt_state: optax.OptState
    rng: jax.Array
    tx: optax.GradientTransformation = flax.struct.field(pytree_node=False)

    @classmethod
    def create(cls, *, params, tx: optax.GradientTransformation, rng: jax.Array) -> "TrainState":
        return cls(step=jax.numpy.zeros((), jax.numpy.int32), params=params, opt_state=tx.init(params), rng=rng, tx=tx)

    def apply_gradients(self, grads) -> "TrainState":
        updates, opt_state = self.tx.update(grads, self.opt_state, self.params)
        return self.replace(step=self.step + 1, params=optax.apply_updates(self.params, updates), opt_state=opt_state)
