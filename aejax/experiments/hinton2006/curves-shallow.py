"""CURVES ablation: a shallow 784-532-6 autoencoder (same number of weights as the deep one),
trained without pretraining.

Run:      aejax run hinton2006/curves-shallow   (quick: ... --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, text and SOM Fig. S1 (right): shallow
          autoencoders learn without pretraining (pretraining only speeds them up); no number
          is printed, so the reference is the claim itself: well below the mean-image error.
Protocol: hinton2006/curves' data and Adam 100 epochs, from weights of scale 0.01, no pretraining.
Expected: test SSE per image far below the mean image (about 1.1 against 16) and above the
          pretrained deep net of hinton2006/curves. A few minutes on a 2-core CPU.
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
    if arg == "quick":  # the shallow net leaves the mean image within seconds only at a higher rate
        c = make_quick(c)
        c.train.optimizer.learning_rate, c.train.epochs = 1e-2, 50
    return c
