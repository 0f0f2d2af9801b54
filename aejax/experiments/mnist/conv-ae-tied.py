"""MNIST 2-D convolutional autoencoder with tied weights: each decoder layer is the adjoint
(transposed) convolution of its encoder kernel, and the code layer's decoder its transposed kernel.

Run:      aejax run mnist/conv-ae-tied       (quick: aejax run mnist/conv-ae-tied --quick)
Paper:    as mnist/conv-ae (Masci et al. 2011 tie their convolutional AE's decoder filters to the
          encoder's, flipped; metric and reference: H&S 2006 Fig. 2B, AE-30 3.00).
Protocol: as mnist/conv-ae but 2 epochs (a CPU budget: an epoch of the tied net took about 8 min
          on the shared 2-core machine at load 13-19), so compare with the untied run's test SSE
          after its second epoch as well as its last.
Expected: test SSE per image a little above the untied mnist/conv-ae, with half the kernels.
Measured: (seed 0, 1033 s at load 13-19) test SSE per image 7.61 (train 7.86) with 55,119
          parameters, after epochs 1-2: 9.41, 7.61; the untied net (109,023 parameters) had 9.09
          and 6.58 after its first two of 5 epochs, 5.45 at the end; H&S's MLP AE-30: 3.00.
"""
from aejax.registry import sibling

_untied = sibling(__file__, "conv-ae")


def get_config(arg=None):
    c = _untied.get_config(arg)
    c.model.tied = True
    if arg != "quick":
        c.train.epochs = 2
    return c
