"""CURVES ablation: a shallow 784-532-6 autoencoder (same number of weights as the deep one),
trained without pretraining.

Run:      aejax run hinton2006/curves-shallow   (quick: ... --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, text and SOM Fig. S1 (right): shallow
          autoencoders learn without pretraining (pretraining only speeds them up); no number
          is printed, so the reference is the claim itself: well below the mean-image error.
Measured: generator 2.0.0 (seed 0, Adam 100 epochs, 215 s at load 5-6): test 1.056 (train 0.869),
          far below the mean image (16.02) but above the pretrained deep net (0.686). On
          generator 1.0.0 it was 0.783, below the deep net's 1.05.
"""
from aejax.config import reference
from aejax.configs.hinton2006 import curves_config, make_quick


def get_config(arg=None):
    c = curves_config()
    c.reference.test_sse_per_image = reference(
        16.0, 0.0, "H&S 2006 text / SOM Fig. S1: learns without pretraining (below the mean "
        "image, ~16)", units="SSE/image")
    c.model.sizes = (784, 532, 6)
    c.pretrain.enabled = False
    c.model.init_scale = 0.01
    c.baselines.pca = ()
    c.baselines.logistic_pca = ()
    return make_quick(c) if arg == "quick" else c
