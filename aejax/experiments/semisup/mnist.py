"""Semi-supervised MNIST: denoising-AE pretraining on all images, then fine-tuning on few labels.

Run:      aejax run semisup/mnist:labels=100     (labels 100, 600, 1000 or 3000; quick: --quick)
Paper:    Kingma et al. (2014), NIPS, Table 1, test error % for 100 / 600 / 1000 / 3000 labels:
          supervised NN 25.8 / 11.44 / 10.7 / 6.04; CAE 13.47 / 6.3 / 4.77 / 3.22;
          M1+TSVM 11.82 / 5.72 / 4.24 / 3.49.
Protocol: 784-500-500 tied logistic DAEs (25 % masking, 10 epochs per layer) on all 60,000 training
          images; per seed (3 seeds) `labels` class-balanced labels from train[:50000]; fine-tuning
          with masking-noise inputs, the denoising reconstruction error of unlabelled batches as a
          regulariser (recon_weight 10) and entropy minimisation on them (entropy_weight 0.3; both
          weights chosen on validation error at 100 labels, seed 0), 5 passes over the unlabelled
          images; the supervised-only network gets the same steps and input noise; epochs
          selected on train[50000:].
Expected: well below the supervised-only network; aims at the CAE row.
"""
from aejax.config import parse_arg
from aejax.registry import sibling

_common = sibling(__file__, "_common")
VARIANTS = ("labels=100", "labels=600", "labels=1000", "labels=3000")


def get_config(arg=None):
    a = parse_arg(arg, labels=100)
    return _common.config(a.labels, "quick" if a.quick else None)
