"""Documents 2000-500-250-125-10: retrieval with autoencoder codes vs LSA and raw counts (20 Newsgroups).

Run:      aejax run hinton2006/documents      (quick: aejax run hinton2006/documents --quick)
          RCV1-v2: add --config.data.name=rcv1 --data-dir DIR with the LYRL2004 token files
          lyrl2004_tokens_{train,test_pt0..3}.dat and rcv1-v2.topics.qrels (aejax.data.rcv1).
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 4A (RCV1) and SOM Fig. S5 (20
          Newsgroups): the 10-D autoencoder codes retrieve same-class documents better than LSA
          at every number retrieved (curves only; no numbers printed).
Protocol: 20 Newsgroups bydate from the raw messages (../shared/data/20news): 11,314 train, all
          7,532 test messages as queries (the SOM has 7,531), each against the other test
          documents (cosine); counts over the 2000 most frequent training words
          (aejax.data.newsgroups documents the tokeniser). Quick: the "small" subset (every 20th
          message, 500 words).
          First RBM with softmax (constrained Poisson) visible units on the counts: hidden input
          counts W + b_h, reconstruction L * softmax(h W' + b_v), learning rate 0.001 (spec
          section 2.5); other RBMs as for MNIST, 50 epochs each. The unrolled net reads the
          counts and is fine-tuned with CG (50 epochs, the paper's; float32 here) on the softmax cross-entropy
          -sum_i p_i log p_hat_i against the word probabilities p = counts / L (spec §1.5).
          Metric: retrieval_gain_over_lsa = min over n of (AE - LSA) accuracy. Figures:
          retrieval.png (AE-10, LSA-10 and raw counts against n), pretraining_curves.png,
          finetuning_curves.png; hinton2006/documents-2d draws the 2-D codes.
Expected: retrieval_gain_over_lsa > 0 (AE-10 above LSA-10 at every n, the paper's claim); the raw
          2000-D counts retrieve better than AE-10 for the first few neighbours. About 2 h 15 min
          on a 2-core CPU, nearly all of it CG.
"""
from aejax.config import reference
from aejax.configs.hinton2006 import default_config, make_quick


def get_config(arg=None):
    c = default_config()
    c.data.name = "20news"
    c.data.vocabulary = 2000
    c.model.sizes = (2000, 500, 250, 125, 10)
    c.loss = "softmax_cross_entropy"
    c.pretrain.visible = "softmax"
    c.pretrain.first_learning_rate = 0.001
    c.baselines.pca = ()
    c.baselines.logistic_pca = ()
    c.finetune.cg.epochs = 50
    c.finetune.cg.float64 = False  # budget: float32 about halves the CG time on this CPU
    c.eval.retrieval = True
    c.primary_metric = "retrieval_gain_over_lsa"
    c.reference.retrieval_gain_over_lsa = reference(
        0.0, 0.0, "H&S 2006 Fig. 4A / SOM Fig. S5: AE-10 above LSA at every n", units="accuracy",
        higher_is_better=True)
    if arg == "quick":
        c.data.builder_config = "small"
        c.data.vocabulary = 500
        c.model.sizes = (500, 500, 250, 125, 10)
        c = make_quick(c)
        c.pretrain.first_learning_rate, c.pretrain.epochs = 0.01, 15  # codes above chance in seconds
    return c
