"""Semi-supervised MNIST with 600 labels: denoising-AE pretraining on all images, then fine-tuning.

Run:      aejax run semisup/mnist-600            (quick: aejax run semisup/mnist-600 --quick)
Paper:    Kingma et al. (2014), NIPS, Table 1, 600 labels: supervised NN 11.44 %, CAE 6.3 %,
          M1+TSVM 5.72 % test error.
Protocol: 784-500-500 tied logistic DAEs (25 % masking, 10 epochs per layer) on all 60,000 training
          images; per seed (3 seeds) 600 class-balanced labels from train[:50000]; fine-tuning with
          masking-noise inputs, the denoising reconstruction error of unlabelled batches as a
          regulariser (recon_weight 10) and entropy minimisation on them (entropy_weight 0.3;
          both weights chosen on validation error at 100 labels, seed 0), 5 passes over the
          unlabelled images; the supervised-only network gets the same steps and input noise;
          epochs selected on train[50000:].
Expected: well below the supervised-only network; aims at the CAE row.
Measured: 6.65 +- 0.33 % over 3 label draws vs 11.80 +- 0.41 % supervised-only (685 s, shared
          2-core CPU); CAE's 6.3 % not beaten.
"""
from aejax.registry import sibling

_common = sibling(__file__, "_common")


def get_config(arg=None):
    return _common.config(600, arg)
