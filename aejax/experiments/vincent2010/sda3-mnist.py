"""Stacked denoising autoencoder SdA-3 (masking noise) + softmax on MNIST: frozen / fine-tuned / scratch.

Run:      aejax run vincent2010/sda3-mnist            (quick: aejax run vincent2010/sda3-mnist --quick)
Paper:    Vincent et al. (2010), JMLR 11, Table 3: SdA-3 1.28 % test error (masking noise nu = 25 %),
          SAE-3 1.40 %, DBN-3 1.24 %, SVM-RBF 1.40 %.
Protocol: 784-1000-1000-1000 tied logistic DAEs, 25 % masking noise, greedy on the clean codes
          below, 30 epochs each (Adam 1e-3, batches of 100); then 50 epochs of Adam (cosine) on
          train[:50000] in three modes; epoch, learning rate (1e-3, 3e-4) and, with
          --config.classify.noise_levels, the noise level selected on train[50000:].
Expected: fine-tuned about 1.3-1.5 %; frozen encoder + softmax a few %; scratch about 1.6 %.
          Heavy for a 2-core CPU (hours); fine on one GPU.
"""
from aejax.registry import sibling

_common = sibling(__file__, "_common")


def get_config(arg=None):
    return _common.config(arg, corruption_name="masking", level=0.25, paper_error=1.28, row="SdA-3 (nu = 25 %)")
