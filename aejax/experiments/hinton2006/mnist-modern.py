"""MNIST 784-1000-500-250-30: RBM pretraining + Adam fine-tuning; the README's main job.

Run:      aejax run hinton2006/mnist-modern     (quick: aejax run hinton2006/mnist-modern --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00
          (CG fine-tuning); PCA-30 13.87; logistic PCA-30 8.01.
Protocol: the paper's RBM stack with fewer epochs per layer, then minibatch Adam with a
          cosine-decayed learning rate instead of conjugate gradients.
Expected: test SSE per image at or below the paper's 3.00 (about 2.66; 3.00 is crossed near Adam
          epoch 18). About 7.5 minutes on a quiet 2-core CPU: RBMs 141 s, Adam 279 s, baselines
          about 32 s (benchmarks/README.md, "MNIST time to quality"); several times that under load.
"""
from aejax.configs.hinton2006 import add_mnist_references, default_config, make_quick


def get_config(arg=None):
    c = add_mnist_references(default_config())
    c.reference.test_sse_per_image.tolerance = 0.0  # the target: at or below 3.00
    c.pretrain.epochs = 20
    c.finetune.protocol = "optax"
    c.train.epochs = 40
    c.train.batch_size = 100
    c.train.optimizer.name = "adam"
    c.train.optimizer.learning_rate = 1e-3
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.02
    c.train.checkpoint_every = 3000
    c.train.log_every = 600
    return make_quick(c) if arg == "quick" else c
