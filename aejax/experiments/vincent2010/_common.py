"""Shared config of the Vincent et al. (2010) MNIST runs: 784-1000-1000-1000-10, greedy
layer-wise pretraining of tied logistic autoencoders, then classification in three modes."""
from aejax.config import base_config, reference
from aejax.configs.classify import classify_config
from aejax.configs.stacked import pretrain_config

PAPER = "Vincent, Larochelle, Lajoie, Bengio, Manzagol (2010), Stacked Denoising Autoencoders, JMLR 11:3371"


def config(arg, *, corruption_name: str, level: float, paper_error: float, row: str):
    c = base_config()
    c.task = "classify"
    c.paper = PAPER
    c.reference.test_error_finetuned = reference(
        paper_error, 0.12, f"Vincent et al. 2010 Table 3, MNIST, {row} (95% CI about +-0.2)", units="%")
    c.data.name = "mnist"
    c.model.sizes = (784, 1000, 1000, 1000)
    c.model.hidden_activation = "sigmoid"
    c.model.code_activation = "sigmoid"
    c.pretrain = pretrain_config(epochs=30, corruption_name=corruption_name, level=level)
    c.pretrain.batch_size = 100
    c.pretrain.optimizer.name = "adam"
    c.pretrain.optimizer.learning_rate = 1e-3
    c.classify = classify_config()
    c.classify.learning_rates = (1e-3, 3e-4)
    c.train.epochs = 50
    c.train.batch_size = 100
    c.train.optimizer.name = "adam"
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.01
    c.train.checkpoint_every = 5000
    c.train.log_every = 500
    c.eval.every_epochs = 1
    if arg == "quick":
        c.model.sizes = (784, 64, 64)
        c.pretrain.epochs = 2
        c.classify.train_split = "train[:2000]"
        c.classify.val_split = "train[50000:51000]"
        c.classify.test_split = "test[:1000]"
        c.classify.learning_rates = (3e-3,)
        c.train.epochs = 3
        c.train.log_every = 20
    return c
