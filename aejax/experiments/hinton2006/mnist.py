"""MNIST 784-1000-500-250-30: RBM pretraining + the paper's conjugate-gradient fine-tuning.

Run:      aejax run hinton2006/mnist            (quick: aejax run hinton2006/mnist --quick)
          Rerunning the command resumes a killed run at the next CG batch, with the result of an
          uninterrupted run; the progress bar counts the batches of all epochs and shows the
          estimated time to completion and the last epoch's test SSE.
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2B: test SSE per image 3.00;
          PCA-30 13.87; logistic PCA-30 8.01.
Protocol: RBMs 50 epochs per layer (CD-1, batches of 100); fine-tuning 200 epochs of 60
          batches of 1000, 3 line searches of minimize.m per batch. Float32 here (the paper's
          MATLAB ran in float64: --config.finetune.cg.float64=True), since float64 costs 3.2x as
          much per call for the same losses: from the same start (1-epoch RBM stack) and the same
          60 batches, the losses after each call agree to 2e-4 (relative) and the test SSE after
          the epoch is 11.4640 (float32) vs 11.4618 (float64)
          (`python benchmarks/cg_precision.py RUN_DIR`, load 14-19 on the 2-core CPU).
Expected: about 3.0. On a quiet 2-core CPU (issue 14) one float32 CG epoch (60 minimize calls
          of 3 line searches on 1,000 cases) takes about 38 s, about what its arithmetic costs, and
          the 50 RBM epochs of all four layers about 5 minutes: about 2 h 15 min for the full
          protocol (float64: about 7 hours).
Measured: the full protocol, seed 0, float32: all 200 CG epochs
          (one run, resumed from its checkpoints across three sessions). Test SSE per image after
          CG epoch 1 6.085, 10 4.653, 20 4.251, 50 3.717, 100 3.365, 150 3.166, 200 3.059
          (training set 2.727); 3.059 is 2 % above the paper's 3.00, and the curve
          still falls by 0.015 per 10 epochs at the end. Before fine-tuning 11.356; PCA-30
          13.866; logistic PCA-30 8.291. CG epochs on the nearly quiet machine (epochs 101-200):
          median 51 s; 6-7 function evaluations and about 29 host round trips
          per minimize call. finetuning_curves.png draws the curve.
GPU:      not measured. The line search runs on the host: every minimize call waits for about
          29 device-to-host scalar reads (f, dot products, finiteness tests; about 1,700 per
          epoch) and dispatches its vector updates one by one, so on a GPU an epoch is bound by
          round-trip latency rather than by its 6-7 TFLOP of float32 arithmetic; measure
          epoch_seconds with evaluations_per_batch / host_syncs_per_batch from metrics.jsonl.
"""
from aejax.configs.hinton2006 import add_mnist_references, default_config, make_quick


def get_config(arg=None):
    c = add_mnist_references(default_config())
    c.finetune.cg.float64 = False
    c.eval.train_error = True  # backprop.m reports train and test error every epoch
    return make_quick(c) if arg == "quick" else c
