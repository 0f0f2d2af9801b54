"""MNIST 784-1000-500-250-30: a 15-minute recipe for a 2-core CPU that overfits (a measured negative result).

Run:      aejax run hinton2006/mnist-15min      (quick: aejax run hinton2006/mnist-15min --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00.
Protocol: 10 RBM epochs per layer, then 90 epochs of Adam (batches of 100, 3e-3, 500 warm-up
          steps, cosine to zero): `mnist_speed_config` in aejax/configs/hinton2006.py. The budget
          fills 15 minutes of a quiet 2-core CPU with a margin (benchmarks/README.md "MNIST time
          to quality"); the learning rate was chosen on the validation split at 12 epochs.
Measured: (seed 0, about 700 s on the quiet clock of benchmarks/README.md) test SSE 3.456 at
          epoch 15, 3.318 at 30, 3.137 at 50, 3.119 at 60, then flat: 3.118 at the end, with the
          training set at 1.278. It overfits: 3e-3 for 90 epochs is not the 12-epoch winner
          scaled up. It never reaches 3.00, and hinton2006/mnist-modern (20 RBM + 40 Adam epochs
          at 1e-3) does better in less time (2.670 in about 420 quiet seconds): that is the best
          15-minute result known here. The issue-14 target of 2.0 is not met.
"""
from aejax.configs.hinton2006 import mnist_speed_config


def get_config(arg=None):
    return mnist_speed_config(pretrain_epochs=10, epochs=90, quick=arg == "quick")
