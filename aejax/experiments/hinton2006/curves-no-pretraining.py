"""CURVES ablation: the deep 784-400-200-100-50-25-6 net fine-tuned from small random weights.

Run:      aejax run hinton2006/curves-no-pretraining   (quick: ... --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, text and SOM Fig. S1: without
          pretraining the deep autoencoder "always reconstructs the average of the training
          data" (test SSE per image stays near the mean-image error, about 16 on the original
          CURVES file, read off a plot second-hand).
Protocol: hinton2006/curves without pretraining, from weights of scale 0.01, Adam 100 epochs (the
          paper's claim concerns CG).
Expected: test SSE per image at the mean image's (about 16; compare test_sse_per_image with
          mean_image_test_sse_per_image in the report): the net reconstructs the average, as the
          paper says. Under 10 minutes on a 2-core CPU.
"""
from aejax.config import reference
from aejax.configs.hinton2006 import curves_config, make_quick


def get_config(arg=None):
    c = curves_config()
    c.reference.test_sse_per_image = reference(
        16.0, 2.0, "H&S 2006 text / SOM Fig. S1 (stays at the mean image, ~16, second-hand)",
        units="SSE/image", higher_is_better=True)
    c.pretrain.enabled = False
    c.model.init_scale = 0.01
    c.baselines.pca = ()
    c.baselines.logistic_pca = ()
    return make_quick(c) if arg == "quick" else c
