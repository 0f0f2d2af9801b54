"""Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60,000 / 10,000 clothing images, 28x28 uint8.

Debian's package `dataset-fashion-mnist` installs the four files in
/usr/share/datasets/fashion-mnist/, which is searched when no data folder is given.
"""

from __future__ import annotations

import tensorflow_datasets as tfds

from aejax.data import lecun, registry
from aejax.data.builders.lecun import LecunBuilder

_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

SPEC = lecun.LecunFiles(
    files=_FILES,
    md5={  # of the uncompressed files (the published .gz md5s cover the gzip wrapper only)
        "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
        "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
        "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    },
    urls={name: f"{_URL}{name}.gz" for pair in _FILES.values() for name in pair},
)


@registry.register("fashion_mnist")
class AejaxFashionMnist(LecunBuilder):
    """Fashion-MNIST from the four IDX files (manual folder, Debian's copy, or download), md5-checked."""

    name = "aejax_fashion_mnist"
    VERSION = tfds.core.Version("1.0.0")
    SPEC = SPEC
    EXPECTED_FILES = SPEC.file_names()
    DEFAULT_FOLDERS = ("/usr/share/datasets/fashion-mnist",)
    DOWNLOAD_HINT = f" from {_URL}"
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        f"Put {', '.join(SPEC.file_names())} (each raw or .gz) in one folder and pass it with --data-dir "
        "(Debian/Ubuntu: apt-get install dataset-fashion-mnist, folder /usr/share/datasets/fashion-mnist)."
    )
    CLASS_NAMES = (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    )
    DESCRIPTION = "Fashion-MNIST: Zalando article images, 28x28 uint8, 10 classes."
    HOMEPAGE = "https://github.com/zalandoresearch/fashion-mnist"
    CITATION = (
        "@article{xiao2017fashion, title={Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine "
        "Learning Algorithms}, author={Xiao, Han and Rasul, Kashif and Vollgraf, Roland}, "
        "journal={arXiv preprint arXiv:1708.07747}, year={2017}}"
    )
