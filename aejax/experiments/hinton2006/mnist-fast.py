"""MNIST 784-1000-500-250-30: the fastest recipe found toward the paper's test SSE of 3.00 on a CPU.

Run:      aejax run hinton2006/mnist-fast       (quick: aejax run hinton2006/mnist-fast --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00
          (50 RBM epochs per layer, 200 CG epochs: about 2 h 15 min on a quiet 2-core CPU).
Protocol: 2 RBM epochs per layer, then 30 epochs of Adam (batches of 100, 3e-3, 500 warm-up
          steps, cosine to zero): `mnist_speed_config` in aejax/configs/hinton2006.py, chosen on
          the validation split as benchmarks/README.md "MNIST time to quality" describes.
Expected: test SSE per image about 3.07: the paper's 3.00 is not reached. About 4 minutes of a
          quiet 2-core CPU counting pretraining, baselines not counted (benchmarks/README.md,
          "MNIST time to quality"); hinton2006/mnist-modern crosses 3.00 soon after.
"""
from aejax.configs.hinton2006 import mnist_speed_config


def get_config(arg=None):
    return mnist_speed_config(pretrain_epochs=2, epochs=30, quick=arg == "quick")
