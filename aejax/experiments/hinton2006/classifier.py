"""784-500-500-2000-10 MNIST classifier from stacked RBMs: frozen / fine-tuned / from scratch.

Run:      aejax run hinton2006/classifier            (quick: aejax run hinton2006/classifier --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504: a 784-500-500-2000-10 network pretrained as
          stacked RBMs and fine-tuned with backprop reaches 1.2 % test error (1.6 % from random
          initialisation, 1.4 % for SVMs); the released backpropclassify.m fine-tunes with
          conjugate gradients, first the top layer only, then all layers.
Protocol: binary RBMs 500-500-2000 (CD-1, 50 epochs each, batches of 100, learning rate 0.1,
          weight cost 2e-4) on train[:50000]; then 50 epochs of Adam (cosine) in three modes with
          the same budget; fine-tuning starts from the frozen mode's trained top layer (as the
          released code does); epoch and learning rate (1e-3, 3e-4) selected on train[50000:].
Expected: fine-tuned about 1.2-1.4 %, frozen and scratch higher. Heavy for a 2-core CPU (hours);
          fine on one GPU.
"""
from aejax.config import base_config, reference
from aejax.configs.classify import classify_config
from aejax.configs.stacked import pretrain_config


def get_config(arg=None):
    c = base_config()
    c.task = "classify"
    c.paper = "Hinton & Salakhutdinov (2006), Reducing the Dimensionality of Data with Neural Networks, Science 313:504"
    c.reference.test_error_finetuned = reference(1.2, 0.2, "H&S 2006 text: RBM-pretrained 784-500-500-2000-10, backprop", units="%")
    c.reference.test_error_scratch = reference(1.6, 0.3, "H&S 2006 text: randomly initialised backprop", units="%")
    c.data.name = "mnist"
    c.model.sizes = (784, 500, 500, 2000)
    c.model.hidden_activation = "sigmoid"
    c.model.code_activation = "sigmoid"
    c.pretrain = pretrain_config(epochs=50, kind="rbm", corruption_name="none", level=0.0)
    c.pretrain.batch_size = 100
    c.classify = classify_config()
    c.classify.finetune_from = "frozen"
    c.classify.learning_rates = (1e-3, 3e-4)
    c.train.epochs = 50
    c.train.batch_size = 100
    c.train.optimizer.name = "adam"
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.01
    c.train.checkpoint_every = 5000
    c.train.log_every = 500
    if arg == "quick":
        c.model.sizes = (784, 64, 64)
        c.pretrain.epochs = 1
        c.classify.train_split = "train[:2000]"
        c.classify.val_split = "train[50000:51000]"
        c.classify.test_split = "test[:1000]"
        c.classify.learning_rates = (3e-3,)
        c.train.epochs = 3
        c.train.log_every = 20
    return c
