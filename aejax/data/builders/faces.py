"""FACES-like patches (Hinton & Salakhutdinov 2006, Fig. 2C) rebuilt from the Olivetti faces.

165,600 uint8 images (25, 25) with the person (0-39) as label: "train" = people 1-30 (124,200),
"test" = people 31-40 (41,400), 4,140 per person (10 pictures x 46 angles x 9 scales);
`aejax.data.faces` has the recipe. `aejax.data.load("faces", ...)` gives them in [0, 1]; the
paper's scale (zero-mean pixels, unit average variance) is `faces.normalise`. Config "small"
keeps every 5th picture, angle and scale (40 per person) for tests and quick runs.

Read from ``olivettifaces.mat`` in the folder given (``--data-dir``), else in
$AEJAX_DATA_DIR/faces or $AEJAX_DATA_DIR/faces_orl (where ../shared/data stages it).

Generator parameters (FacesParams; pixels of the 64x64 pictures): field 64 (a patch at scale s
covers 64/s pixels), Gaussian anti-aliasing of 0.27 sampling steps, bilinear sampling, edge
values outside the picture, rounding to grey levels.

Calibration (PCA fitted on the 124,200 training patches, mean-centred; SSE = sum over the 625
pixels, averaged over the 41,400 test patches, on the normalised scale; paper PCA-30: 135):

    field  blur  | PCA-30  (first: 2 pictures per person, 33,120 patches; then the full set)
    48     0     | 124.6         56  0     | 143.5        64  0     | 152.6
    48     0.25  | 123.6         56  0.25  | 139.9        64  0.25  | 145.2
    48     0.5   |  94.1         56  0.5   | 105.0        64  0.5   | 108.8
    72     0     | 155.6         80  0     | 154.4
    72     0.25  | 143.8         80  0.25  | 138.9
    72     0.5   | 107.3         80  0.5   | 103.3
    full set, field 64:  blur 0.25 138.3 | 0.27 135.2 | 0.30 130.3 | 0.35 122.5 | 0.40 115.7

    chosen (field 64, blur 0.27):  PCA-10 237.6, PCA-30 135.2, PCA-60 75.3; mean-patch SSE
    745.3 (test people differ from the training mean; total variance 625 over both splits);
    one grey level = 1/35.28 on the normalised scale.

The anti-aliasing is the sensitive knob (a sharper patch has more detail PCA-30 misses); the
field matters less once it covers most of the face. `faces.calibration(path, params)`
recomputes a row (about a minute on a quiet 2-core CPU).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import tensorflow_datasets as tfds

from aejax.data import faces, registry
from aejax.data.builders.base import AejaxBuilder, MissingDataError
from aejax.data.folders import data_folder

SOURCE_FOLDER = "faces_orl"  # the folder name of the staged Olivetti files under $AEJAX_DATA_DIR


@dataclasses.dataclass
class FacesConfig(tfds.core.BuilderConfig):
    """Every ``stride``-th picture, angle and scale of each person (1: the full set); ``views``:
    "grid" (46 angles x 9 scales) or "random" (as many, at random angles and scales)."""

    stride: int = 1
    views: str = "grid"


@registry.register("faces")
class AejaxFaces(AejaxBuilder):
    """Rotated, scaled, cropped and subsampled 25x25 Olivetti face patches; people split 30 / 10."""

    name = "aejax_faces"
    VERSION = tfds.core.Version("1.0.0")  # bump with any change to faces.DEFAULT_PARAMS (cache key)
    RELEASE_NOTES = {"1.0.0": "46 angles x 9 scales per picture, field 64 px, anti-aliasing 0.27 steps."}
    BUILDER_CONFIGS = [FacesConfig(name="full"), FacesConfig(name="small", stride=5),
                       FacesConfig(name="random_views", views="random")]
    EXPECTED_FILES = (faces.SOURCE_FILE,)
    DOWNLOAD_HINT = (f" (not for faces: put Roweis' {faces.SOURCE_FILE} in $AEJAX_DATA_DIR/{SOURCE_FOLDER}; "
                     "it is staged in ../shared/data/faces_orl)")

    def _info(self) -> tfds.core.DatasetInfo:
        return tfds.core.DatasetInfo(
            builder=self,
            description=__doc__,
            features=tfds.features.FeaturesDict({
                "image": tfds.features.Tensor(shape=(25, 25), dtype=np.uint8),
                "label": tfds.features.Scalar(dtype=np.int32),
            }),
            disable_shuffling=True,
            metadata=tfds.core.MetadataDict(generator=dataclasses.asdict(faces.DEFAULT_PARAMS)),
            homepage="https://cam-orl.co.uk/facedatabase.html",
            citation="F. Samaria and A. Harter (1994), Parameterisation of a stochastic model for human "
                     "face identification, 2nd IEEE Workshop on Applications of Computer Vision.",
        )

    def _source(self):
        folders = [self.manual_folder] if self.manual_folder is not None else []
        folders.append(data_folder(SOURCE_FOLDER))
        for folder in folders:
            if folder is not None and not self.missing_files(folder):
                return folder / faces.SOURCE_FILE
        raise MissingDataError(self.missing_message(self.DATASET_NAME, [f for f in folders if f is not None]),
                               "the Olivetti faces are never downloaded automatically")

    def _split_generators(self, dl_manager):
        images, person = faces.generate(self._source(), stride=self.builder_config.stride,
                                        views=self.builder_config.views)
        train = person < faces.TRAIN_PEOPLE
        return {"train": self._generate_examples(images[train], person[train]),
                "test": self._generate_examples(images[~train], person[~train])}

    def _generate_examples(self, images: np.ndarray, person: np.ndarray):
        for i, (image, label) in enumerate(zip(images, person)):
            yield i, {"image": image, "label": int(label)}
