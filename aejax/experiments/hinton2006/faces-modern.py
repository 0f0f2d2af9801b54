"""FACES 625-2000-1000-500-30: the paper's RBM pretraining (short), then minibatch Adam.

Run:      aejax run hinton2006/faces-modern     (quick: aejax run hinton2006/faces-modern --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2C: AE-30 126, PCA-30 135 (ratio
          0.933), with CG fine-tuning.
Protocol: data as hinton2006/faces (rebuilt Olivetti patches, PCA-30 calibrated to 135). The RBM
          stack of hinton2006/faces (same budget, so its pretraining checkpoints can be reused),
          then Adam with a cosine-decayed learning rate, 2 epochs of 100-patch batches (the paper:
          20 CG epochs) instead of conjugate gradients. The epoch budget was chosen on held-out
          training people (train on people 1-25 = train[:103500], validate on 26-30 =
          train[103500:]; results/LOG.md).
Expected: AE-30 / PCA-30 about 1.07, above the paper's 0.933: the net fits the training people
          better than PCA and carries little of it to the test people. About 6 minutes on a 2-core
          CPU with the pretraining reused.
"""
from aejax import registry


def get_config(arg=None):
    c = registry.sibling(__file__, "faces").get_config(arg)
    c.finetune.protocol = "optax"
    if arg != "quick":
        c.train.epochs = 2
        c.train.batch_size = 100
        c.train.checkpoint_every = 5000
        c.train.log_every = 1000
        c.eval.every_epochs = 1
    c.train.optimizer.name = "adam"
    c.train.optimizer.learning_rate = 1e-3
    c.train.optimizer.schedule = "cosine"
    c.train.optimizer.final_fraction = 0.02
    return c
