"""FACES 625-2000-1000-500-30 with Gaussian visible units (Olivetti face patches).

Run:      aejax run hinton2006/faces --data-dir DIR   (DIR holds newfaces_rot_single.mat)
          quick: aejax run hinton2006/faces --quick   (a small generated stand-in file)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2C: test SSE per image AE-30 126;
          PCA-30 135 (pixels normalised to zero mean and unit average variance).
Data:     user-supplied: J. Martens' newfaces_rot_single.mat (not bundled, not downloadable
          offline); train = first 30 people, test = last 10.
Protocol: first RBM Gaussian-visible, learning rate 0.001, 200 epochs; others 50 epochs;
          linear output, squared error; CG fine-tuning 20 epochs.
"""
from aejax.config import reference
from aejax.configs.hinton2006 import default_config, make_quick


def get_config(arg=None):
    c = default_config()
    c.data_source = "user-supplied"
    c.data.name = "faces"
    c.model.sizes = (625, 2000, 1000, 500, 30)
    c.model.output_activation = "linear"
    c.loss = "squared_error"
    c.pretrain.visible = "gaussian"
    c.pretrain.first_learning_rate = 0.001
    c.pretrain.first_epochs = 200
    c.baselines.pca = (30,)
    c.baselines.logistic_pca = ()
    c.finetune.cg.epochs = 20
    c.reference.test_sse_per_image = reference(126.0, 10.0, "H&S 2006 Fig. 2C, AE-30", units="SSE/image")
    c.reference.pca_30_test_sse_per_image = reference(135.0, 10.0, "H&S 2006 Fig. 2C, PCA-30", units="SSE/image")
    if arg == "quick":
        c.data.synthetic = True
        c = make_quick(c)
    return c
