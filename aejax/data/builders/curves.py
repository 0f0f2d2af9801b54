"""CURVES-like synthetic images (Hinton & Salakhutdinov 2006, Fig. 2A), generated from a seed.

20,000 train / 10,000 test float32 images (28, 28) in [0, 1], each the parabola through
three random points with increasing x (`aejax.data.curves` has the recipe). No labels.

Generator parameters (CurvesParams, all lengths in pixels): margin 1.5, Gaussian ink width
2.07 (s.d. of the stroke profile), min x-gap of the three points 0.1 (unit square), arc-length
spacing of the ink integral <= width, intensities clipped to [0, 1].

Calibration (seed 0; PCA fitted on the 20,000 training images, mean-centred, reconstructions
not clipped; SSE = sum over the 784 pixels of squared error, averaged over images):

    PCA-18 test SSE per image   5.916   (paper, real CURVES: 5.90; the target of the calibration)
    PCA-6 test SSE per image    22.33
    mean-image SSE, train       54.72   (real CURVES, inferred in hinton2006.md §3.1: ~16)
    mean-image SSE, test        54.74

The ink width is the one knob calibrated: PCA-18 SSE rises with width up to ~0.9 px
(14.9 at 0.8 px), then falls; 2.07 px is the smooth-stroke solution for 5.90 (the other
branch, ~0.15 px, gives aliased sub-pixel strokes). With one knob the mean-image SSE is not
matched, so these images carry more ink than the real file: compare CURVES-like results with
the paper's only in trend, never at the decimal level. `aejax data curves-calibration`
recomputes every number above.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import tensorflow_datasets as tfds

from aejax.data import curves, registry
from aejax.data.builders.base import AejaxBuilder

CALIBRATION = {
    "seed": 0,
    "pca18_test_sse": 5.916,
    "pca6_test_sse": 22.33,
    "mean_image_sse_train": 54.72,
    "mean_image_sse_test": 54.74,
    "paper_pca18_test_sse": 5.90,
}


@dataclasses.dataclass
class CurvesConfig(tfds.core.BuilderConfig):
    """One seed's draw; `sizes` overrides the paper's split sizes (small sets for tests)."""

    seed: int = 0
    sizes: tuple[tuple[str, int], ...] = tuple(curves.SPLIT_SIZES.items())


@registry.register("curves")
class AejaxCurves(AejaxBuilder):
    """CURVES-like images drawn from a seed; the module docstring has the recipe and calibration."""

    name = "aejax_curves"
    VERSION = tfds.core.Version("1.0.0")  # bump with any change to curves.DEFAULT_PARAMS (cache key)
    RELEASE_NOTES = {"1.0.0": "Parabola through three points, Gaussian ink of width 2.07 px."}
    BUILDER_CONFIGS = [CurvesConfig(name="seed_0", seed=0)]

    @classmethod
    def make_config(cls, config: str) -> CurvesConfig:
        """"seed_N" -> the full-size draw for seed N."""
        match = re.fullmatch(r"seed_(\d+)", config)
        if match is None:
            raise ValueError(f"curves configs are named 'seed_N' (e.g. 'seed_1'), not {config!r}.")
        return CurvesConfig(name=config, seed=int(match[1]))

    def _info(self) -> tfds.core.DatasetInfo:
        return tfds.core.DatasetInfo(
            builder=self,
            description=__doc__,
            features=tfds.features.FeaturesDict({"image": tfds.features.Tensor(shape=(28, 28), dtype=np.float32)}),
            disable_shuffling=True,
            metadata=tfds.core.MetadataDict(
                generator=dataclasses.asdict(curves.DEFAULT_PARAMS), calibration=CALIBRATION
            ),
            citation=(
                "@article{hinton2006reducing, title={Reducing the dimensionality of data with neural networks}, "
                "author={Hinton, Geoffrey E and Salakhutdinov, Ruslan R}, journal={Science}, volume={313}, "
                "number={5786}, pages={504--507}, year={2006}}"
            ),
        )

    def _split_generators(self, dl_manager):
        sizes = dict(self.builder_config.sizes)
        return {split: self._generate_examples(split, n) for split, n in sizes.items()}

    def _generate_examples(self, split: str, n: int):
        images = curves.generate(self.builder_config.seed, split, n=n)
        for i, image in enumerate(images):
            yield i, {"image": image}
