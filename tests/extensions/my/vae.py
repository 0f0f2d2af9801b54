"""My VAE on the 8x8 digits: aejax run my/vae --experiments tests/extensions"""
from ml_collections import ConfigDict

from aejax import registry
from aejax.config import base_config

registry.sibling(__file__, "_vae")


def get_config(arg=None):
    c = base_config()
    c.data.name = "digits"
    c.model = ConfigDict(dict(name="my-vae", latent=4))
    c.objective = ConfigDict(dict(name="elbo", kl_weight=dict(schedule="linear", init_value=0.0, end_value=1.0, transition_steps=100)))
    c.evals = ConfigDict(dict(test=dict(kind="iwae", samples=64)))
    c.train.epochs = 2 if arg == "quick" else 50
    return c
