"""MNIST 784-1000-500-250-30 in 3 minutes, at or below the paper's 3.00: the README's main job.

Run:      aejax run hinton2006/mnist-fast       (quick: aejax run hinton2006/mnist-fast --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00
          (50 RBM epochs per layer, 200 CG epochs: about 2 h 15 min on a quiet 2-core CPU).
Protocol: hinton2006/mnist-modern's recipe (20 RBM epochs per layer, then Adam at 1e-3 with a
          cosine decay, batches of 100) cut to the 17 Adam epochs that fit 3 minutes of a 2-core
          CPU. At that budget it was chosen on the validation split (train[50000:]) over the
          previous mnist-fast recipe, 2 RBM epochs and 30 Adam epochs at 3e-3 (results/LOG.md).
Expected: test SSE per image about 2.98, at or below the paper's 3.00. About 2.5 minutes on a quiet
          2-core CPU (157 s: RBMs 64 s, Adam 75 s, baselines 8 s, the fine-tuning estimate of the
          progress bar's run_left 3 s); several times that under load.
"""
from aejax.configs.hinton2006 import mnist_modern_config


def get_config(arg=None):
    return mnist_modern_config(epochs=17, quick=arg == "quick")
