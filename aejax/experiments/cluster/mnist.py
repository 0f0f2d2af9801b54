"""k-means on stacked denoising autoencoder codes of MNIST vs on PCA components and raw pixels.

Run:      aejax run cluster/mnist            (quick: aejax run cluster/mnist --quick)
Paper:    Xie, Girshick, Farhadi (2016), Unsupervised Deep Embedding for Clustering Analysis (DEC),
          ICML, Table 2, MNIST cluster accuracy: k-means on pixels 53.49 %, "DEC w/o backprop"
          (k-means on stacked-AE codes, 784-500-500-2000-10) 79.82 %, DEC 84.30 % (recalled values).
Protocol: 784-500-500-10 (logistic hidden, linear 10-d code), tied DAEs with 20 % masking noise,
          5 epochs per layer on the 60,000 training images, then 10 epochs of end-to-end denoising
          fine-tuning; k-means (10 restarts) on the codes of the 10,000 test images, against
          k-means on 10 PCA components (fitted on train) and on raw pixels.
Expected: code accuracy well above the PCA and pixel baselines (about 0.5-0.55).
"""
from aejax.config import base_config, reference
from aejax.configs.cluster import cluster_config
from aejax.configs.stacked import pretrain_config


def get_config(arg=None):
    c = base_config()
    c.task = "cluster"
    c.paper = "Xie, Girshick, Farhadi (2016), Unsupervised Deep Embedding for Clustering Analysis, ICML"
    c.reference.accuracy_codes = reference(
        0.7982, 0.05, "DEC paper Table 2, 'DEC w/o backprop' = k-means on SAE codes (recalled, not re-checked)",
        higher_is_better=True)
    c.reference.accuracy_pixels = reference(
        0.5349, 0.03, "DEC paper Table 2, k-means on pixels (recalled; DEC clusters all 70,000 images)",
        higher_is_better=True)
    c.data.name = "mnist"
    c.model.sizes = (784, 500, 500, 10)
    c.model.hidden_activation = "sigmoid"
    c.model.code_activation = "linear"
    c.pretrain = pretrain_config(epochs=5, corruption_name="masking", level=0.2)
    c.pretrain.batch_size = 100
    c.pretrain.optimizer.name = "adam"
    c.pretrain.optimizer.learning_rate = 1e-3
    c.pretrain.finetune.epochs = 10
    c.cluster = cluster_config()
    if arg == "quick":
        c.model.sizes = (784, 64, 10)
        c.pretrain.epochs = 1
        c.pretrain.finetune.epochs = 1
        c.cluster.train_split = "train[:2000]"
        c.cluster.split = "test[:1000]"
        c.cluster.n_init = 2
    return c
