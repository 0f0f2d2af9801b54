"""Names of the built-in losses, optimizers and schedules, importable without jax, and the
decorator factory of aejax's name registries (tasks, models, regularisers).

`aejax.config.validate` checks configs against them; the modules that implement the components
(`aejax.losses`, `aejax.train.optim`) hold the functions, and tests check that both agree.
"""

LOSSES = ("cross_entropy", "squared_error", "softmax_cross_entropy")
# The output activation each loss implies (the loss reads the output before it).
OUTPUT_ACTIVATION = {"cross_entropy": "sigmoid", "squared_error": "linear", "softmax_cross_entropy": "softmax"}
OPTIMIZERS = ("adabelief", "adam", "adamw", "lamb", "nesterov", "rmsprop", "sgd")
SCHEDULES = ("constant", "cosine", "warmup_cosine", "exponential", "linear_tail")


def registrar(table: dict):
    """`register(name)`: a decorator storing what it decorates in `table` under `name`."""

    def register(name: str):
        def decorate(obj):
            table[name] = obj
            return obj

        return decorate

    return register
