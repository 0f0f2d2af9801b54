"""MNIST 784-1000-500-250-30: RBM pretraining + the paper's conjugate-gradient fine-tuning.

Run:      aejax run hinton2006/mnist            (quick: aejax run hinton2006/mnist --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00;
          PCA-30 13.87; logistic PCA-30 8.01.
Protocol: RBMs 50 epochs per layer (CD-1, batches of 100); fine-tuning 200 epochs of 60
          batches of 1000, 3 line searches of minimize.m per batch, float64.
Expected: about 3.0; far too heavy for a 2-core CPU (about 36,000 line searches over 2.8 M
          parameters): run it on a GPU, or shorten finetune.cg.epochs and report how far it got.
Measured: one minimize call (3 line searches, 1000 cases, about 7.3 function evaluations) takes
          9.0 s in float64 and 3.2 s in float32 on the shared 2-core CPU, i.e. about 540 s per
          epoch in float64 (about 30 h for 200 epochs); float32 reaches the same losses per call.
          Shortened run (--config.pretrain.epochs=10 --config.finetune.cg.epochs=4
          --config.finetune.cg.float64=False): test SSE 7.10, 6.55, 6.24, 6.05 after CG epochs 1-4,
          101-118 s per float32 CG epoch, 680 s in all.
"""
from aejax.configs.hinton2006 import add_mnist_references, default_config, make_quick


def get_config(arg=None):
    c = add_mnist_references(default_config())
    c.eval.train_error = True  # backprop.m reports train and test error every epoch
    return make_quick(c) if arg == "quick" else c
