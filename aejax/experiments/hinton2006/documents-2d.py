"""Documents 2000-500-250-125-2: 2-D codes of 20 Newsgroups, autoencoder vs LSA (as Fig. 4B/C).

Run:      aejax run hinton2006/documents-2d   (quick: aejax run hinton2006/documents-2d --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 4B/C (RCV1, qualitative) and SOM
          Fig. S5 (20 Newsgroups, 2-D retrieval curves: AE above LLE above LSA).
Data:     as hinton2006/documents (all 7,532 test messages).
Protocol: as hinton2006/documents with a 2-unit linear code; figures codes_2d.png (test codes
          coloured by newsgroup) and retrieval.png; kNN accuracy of the 2-D codes.
Metric:   retrieval_gain_over_lsa = min over n of (AE-2 - LSA-2) accuracy; the claim is > 0.
Measured: (seed 0, 1,478 s at load 5-8: pretraining 177 s, 50 CG epochs 1,049 s) retrieval
          accuracy over all 7,532 test queries (cosine), AE-2 / LSA-2:
            n =       1     3     7    15    31    63   127   255   511  1023  2047  4095
            AE-2    .241  .244  .242  .240  .240  .240  .238  .236  .227  .198  .138  .084
            LSA-2   .086  .083  .083  .082  .083  .083  .082  .082  .082  .081  .078  .068
          AE-2 is above LSA-2 at every n (the smallest gap, .016, at n = 4095). 10-NN newsgroup
          accuracy of the 2-D test codes: AE 0.485, LSA 0.110. codes_2d.png shows the groups
          as separate regions for the AE and one overlapping fan for LSA, as in Fig. 4B/C.
"""
from aejax import registry


def get_config(arg=None):
    c = registry.sibling(__file__, "documents").get_config(arg)
    c.model.sizes = c.model.sizes[:-1] + (2,)
    c.reference.retrieval_gain_over_lsa.source = "SOM Fig. S5: AE-2 above LSA-2 at every n"
    if arg != "quick":
        c.eval.scatter_per_class = 400  # every test message (at most 399 per group)
    return c
