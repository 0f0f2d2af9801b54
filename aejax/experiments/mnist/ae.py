"""MNIST deep autoencoder 784-1000-500-250-30 trained from random init with Adam.

Run:      aejax run mnist/ae            (quick: aejax run mnist/ae --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00
          (their net is RBM-pretrained and CG fine-tuned; this run uses no pretraining).
Expected: test SSE per image below 4.0 after the full 40 epochs (about 3.6); about 4.5 minutes on a
          quiet 2-core CPU.
"""
from aejax.config import base_config, reference


def get_config(arg=None):
    c = base_config()
    c.task = "reconstruct"
    c.paper = "Hinton & Salakhutdinov (2006), Science 313:504"
    c.reference.test_sse_per_image = reference(
        3.00, 1.0, "H&S 2006 Fig. 2B (RBM-pretrained, CG fine-tuned)", units="SSE/image"
    )
    c.data.name = "mnist"
    c.model.sizes = (784, 1000, 500, 250, 30)
    c.model.tied = False
    c.loss = "cross_entropy"
    c.train.epochs = 40
    c.train.batch_size = 100
    c.train.optimizer.name = "adam"
    c.train.optimizer.learning_rate = 1e-3
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.05
    c.train.checkpoint_every = 6000
    c.train.log_every = 200
    if arg == "quick":  # the full network, one epoch on the first 10,000 training images
        c.data.train_split = "train[:10000]"
        c.train.epochs = 1
        c.train.checkpoint_every = 50
    return c
