"""The light name lists that configs validate against agree with the components themselves."""
import subprocess
import sys

from aejax import losses, names
from aejax.train import optim


def test_loss_names_are_the_objectives():
    assert set(names.LOSSES) == set(losses.OBJECTIVES)
    assert set(names.OUTPUT_ACTIVATION) == set(losses.OBJECTIVES)


def test_optimizer_names_are_the_optimizers():
    assert sorted(names.OPTIMIZERS) == optim.names()


def test_configs_and_experiment_discovery_import_no_jax():
    """`aejax list` reads every experiment's config: configs, validation and the experiment files
    import neither jax nor a task module."""
    code = ("import sys; from aejax import config, registry\n"
            "for name in registry.names():\n"
            "    registry.describe(name); config.validate(registry.get_config(name))\n"
            "print(sorted(m for m in sys.modules if m == 'jax' or m.startswith('aejax.tasks')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
