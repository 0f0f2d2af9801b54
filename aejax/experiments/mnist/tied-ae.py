"""MNIST deep autoencoder 784-1000-500-250-30 with tied weights (decoder = encoder kernels transposed).

Run:      aejax run mnist/tied-ae       (quick: aejax run mnist/tied-ae --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00
          (untied, RBM-pretrained); tying halves the kernel count.
Expected: test SSE per image a little above the untied mnist/ae run.
"""
from aejax.registry import sibling

_ae = sibling(__file__, "ae")


def get_config(arg=None):
    c = _ae.get_config(arg)
    c.model.tied = True
    return c
