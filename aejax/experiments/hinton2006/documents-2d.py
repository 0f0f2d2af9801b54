"""Documents 2000-500-250-125-2: 2-D codes of 20 Newsgroups, autoencoder vs LSA (as Fig. 4B/C).

Run:      aejax run hinton2006/documents-2d   (quick: aejax run hinton2006/documents-2d --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 4B/C (RCV1, qualitative) and SOM
          Fig. S5 (20 Newsgroups, 2-D retrieval curves: AE above LLE above LSA).
Protocol: as hinton2006/documents (all 7,532 test messages) with a 2-unit linear code; figures
          codes_2d.png (test codes coloured by newsgroup) and retrieval.png; kNN accuracy of the
          2-D codes. Metric: retrieval_gain_over_lsa = min over n of (AE-2 - LSA-2) accuracy.
Expected: retrieval_gain_over_lsa > 0 (AE-2 above LSA-2 at every n); codes_2d.png shows the
          groups as separate regions for the AE and one overlapping fan for LSA, and the 10-NN
          accuracy of the AE's codes is several times LSA's. About 25 minutes on a 2-core CPU.
"""
from aejax import registry


def get_config(arg=None):
    c = registry.sibling(__file__, "documents").get_config(arg)
    c.model.sizes = c.model.sizes[:-1] + (2,)
    c.reference.retrieval_gain_over_lsa.source = "SOM Fig. S5: AE-2 above LSA-2 at every n"
    if arg != "quick":
        c.eval.scatter_per_class = 400  # every test message (at most 399 per group)
    return c
