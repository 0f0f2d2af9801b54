"""scikit-learn's bundled 8x8 handwritten digits (UCI optdigits test set), for fast runs and tests.

1,797 images with 17 grey levels (0..16), stored as float32 (8, 8) in [0, 1] (value / 16).
Splits in file order: train = the first 1,500 images, test = the last 297. Needs no download.
"""

from __future__ import annotations

import numpy as np
import tensorflow_datasets as tfds

from aejax.data import registry
from aejax.data.builders.base import AejaxBuilder

N_TRAIN = 1500


@registry.register("digits")
class AejaxDigits(AejaxBuilder):
    """8x8 digits from scikit-learn, scaled to [0, 1]; train = first 1,500, test = last 297."""

    name = "aejax_digits"
    VERSION = tfds.core.Version("1.0.0")

    def _info(self) -> tfds.core.DatasetInfo:
        return tfds.core.DatasetInfo(
            builder=self,
            description=__doc__,
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Tensor(shape=(8, 8), dtype=np.float32),
                    "label": tfds.features.ClassLabel(num_classes=10),
                }
            ),
            supervised_keys=("image", "label"),
            disable_shuffling=True,
            homepage="https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits",
        )

    def _split_generators(self, dl_manager):
        from sklearn.datasets import load_digits

        bunch = load_digits()
        images = (bunch.images / 16.0).astype(np.float32)
        return {
            "train": self._generate_examples(images[:N_TRAIN], bunch.target[:N_TRAIN]),
            "test": self._generate_examples(images[N_TRAIN:], bunch.target[N_TRAIN:]),
        }

    def _generate_examples(self, images: np.ndarray, labels: np.ndarray):
        for i, (image, label) in enumerate(zip(images, labels)):
            yield i, {"image": image, "label": int(label)}
