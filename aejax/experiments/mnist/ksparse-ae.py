"""k-sparse autoencoder with tied weights on MNIST: reconstruction error and classification error of the codes.

Run:      aejax run mnist/ksparse-ae            (quick: aejax run mnist/ksparse-ae --quick)
Paper:    Makhzani & Frey (2013), k-Sparse Autoencoders, arXiv:1312.5663 (ICLR 2014), Table 1:
          MNIST, 1000 hidden units, k = 25: 1.35 % test error of a logistic-regression classifier
          on the codes (k = 40: 1.54 %, k = 10: 2.10 %; RBM 1.81 %, raw pixels 7.20 %; recalled,
          not re-checked in the PDF). The paper gives no reconstruction error to compare with.
Protocol: model "ksparse": 784-1000 linear units, the 25 largest kept per image, tied decoder,
          linear output, squared error; k lowered linearly from 100 to 25 over the first half of
          the steps (the paper's sparsity schedule, a schedule over the step); 50 epochs of Adam
          in batches of 100. Codes for classification keep the alpha * k = 75 largest units (the
          paper's sparse encoding); evaluator "linear_probe": softmax regression on the 60,000
          training codes, error on the 10,000 test codes ("probe/test_error"); its l2 = 1e-3 was
          chosen from {1e-4, 1e-3, 1e-2} by the error on train[50000:] of a probe fitted on
          train[:50000], and alpha = 3 over alpha = 1 the same way.
Expected: a probe test error within half a point of the published 1.35 %.
"""
from ml_collections import ConfigDict

from aejax.config import base_config, reference

STEPS_PER_EPOCH = 600  # 60,000 images in batches of 100


def get_config(arg=None):
    c = base_config()
    c.task = "reconstruct"
    c.paper = "Makhzani & Frey (2013), k-Sparse Autoencoders, arXiv:1312.5663"
    c.reference["probe/test_error"] = reference(1.35, 0.5, "Makhzani & Frey 2013 Table 1, MNIST, k = 25 (recalled)", units="%")
    c.primary_metric = "probe/test_error"
    c.loss = "squared_error"
    c.train.epochs = 50
    k = dict(schedule="linear", init_value=100, end_value=25, transition_steps=c.train.epochs * STEPS_PER_EPOCH // 2)
    c.model = ConfigDict(dict(name="ksparse", hidden=1000, k=k, alpha=3.0, output_activation="linear"))
    c.evals = ConfigDict(dict(probe=dict(kind="linear_probe", steps=500, l2=1e-3)))
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.05
    c.train.checkpoint_every = 6000
    c.train.log_every = 600
    if arg == "quick":  # 200 units, k from 40 to 10, two epochs on 2,000 images
        c.data.train_split, c.data.test_split = "train[:2000]", "test[:500]"
        c.model.hidden, c.model.k = 200, dict(schedule="linear", init_value=40, end_value=10, transition_steps=20)
        c.evals.probe.steps = 100
        c.train.epochs, c.train.log_every = 2, 10
    return c
