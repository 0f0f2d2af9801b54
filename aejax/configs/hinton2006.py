"""Defaults of task "hinton2006" (`aejax.tasks.hinton2006`): the paper's MNIST setup, CURVES, and
the quick shrink every aejax/experiments/hinton2006/ file uses."""
from ml_collections import ConfigDict
from ml_collections.config_dict import placeholder

from aejax.config import base_config, reference

PAPER = ("Hinton & Salakhutdinov (2006), Reducing the Dimensionality of Data with Neural "
         "Networks, Science 313:504-507")


def default_config():
    """The MNIST 784-1000-500-250-30 setup of the paper (RBM pretraining 50 epochs per layer,
    CG fine-tuning 200 epochs); experiments in aejax/experiments/hinton2006/ start from it."""
    c = base_config()
    c.task = "hinton2006"
    c.paper = PAPER
    c.data.name = "mnist"
    c.data.train_split = "train"
    c.data.test_split = "test"
    c.data.synthetic = False      # rcv1: write a small stand-in in the original format
    c.data.builder_config = placeholder(str)  # faces / 20news: "small" = real-data subset (quick)
    c.data.vocabulary = 2000      # 20news / rcv1: the most frequent training words kept
    c.model.sizes = (784, 1000, 500, 250, 30)
    c.model.init_scale = 0.0      # without pretraining: >0 -> kernels ~ scale N(0, 1)
    c.loss = "cross_entropy"
    c.pretrain = ConfigDict(dict(
        enabled=True, epochs=50, batch_size=100, visible="binary", learning_rate=0.1,
        code_learning_rate=0.001, first_learning_rate=placeholder(float),
        first_epochs=placeholder(int), weight_cost=0.0002, cd_k=1))
    c.finetune = ConfigDict(dict(
        protocol="cg",
        cg=ConfigDict(dict(epochs=200, batch_size=1000, line_searches=3, float64=True,
                           checkpoint_seconds=60.0))))
    c.baselines = ConfigDict(dict(pca=(30,), logistic_pca=(30,), logistic_pca_epochs=20,
                                  logistic_pca_batch_size=1000, logistic_pca_learning_rate=1e-3))
    c.eval.batch_size = 1000
    c.eval.every_epochs = 1
    c.eval.train_error = False
    c.eval.num_shown = 10
    c.eval.knn_neighbors = 10
    c.eval.scatter_per_class = 500
    c.eval.retrieval = False
    c.eval.ratio_to_pca = False   # report test SSE / PCA-k test SSE (k = code size): faces
    c.eval.retrieval_counts = (1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095)
    return c


def add_mnist_references(c):
    """The paper's MNIST-30 numbers (Fig. 2B) as references of config ``c``."""
    c.reference.test_sse_per_image = reference(3.00, 0.3, "H&S 2006 Fig. 2B, AE-30",
                                               units="SSE/image")
    c.reference.pca_30_test_sse_per_image = reference(13.87, 0.05, "H&S 2006 Fig. 2B, PCA-30",
                                                      units="SSE/image")
    c.reference.logistic_pca_30_test_sse_per_image = reference(
        8.01, 1.0, "H&S 2006 Fig. 2B, logistic PCA-30 (ours: linear-code logistic autoencoder)",
        units="SSE/image")
    return c


def mnist_modern_config(epochs: int = 40, quick: bool = False, weight_decay: float = 0.0):
    """MNIST 784-1000-500-250-30 the modern way: the paper's RBM stack with 20 epochs per layer, then
    `epochs` epochs of Adam (batches of 100, 1e-3, cosine to 2 %) instead of conjugate gradients;
    with `weight_decay` > 0, AdamW (decoupled weight decay: each step shrinks every parameter by
    learning rate x weight_decay of itself)."""
    c = add_mnist_references(default_config())
    c.reference.test_sse_per_image.tolerance = 0.0  # the target: at or below 3.00
    c.pretrain.epochs = 20
    c.finetune.protocol = "optax"
    c.train.epochs = epochs
    c.train.batch_size = 100
    c.train.optimizer.name = "adam"
    c.train.optimizer.learning_rate = 1e-3
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.02
    if weight_decay:
        c.train.optimizer.name = "adamw"
        c.train.optimizer.weight_decay = weight_decay
    c.train.checkpoint_every = 3000
    c.train.log_every = 600
    return make_quick(c) if quick else c


def curves_config():
    """CURVES 784-400-200-100-50-25-6 on the regenerated set; Adam fine-tuning by default."""
    c = default_config()
    c.data_source = "generated"
    c.data.name = "curves"
    c.model.sizes = (784, 400, 200, 100, 50, 25, 6)
    c.baselines.pca = (6, 18)
    c.baselines.logistic_pca = (6, 18)
    c.baselines.logistic_pca_epochs = 30
    c.pretrain.epochs = 50
    c.finetune.protocol = "optax"
    c.train.epochs = 100
    c.train.batch_size = 100
    c.train.optimizer.name = "adam"
    c.train.optimizer.learning_rate = 1e-3
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.02
    c.train.checkpoint_every = 4000
    c.train.log_every = 400
    c.eval.every_epochs = 5
    return c


def make_quick(c, n_train: int = 2000, n_test: int = 500):
    """Shrink config ``c`` to a run of seconds: a data slice, a small net with the same code
    size, a few epochs of everything, one CG epoch. Baselines keep their sizes (they are cheap)
    so every reference metric is still reported."""
    if c.data.name in ("mnist", "curves"):
        c.data.train_split = f"train[:{n_train}]"
        c.data.test_split = f"test[:{n_test}]"
    sizes = tuple(c.model.sizes)
    c.model.sizes = (sizes[0], 64, 32, sizes[-1]) if len(sizes) > 3 else (sizes[0], 64, sizes[-1])
    c.pretrain.epochs = 5
    c.pretrain.first_epochs = None
    c.pretrain.code_learning_rate = 0.01
    c.baselines.logistic_pca_epochs = 5
    c.baselines.logistic_pca_batch_size = 100
    c.finetune.cg.epochs = 1
    c.finetune.cg.batch_size = 250
    c.train.epochs = 10
    c.train.checkpoint_every = 0
    c.train.log_every = 20
    c.eval.every_epochs = 2
    c.eval.knn_neighbors = 5
    c.eval.scatter_per_class = 20
    return c
