"""Shared config of the semi-supervised MNIST runs (100 / 600 / 1000 / 3000 labels)."""
from aejax.config import base_config, reference
from aejax.configs.semisup import ANCHORS, semisup_config
from aejax.configs.stacked import pretrain_config

PAPER = ("Kingma, Rezende, Mohamed, Welling (2014), Semi-supervised Learning with Deep Generative Models, "
         "NIPS, Table 1 (anchors: NN and TSVM from Weston et al. 2008, CAE from Rifai et al. 2011)")


def config(labels: int, arg=None):
    c = base_config()
    c.task = "semisup"
    c.paper = PAPER
    if labels in ANCHORS["CAE (Rifai et al. 2011)"]:  # the paper's budgets
        c.reference.test_error_mean = reference(
            ANCHORS["CAE (Rifai et al. 2011)"][labels], 0.0, "Kingma et al. 2014 Table 1, CAE row (target: beat it)",
            units="%")
        c.reference.test_error_supervised_mean = reference(
            ANCHORS["supervised NN"][labels], 3.0, "Kingma et al. 2014 Table 1, NN row (supervised only)", units="%")
    c.data.name = "mnist"
    c.model.sizes = (784, 500, 500)
    c.model.hidden_activation = "sigmoid"
    c.model.code_activation = "sigmoid"
    c.pretrain = pretrain_config(epochs=10, corruption_name="masking", level=0.25)
    c.pretrain.batch_size = 100
    c.pretrain.optimizer.name = "adam"
    c.pretrain.optimizer.learning_rate = 1e-3
    c.semisup = semisup_config(labels)
    c.semisup.recon_weight = 10.0
    c.semisup.entropy_weight = 0.3
    c.semisup.input_corruption.name = "masking"
    c.semisup.input_corruption.level = 0.25
    c.train.epochs = 5
    c.train.batch_size = 100
    c.train.optimizer.name = "adam"
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.01
    c.train.checkpoint_every = 3000
    c.train.log_every = 300
    c.eval.every_epochs = 1
    if arg == "quick":
        c.model.sizes = (784, 64)
        c.pretrain.epochs = 1
        c.semisup.seeds = (0, 1)
        c.semisup.unlabelled_split = "train[:2000]"
        c.semisup.val_split = "train[50000:51000]"
        c.semisup.test_split = "test[:1000]"
        c.train.epochs = 2
        c.train.log_every = 10
    return c
