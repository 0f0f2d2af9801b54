"""Documents 2000-500-250-125-10: retrieval with autoencoder codes vs LSA (20 Newsgroups or RCV1-v2).

Run:      aejax run hinton2006/documents --data-dir DIR   (DIR holds train.data, train.label,
          test.data, test.label of 20news-bydate-matlab); quick: ... --quick (generated files).
          RCV1-v2: add --config.data.name=rcv1 with DIR holding the LYRL2004 token files
          lyrl2004_tokens_{train,test_pt0..3}.dat and rcv1-v2.topics.qrels (aejax.data.rcv1).
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 4A and SOM Fig. S5: the 10-D
          autoencoder codes retrieve same-class documents better than LSA at every number
          retrieved (curves only; no numbers printed).
Data:     user-supplied (not bundled). Count vectors over the 2000 most frequent training words.
Protocol: first RBM with softmax (constrained Poisson) visible units on the counts: hidden input
          counts W + b_h, reconstruction L * softmax(h W' + b_v), learning rate 0.001 (spec
          section 2.5); other RBMs as for MNIST. The unrolled net reads the counts and is
          fine-tuned (CG, 50 epochs) on the softmax cross-entropy -sum_i p_i log p_hat_i against
          the word probabilities p = counts / L (spec section 1.5).
Metric:   retrieval_gain_over_lsa = min over n of (AE - LSA) accuracy; the paper's claim is > 0.
"""
from aejax.config import reference
from aejax.configs.hinton2006 import default_config, make_quick


def get_config(arg=None):
    c = default_config()
    c.data_source = "user-supplied"
    c.data.name = "20news"
    c.data.vocabulary = 2000
    c.model.sizes = (2000, 500, 250, 125, 10)
    c.loss = "softmax_cross_entropy"
    c.pretrain.visible = "softmax"
    c.pretrain.first_learning_rate = 0.001
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
