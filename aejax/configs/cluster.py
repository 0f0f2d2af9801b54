"""Default `config.cluster` (task "cluster", `aejax.tasks.cluster`)."""
from ml_collections import ConfigDict


def cluster_config() -> ConfigDict:
    """Default `config.cluster`."""
    return ConfigDict(dict(train_split="train", split="test", n_clusters=10, n_init=10, pca_components=10,
                           baselines=("pca", "pixels")))
