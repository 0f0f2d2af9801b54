"""20 Newsgroups documents 2000-500-250-125-10: retrieval with autoencoder codes vs LSA.

Run:      aejax run hinton2006/documents --data-dir DIR   (DIR holds train.data, train.label,
          test.data, test.label of 20news-bydate-matlab); quick: ... --quick (generated files)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 4A and SOM Fig. S5: the 10-D
          autoencoder codes retrieve same-class documents better than LSA at every number
          retrieved (curves only; no numbers printed).
Data:     user-supplied (not bundled). Inputs are word probabilities over the 2000 most frequent
          training words; the first RBM is binary-visible and fine-tuning uses the logistic
          cross-entropy (the paper: a count-data first RBM and a softmax output), so this is an
          approximation of the paper's recipe.
Metric:   retrieval_gain_over_lsa = min over n of (AE - LSA) accuracy; the paper's claim is > 0.
"""
from aejax.config import reference
from aejax.tasks.hinton2006 import default_config, make_quick


def get_config(arg=None):
    c = default_config()
    c.data_source = "user-supplied"
    c.data.name = "20news"
    c.data.vocabulary = 2000
    c.model.sizes = (2000, 500, 250, 125, 10)
    c.baselines.pca = ()
    c.baselines.logistic_pca = ()
    c.finetune.cg.epochs = 50
    c.eval.retrieval = True
    c.reference.retrieval_gain_over_lsa = reference(
        0.0, 0.0, "H&S 2006 Fig. 4A / SOM Fig. S5: AE-10 above LSA at every n", units="accuracy",
        higher_is_better=True)
    if arg == "quick":
        c.data.synthetic = True
        c.data.vocabulary = 200
        c.model.sizes = (200, 500, 250, 125, 10)
        c = make_quick(c)
    return c
