"""MNIST 784-1000-500-250-30 below 2.5 within 15 minutes of a 2-core CPU: AdamW against overfitting.

Run:      aejax run hinton2006/mnist-15min      (quick: aejax run hinton2006/mnist-15min --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00.
Protocol: hinton2006/mnist-modern's recipe (20 RBM epochs per layer, then Adam at 1e-3, batches
          of 100, cosine to 2 %) for 100 epochs with decoupled weight decay 0.05 (AdamW). Without
          it the validation error is flat from epoch 65 while the training error keeps falling;
          the decay, 0.05 of {0.02, 0.05, 0.1, 0.2}, was chosen on the validation split
          (train[50000:]) at this budget (results/LOG.md).
Expected: test SSE per image about 2.39, below issue 27's 2.5 (crossed near Adam epoch 61). About
          9 minutes on a quiet 2-core CPU (RBMs 70 s, baselines 10 s, Adam 449 s); several times
          that under load.
"""
from aejax.configs.hinton2006 import mnist_modern_config


def get_config(arg=None):
    return mnist_modern_config(epochs=100, weight_decay=0.05, quick=arg == "quick")
