"""MNIST 784-1000-500-250-30: a 15-minute recipe for a 2-core CPU that overfits (a negative result).

Run:      aejax run hinton2006/mnist-15min      (quick: aejax run hinton2006/mnist-15min --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00.
Protocol: 10 RBM epochs per layer, then 90 epochs of Adam (batches of 100, 3e-3, 500 warm-up
          steps, cosine to zero): `mnist_speed_config` in aejax/configs/hinton2006.py. The budget
          fills 15 minutes of a quiet 2-core CPU with a margin (benchmarks/README.md "MNIST time
          to quality"); the learning rate was chosen on the validation split at 12 epochs.
Expected: test SSE per image about 3.1, never 3.00: flat after about 50 epochs while the training
          error keeps falling (results/LOG.md). hinton2006/mnist-modern does better in less time.
"""
from aejax.configs.hinton2006 import mnist_speed_config


def get_config(arg=None):
    return mnist_speed_config(pretrain_epochs=10, epochs=90, quick=arg == "quick")
