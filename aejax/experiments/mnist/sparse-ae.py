"""Stacked sparse autoencoders (KL sparsity) 784-200-200 + softmax on MNIST: frozen and fine-tuned.

Run:      aejax run mnist/sparse-ae            (quick: aejax run mnist/sparse-ae --quick)
Paper:    Ng (2011), Sparse autoencoder, CS294A lecture notes (the KL penalty beta * sum_j
          KL(rho || mean activation of unit j)), and its UFLDL exercise "Implement deep networks
          for digit classification" (784-200-200-10, rho = 0.1, beta = 3, weight decay 3e-3,
          L-BFGS): about 87.7 % test accuracy with the softmax on the frozen features, 97.6 % after
          fine-tuning (recalled values, not re-checked).
Protocol: untied logistic AEs 784-200 and 200-200, cross-entropy + 3 KL(0.1 || mean activation)
          + 1.5e-3 sum W^2 (= lambda / 2 ||W||^2), 30 epochs of Adam each in batches of 100; then
          softmax on the frozen code ("frozen") and the whole net ("finetuned", from the frozen
          result), 50 epochs of Adam each; epoch and learning rate selected on train[50000:].
Expected: test error below the exercise's 2.4 % fine-tuned and 12.3 % frozen (about 1.4 % and
          3.3 %; the exercise trains with L-BFGS, not Adam). About 15 minutes on a 2-core CPU.
"""
from ml_collections import ConfigDict

from aejax.config import base_config, reference
from aejax.configs.classify import classify_config
from aejax.configs.stacked import pretrain_config


def get_config(arg=None):
    c = base_config()
    c.task = "classify"
    c.paper = "Ng (2011), Sparse autoencoder, CS294A lecture notes; UFLDL stacked autoencoder exercise"
    c.reference.test_error_finetuned = reference(2.4, 0.5, "UFLDL exercise: 97.6 % accuracy fine-tuned (recalled)", units="%")
    c.reference.test_error_frozen = reference(12.3, 3.0, "UFLDL exercise: 87.7 % before fine-tuning (recalled)", units="%")
    c.model.sizes, c.model.code_activation = (784, 200, 200), "sigmoid"
    c.pretrain = pretrain_config(epochs=30, corruption_name="none", level=0.0)
    c.pretrain.tied, c.pretrain.batch_size, c.pretrain.optimizer.name, c.pretrain.optimizer.learning_rate = False, 100, "adam", 1e-3
    c.pretrain.regularizers = ConfigDict(dict(kl_sparsity=dict(weight=3.0, target=0.1), weight_decay=dict(weight=1.5e-3)))
    c.classify = classify_config()
    c.classify.modes, c.classify.finetune_from, c.classify.learning_rates = ("frozen", "finetuned"), "frozen", (1e-3, 3e-4)
    c.train.epochs, c.train.optimizer.schedule, c.train.optimizer.final_fraction, c.train.log_every = 50, "cosine", 0.01, 500
    if arg == "quick":
        c.model.sizes, c.pretrain.epochs, c.train.epochs = (784, 32, 32), 1, 2
        c.classify.train_split, c.classify.val_split, c.classify.test_split = "train[:2000]", "train[50000:51000]", "test[:1000]"
        c.classify.learning_rates, c.train.log_every = (1e-2,), 20
    return c
