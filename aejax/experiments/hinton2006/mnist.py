"""MNIST 784-1000-500-250-30: RBM pretraining + the paper's conjugate-gradient fine-tuning.

Run:      aejax run hinton2006/mnist            (quick: aejax run hinton2006/mnist --quick)
          Rerunning the command resumes a killed run at the next CG batch, with the result of an
          uninterrupted run; the progress bar counts the batches of all epochs and shows the
          estimated time to completion and the last epoch's test SSE.
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00;
          PCA-30 13.87; logistic PCA-30 8.01.
Protocol: RBMs 50 epochs per layer (CD-1, batches of 100); fine-tuning 200 epochs of 60
          batches of 1000, 3 line searches of minimize.m per batch. Float32 here (the paper's
          MATLAB ran in float64: --config.finetune.cg.float64=True), since float64 costs about 3
          times as much per call for the same losses (results/LOG.md).
Expected: test SSE per image about 3.06 after the 200 CG epochs, still falling slowly; the curve
          is finetuning_curves.png. On a quiet 2-core CPU (issue 14) one float32 CG epoch (60
          minimize calls of 3 line searches on 1,000 cases) takes about 38 s, about what its
          arithmetic costs, and the 50 RBM epochs of all four layers about 5 minutes: about 2 h 15
          min for the full protocol (float64: about 7 hours). On a GPU (not measured) the line
          search runs on the host: every minimize call waits for device-to-host scalar reads (f,
          dot products, finiteness tests) and dispatches its vector updates one by one, so an
          epoch is bound by round-trip latency rather than by its 6-7 TFLOP of float32
          arithmetic; measure epoch_seconds with evaluations_per_batch / host_syncs_per_batch from
          metrics.jsonl.
"""
from aejax.configs.hinton2006 import add_mnist_references, default_config, make_quick


def get_config(arg=None):
    c = add_mnist_references(default_config())
    c.finetune.cg.float64 = False
    c.eval.train_error = True  # backprop.m reports train and test error every epoch
    return make_quick(c) if arg == "quick" else c
