"""CURVES ablation: the deep 784-400-200-100-50-25-6 net fine-tuned from small random weights.

Run:      aejax run hinton2006/curves-no-pretraining   (quick: ... --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, text and SOM Fig. S1: without
          pretraining the deep autoencoder "always reconstructs the average of the training
          data" (test SSE per image stays near the mean-image error, about 16 on the original
          CURVES file, read off a plot second-hand).
Expected: the paper's claim concerns CG from small random weights; with the optimizer set here
          the outcome is measured, not assumed (compare test_sse_per_image with
          mean_image_test_sse_per_image in the report).
Measured: generator 2.0.0 (seed 0, Adam 100 epochs, 432 s at load 6-9): test 16.0158 against the
          mean image's 16.0155 (train 15.99): the net reconstructs the average, as the paper says,
          where the pretrained deep net reaches 0.686. On generator 1.0.0 Adam had left the mean
          (34.79 vs 54.74).
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
