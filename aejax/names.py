"""Names of the built-in losses, optimizers and schedules, importable without jax, the
decorator factory of aejax's name registries (tasks, models, regularisers), and the modules of
one's own that register components but are not imported yet.

`aejax.config.validate` checks configs against them; the modules that implement the components
(`aejax.losses`, `aejax.train.optim`) hold the functions, and tests check that both agree.
"""

LOSSES = ("cross_entropy", "squared_error", "softmax_cross_entropy")
# The output activation each loss implies (the loss reads the output before it).
OUTPUT_ACTIVATION = {"cross_entropy": "sigmoid", "squared_error": "linear", "softmax_cross_entropy": "softmax"}
OPTIMIZERS = ("adabelief", "adam", "adamw", "lamb", "nesterov", "rmsprop", "sgd")
SCHEDULES = ("constant", "cosine", "warmup_cosine", "exponential", "linear_tail")


# Modules that register components, imported when a registry is first looked up
# (`aejax.registry.sibling` defers them: reading a config, e.g. `aejax list`, imports no jax).
_DEFERRED: list = []  # callables importing one module each, in the order they were deferred
_DECLARED: set[str] = set()  # the names those modules register, read from their source


def defer(load, declared=()) -> None:
    """Run `load()` before the next registry lookup; `declared`: the names it will register."""
    _DEFERRED.append(load)
    _DECLARED.update(declared)


def load_deferred() -> None:
    """Import every deferred module (a registry calls this before it looks a name up)."""
    while _DEFERRED:
        _DEFERRED.pop(0)()


def declared() -> set[str]:
    """Names that deferred modules register, without importing them."""
    return set(_DECLARED)


def registrar(table: dict):
    """`register(name)`: a decorator storing what it decorates in `table` under `name`."""

    def register(name: str):
        def decorate(obj):
            table[name] = obj
            return obj

        return decorate

    return register


def lookup(table: dict, name: str, kind: str, where: str, decorator: str):
    """`table[name]` after the deferred modules are imported; an unknown name is a ValueError naming
    the `kind`, the config key `where`, the registered names and the `decorator` that adds one."""
    load_deferred()
    try:
        return table[name]
    except KeyError:
        raise ValueError(f"unknown {kind} {name!r} in {where}; registered: {sorted(table)}. "
                         f"Register one with @{decorator}(name).") from None
