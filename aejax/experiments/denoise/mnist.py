"""Denoising autoencoders on MNIST, one per corruption type: noisy / denoised / clean figure and errors.

Run:      aejax run denoise/mnist            (quick: aejax run denoise/mnist --quick)
Paper:    Vincent et al. (2010), JMLR 11, section 4.2 (masking, salt-and-pepper and additive Gaussian
          noise); the paper reports no reconstruction errors, so there is no reference value.
Protocol: one-hidden-layer tied logistic autoencoder 784-500, cross-entropy, 20 epochs of Adam
          (batches of 100) per corruption: gaussian sigma 0.3, masking 25 %, salt-and-pepper 25 %;
          a noise-free autoencoder of the same shape as baseline.
Expected: for every type the DAE's error from corrupted inputs is far below the corrupted input's
          own error and below the plain autoencoder's error from the same corrupted inputs.
"""
from aejax.config import base_config
from aejax.configs.denoise import denoise_config


def get_config(arg=None):
    c = base_config()
    c.task = "denoise"
    c.paper = "Vincent, Larochelle, Lajoie, Bengio, Manzagol (2010), Stacked Denoising Autoencoders, JMLR 11:3371"
    c.data.name = "mnist"
    c.model.sizes = (784, 500)
    c.model.code_activation = "sigmoid"
    c.model.tied = True
    c.loss = "cross_entropy"
    c.denoise = denoise_config()
    c.train.epochs = 20
    c.train.batch_size = 100
    c.train.optimizer.name = "adam"
    c.train.optimizer.learning_rate = 1e-3
    c.train.checkpoint_every = 6000
    c.train.log_every = 600
    if arg == "quick":
        c.model.sizes = (784, 64)
        c.denoise.train_split = "train[:2000]"
        c.denoise.test_split = "test[:500]"
        c.train.epochs = 2
        c.train.optimizer.learning_rate = 1e-2
        c.train.log_every = 20
    return c
