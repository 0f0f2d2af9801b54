"""MNIST 2-D convolutional autoencoder with tied weights: each decoder layer is the adjoint
(transposed) convolution of its encoder kernel, and the code layer's decoder its transposed kernel.

Run:      aejax run mnist/conv-ae-tied       (quick: aejax run mnist/conv-ae-tied --quick)
Paper:    as mnist/conv-ae (Masci et al. 2011 tie their convolutional AE's decoder filters to the
          encoder's, flipped; metric and reference: H&S 2006 Fig. 2B, AE-30 3.00).
Protocol: as mnist/conv-ae but 2 epochs (a CPU budget: an epoch of the tied net takes up to about
          8 minutes on a busy 2-core CPU), so compare with the untied run's test SSE after its
          second epoch as well as its last.
Expected: test SSE per image a little above the untied mnist/conv-ae after as many epochs (about
          7.6 after 2), with half the parameters.
"""
from aejax.registry import sibling

_untied = sibling(__file__, "conv-ae")


def get_config(arg=None):
    c = _untied.get_config(arg)
    c.model.tied = True
    if arg != "quick":
        c.train.epochs = 2
    return c
