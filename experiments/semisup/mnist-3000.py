"""Semi-supervised MNIST with 3000 labels: denoising-AE pretraining on all images, then fine-tuning.

Run:      aejax run semisup/mnist-3000            (quick: aejax run semisup/mnist-3000 --quick)
Paper:    Kingma et al. (2014), NIPS, Table 1, 3000 labels: supervised NN 6.04 %, CAE 3.22 %,
          M1+TSVM 3.49 % test error.
Protocol: 784-500-500 tied logistic DAEs (25 % masking, 10 epochs per layer) on all 60,000 training
          images; per seed (3 seeds) 3000 class-balanced labels from train[:50000]; fine-tuning with
          masking-noise inputs, the denoising reconstruction error of unlabelled batches as a
          regulariser (recon_weight 10) and entropy minimisation on them (entropy_weight 0.3;
          both weights chosen on validation error at 100 labels, seed 0), 5 passes over the
          unlabelled images; the supervised-only network gets the same steps and input noise;
          epochs selected on train[50000:].
Expected: well below the supervised-only network; aims at the CAE row.
Measured: 4.18 +- 0.18 % over 3 label draws vs 6.58 +- 0.12 % supervised-only (1,120 s, shared
          2-core CPU); CAE's 3.22 % not beaten.
"""
from aejax.registry import sibling

_common = sibling(__file__, "_common")


def get_config(arg=None):
    return _common.config(3000, arg)
