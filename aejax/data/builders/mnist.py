"""MNIST (LeCun, Cortes & Burges): 60,000 train / 10,000 test handwritten digits, 28x28 uint8."""

from __future__ import annotations

import tensorflow_datasets as tfds

from aejax.data import lecun, registry
from aejax.data.builders.lecun import LecunBuilder

_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

SPEC = lecun.LecunFiles(
    files=_FILES,
    md5={  # of the uncompressed files, as published with MNIST
        "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    },
    urls={name: f"{_URL}{name}.gz" for pair in _FILES.values() for name in pair},
)


@registry.register("mnist")
class AejaxMnist(LecunBuilder):
    """MNIST from the four LeCun IDX files (manual folder or download), md5-checked."""

    name = "aejax_mnist"
    VERSION = tfds.core.Version("1.0.0")
    SPEC = SPEC
    EXPECTED_FILES = SPEC.file_names()
    DOWNLOAD_HINT = f" from {_URL}"
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        f"Put {', '.join(SPEC.file_names())} (each raw or .gz) in one folder and pass it with --data-dir."
    )
    DESCRIPTION = "MNIST handwritten digits, 28x28 uint8 images with labels 0-9."
    HOMEPAGE = "http://yann.lecun.com/exdb/mnist/"
    CITATION = (
        "@article{lecun1998gradient, title={Gradient-based learning applied to document recognition}, "
        "author={LeCun, Yann and Bottou, L{\\'e}on and Bengio, Yoshua and Haffner, Patrick}, "
        "journal={Proceedings of the IEEE}, volume={86}, number={11}, pages={2278--2324}, year={1998}}"
    )
