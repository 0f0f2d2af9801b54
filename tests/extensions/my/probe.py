"""An autoencoder with a probe of its codes: aejax run my/probe --experiments tests/extensions"""
from ml_collections import ConfigDict

from aejax import registry
from aejax.config import base_config

registry.sibling(__file__, "_probe")


def get_config(arg=None):
    c = base_config()
    c.data.name, c.model.sizes = "digits", (64, 32, 8)
    c.evals = ConfigDict(dict(probe=dict(kind="centroid_probe", every_epochs=1)))
    c.train.epochs = 2 if arg == "quick" else 50
    return c
