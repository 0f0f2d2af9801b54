"""A denoising autoencoder against cutout: aejax run my/cutout-dae --experiments tests/extensions"""
from ml_collections import ConfigDict

from aejax import registry
from aejax.config import base_config

registry.sibling(__file__, "_cutout")


def get_config(arg=None):
    c = base_config()
    c.data.name, c.model.sizes, c.model.tied = "digits", (64, 32), True
    c.corruption = ConfigDict(dict(name="cutout", level=0.375))
    c.train.epochs = 2 if arg == "quick" else 50
    return c
