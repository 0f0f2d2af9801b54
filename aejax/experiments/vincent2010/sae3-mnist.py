"""Stacked plain (noise-free) autoencoders SAE-3 + softmax on MNIST: frozen / fine-tuned / scratch.

Run:      aejax run vincent2010/sae3-mnist            (quick: aejax run vincent2010/sae3-mnist --quick)
Paper:    Vincent et al. (2010), JMLR 11, Table 3: SAE-3 1.40 % test error (SdA-3 1.28 %).
Protocol: as vincent2010/sda3-mnist without corruption (784-1000-1000-1000 tied logistic AEs,
          30 epochs per layer, 50 epochs of supervised training per mode, selection on train[50000:]).
Expected: fine-tuned about 1.4-1.6 %. Heavy for a 2-core CPU (hours); fine on one GPU.
"""
from aejax.registry import sibling

_common = sibling(__file__, "_common")


def get_config(arg=None):
    return _common.config(arg, corruption_name="none", level=0.0, paper_error=1.40, row="SAE-3")
