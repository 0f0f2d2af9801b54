"""MNIST 784-1000-500-250-30: RBM pretraining + Adam fine-tuning, below the paper's 3.00.

Run:      aejax run hinton2006/mnist-modern     (quick: aejax run hinton2006/mnist-modern --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00
          (CG fine-tuning); PCA-30 13.87; logistic PCA-30 8.01.
Protocol: the paper's RBM stack with 20 epochs per layer, then 40 epochs of minibatch Adam with a
          cosine-decayed learning rate instead of conjugate gradients (`mnist_modern_config` in
          aejax/configs/hinton2006.py). hinton2006/mnist-fast is the same recipe cut to 3 minutes.
Expected: test SSE per image about 2.67, below the paper's 3.00 (crossed at Adam epoch 14). About 5
          minutes on a quiet 2-core CPU (RBMs 77 s, Adam 202 s, baselines 9 s); several times that
          under load.
"""
from aejax.configs.hinton2006 import mnist_modern_config


def get_config(arg=None):
    return mnist_modern_config(epochs=40, quick=arg == "quick")
