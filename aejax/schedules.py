"""Hyper-parameters that follow the train step: any option of an objective, a regulariser or a
model may be a number or a schedule over the step, an optax schedule named in a mapping:

    regularizers.kl_sparsity.weight = {"schedule": "linear", "init_value": 0.0, "end_value": 3.0,
                                       "transition_steps": 6000}          # a warm-up
    model.k = {"schedule": "linear", "init_value": 100, "end_value": 25, "transition_steps": 30000}

"schedule" names a function of `optax.schedules` (`linear` = `linear_schedule`, `cosine_decay`,
`exponential_decay`, `piecewise_constant`, `warmup_cosine_decay`, ...); the other keys are its
arguments. The step is the count of train steps taken before the one being computed (0 first).
This module imports optax only when a schedule is built, so configs stay light.
"""
from collections.abc import Callable, Mapping

KEY = "schedule"
LAST_STEP = 2**30  # a step past any transition: where `last` reads a schedule


def is_schedule(value) -> bool:
    """Whether `value` is a schedule spec (a mapping with a "schedule" name)."""
    return hasattr(value, "keys") and KEY in value


def names() -> list[str]:
    """Schedule names optax offers (without the `_schedule` suffix)."""
    import optax

    found = [n for n in dir(optax.schedules) if not n.startswith("_") and (n.endswith("_schedule") or n == "exponential_decay")]
    return sorted(n.removesuffix("_schedule") for n in found)


def make(spec, where: str = "option") -> Callable:
    """`fn(step) -> value` of a number (constant) or a schedule spec; `where` names the config
    key in errors."""
    if not is_schedule(spec):
        return lambda step: spec
    import optax

    options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in dict(spec.items()).items() if k != KEY}
    name = spec[KEY]
    short = name.removesuffix("_schedule")
    if short not in names():
        raise ValueError(f"{where}: unknown schedule {name!r}; choose one of {names()} (optax.schedules)")
    build = getattr(optax.schedules, short if short == "exponential_decay" else f"{short}_schedule")
    try:
        return build(**options)
    except TypeError as err:
        raise ValueError(f"{where}: schedule {name!r} does not take these arguments ({err}); "
                         f"see optax.schedules.{build.__name__}") from None


def resolve(options: Mapping, step, where: str = "") -> dict:
    """`options` with every schedule replaced by its value at `step` (a traced scalar is fine)."""
    return {k: make(v, f"{where}{k}")(step) if is_schedule(v) else v for k, v in options.items()}


def last(spec, where: str = "option"):
    """The value a schedule settles at (its value at step 2^30), a Python number: what a model
    option that follows the step is in evaluation. A number is returned as it is."""
    if not is_schedule(spec):
        return spec
    value = float(make(spec, where)(LAST_STEP))
    return int(value) if value.is_integer() else value
