"""MNIST 784-1000-500-250-2: 2-D codes of a pretrained autoencoder vs PCA's first two components.

Run:      aejax run hinton2006/mnist-2d         (quick: aejax run hinton2006/mnist-2d --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 3 (qualitative: the autoencoder
          separates the classes far better than PCA).
Protocol: RBM pretraining (20 epochs per layer), then 20 epochs of Adam (cosine). Metric: test
          accuracy of a 10-nearest-neighbour classifier on the 2-D codes (fitted on the training
          codes), the autoencoder's minus PCA's.
Expected: the autoencoder beats PCA by at least 25 points (about 0.83 against 0.44). About 25
          minutes on a 2-core CPU.
"""
from aejax.config import reference
from aejax.configs.hinton2006 import default_config, make_quick


def get_config(arg=None):
    c = default_config()
    c.reference.knn_accuracy_gain_2d = reference(
        0.25, 0.0, "H&S 2006 Fig. 3 (qualitative); target: AE beats PCA by >= 25 points",
        units="accuracy", higher_is_better=True)
    c.model.sizes = (784, 1000, 500, 250, 2)
    c.baselines.pca = (2,)
    c.baselines.logistic_pca = ()
    c.pretrain.epochs = 20
    c.finetune.protocol = "optax"
    c.train.epochs = 20
    c.train.optimizer.name = "adam"
    c.train.optimizer.learning_rate = 1e-3
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.02
    c.train.checkpoint_every = 3000
    c.train.log_every = 600
    return make_quick(c) if arg == "quick" else c
