"""FACES 625-2000-1000-500-30 with Gaussian visible units, the paper's protocol on a CPU budget.

Run:      aejax run hinton2006/faces            (quick: aejax run hinton2006/faces --quick)
Paper:    Hinton & Salakhutdinov (2006), Science 313:504, Fig. 2C: test SSE per image AE-30 126;
          PCA-30 135 (pixels normalised to zero mean and unit average variance): ratio 0.933.
Protocol: the "faces" dataset (aejax.data.faces): 25x25 patches rebuilt from the 400 Olivetti
          pictures (../shared/data/faces_orl) by rotation (-90..90 deg), scaling (1.4..1.8),
          cropping and subsampling, calibrated so that test PCA-30 is 135.2; people 1-30 train
          (124,200), 31-40 test (41,400). The authors' file is not available, so compare the
          ratio AE-30 / PCA-30, not the absolute numbers. Quick: the "small" subset (1,200 / 400).
          The paper's stack and schedule types: first RBM Gaussian-visible (learning rate 0.001),
          binary RBMs 0.1, Gaussian code RBM 0.001; linear output, squared error; CG fine-tuning
          (3 line searches per 1000-case batch). Budget (paper in brackets), sized for a shared
          2-core CPU: first RBM 10 epochs [200], other RBMs 5 [50], CG 2 epochs [20], float32.
          One CG epoch is 124 batches of 7.5 M parameters: about 56 TFLOP. Figures:
          reconstructions.png (test patches, AE-30 and PCA-30 rows, as Fig. 2C),
          pretraining_curves.png, finetuning_curves.png.
Expected: AE-30 / PCA-30 well above the paper's 0.933 at this budget (about 1.3): CG is still
          lowering the training loss after 2 epochs, and the AE generalises poorly to new people
          (hinton2006/faces-modern). The 2 CG epochs take about 16 minutes on a 2-core CPU and
          about 3 GB of memory.
"""
from aejax.config import reference
from aejax.configs.hinton2006 import default_config, make_quick


def get_config(arg=None):
    c = default_config()
    c.data.name = "faces"
    c.model.sizes = (625, 2000, 1000, 500, 30)
    c.model.output_activation = "linear"
    c.loss = "squared_error"
    c.pretrain.visible = "gaussian"
    c.pretrain.first_learning_rate = 0.001
    c.pretrain.first_epochs = 10
    c.pretrain.epochs = 5
    c.baselines.pca = (30,)
    c.baselines.logistic_pca = ()
    c.finetune.cg.epochs = 2
    c.finetune.cg.float64 = False
    c.eval.ratio_to_pca = True
    c.primary_metric = "test_sse_ratio_to_pca_30"
    c.reference.test_sse_ratio_to_pca_30 = reference(
        126.0 / 135.0, 0.05, "H&S 2006 Fig. 2C, AE-30 / PCA-30 = 126 / 135", units="ratio")
    c.reference.test_sse_per_image = reference(
        126.0, 10.0, "H&S 2006 Fig. 2C, AE-30 (authors' patches; ours are rebuilt)", units="SSE/image")
    c.reference.pca_30_test_sse_per_image = reference(
        135.0, 5.0, "H&S 2006 Fig. 2C, PCA-30 (the calibration target)", units="SSE/image")
    if arg == "quick":
        c.data.builder_config = "small"
        c = make_quick(c)
    return c
