"""Default `config.denoise` (task "denoise", `aejax.tasks.denoise`)."""
from ml_collections import ConfigDict


def denoise_config() -> ConfigDict:
    """Default `config.denoise`."""
    return ConfigDict(dict(
        train_split="train",
        test_split="test",
        corruptions=ConfigDict(dict(gaussian=0.3, masking=0.25, salt_and_pepper=0.25)),
        plain_baseline=True,
        num_shown=10,
    ))
