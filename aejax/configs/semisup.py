"""Default `config.semisup` (task "semisup", `aejax.tasks.semisup`) and the published anchors."""
from ml_collections import ConfigDict

# Test error % on permutation-invariant MNIST (Kingma et al. 2014, Table 1; Weston et al. 2008).
ANCHORS = {
    "supervised NN": {100: 25.80, 600: 11.44, 1000: 10.70, 3000: 6.04},
    "CAE (Rifai et al. 2011)": {100: 13.47, 600: 6.3, 1000: 4.77, 3000: 3.22},
    "M1+TSVM (Kingma et al. 2014)": {100: 11.82, 600: 5.72, 1000: 4.24, 3000: 3.49},
}


def semisup_config(labels: int) -> ConfigDict:
    """Default `config.semisup` for a budget of `labels` labelled images."""
    return ConfigDict(dict(
        labels=labels,
        seeds=(0, 1, 2),
        num_classes=10,
        unlabelled_split="train",
        label_pool="train[:50000]",
        val_split="train[50000:]",
        test_split="test",
        learning_rate=1e-3,
        recon_weight=0.0,
        entropy_weight=0.0,
        input_corruption=ConfigDict(dict(name="none", level=0.0)),
        head_sizes=(),
        head_activation="sigmoid",
    ))
