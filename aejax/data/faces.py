"""FACES: the 25x25 face patches of Hinton & Salakhutdinov (2006, Fig. 2C) made from the Olivetti faces.

The authors' file (``newfaces_rot_single.mat``) is not available; this rebuilds a set of the
published description (../shared/docs/hinton2006.md §1.4, §3.3) from the 400 Olivetti pictures
(``olivettifaces.mat``: 40 people x 10 pictures, 64x64 uint8, each stored column-major):

1. every picture is rotated by each of 46 angles, -90..+90 degrees in 4 degree steps, and
   scaled by each of 9 factors, 1.40..1.80 in 0.05 steps: 414 patches per picture, 4,140 per
   person, 165,600 in all (the grid is the spec's consistency check 165,600 = 40 x 10 x 46 x 9,
   not a published fact; the builder config "random_views" draws as many views per picture at
   angles and scales uniform over the same ranges instead);
2. a patch at scale s is a square of ``field / s`` original pixels centred on the picture
   centre, turned by the angle, and subsampled on a 25x25 grid:
   the picture is first low-passed with a Gaussian of ``blur`` sampling steps (anti-aliasing),
   then read at the grid points by bilinear interpolation, edge values outside the picture;
3. patches are stored as uint8 (rounded grey levels); ordered by person, then picture, then
   scale, then angle. People 1-30 are the training split (124,200), 31-40 the test split (41,400).

The paper then shifts every pixel to zero mean and scales the whole set by one number so that
the average pixel variance is 1 (``normalise``; statistics of all 165,600 patches, as the
authors' file was made).

Calibration. The crop (``field``) and the anti-aliasing (``blur``) are not published. ``field``
= 64 is the natural reading of "scale, then crop": the scaled picture is cut back to its
original 64x64 frame (so at scale 1.4 a turned crop just stays inside the picture); ``blur``
was then chosen so that mean-centred PCA-30, fitted on the training split, gives a test SSE
per patch of 135 on the normalised scale (``aejax.data.builders.faces`` has the search and
the numbers; ``calibration`` recomputes them).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import scipy.io
from scipy import ndimage

from aejax.baselines import pca

__all__ = ["FacesParams", "DEFAULT_PARAMS", "ROTATIONS", "SCALES", "PEOPLE", "TRAIN_PEOPLE",
           "PER_PERSON", "SOURCE_FILE", "read_pictures", "patches", "random_view_patches", "generate", "normalise",
           "calibration"]

SOURCE_FILE = "olivettifaces.mat"
ROTATIONS = np.arange(-90, 91, 4, dtype=np.float64)  # degrees, 46 angles
SCALES = np.round(np.linspace(1.4, 1.8, 9), 2)  # 9 factors
PEOPLE, PICTURES_PER_PERSON, TRAIN_PEOPLE = 40, 10, 30
PER_PERSON = PICTURES_PER_PERSON * len(ROTATIONS) * len(SCALES)  # 4,140


@dataclasses.dataclass(frozen=True)
class FacesParams:
    """Patch geometry; lengths in pixels of the 64x64 pictures, ``blur`` in sampling steps."""

    size: int = 25
    field: float = 64.0
    blur: float = 0.27


DEFAULT_PARAMS = FacesParams()


def read_pictures(path: str | Path) -> np.ndarray:
    """The 400 upright Olivetti pictures, float64 [400, 64, 64] in grey levels 0..255."""
    mat = scipy.io.loadmat(path, variable_names=["faces"])
    if "faces" not in mat:
        raise KeyError(f"{path} has no variable 'faces'; found {sorted(k for k in mat if not k.startswith('__'))}. "
                       "Expected Roweis' olivettifaces.mat (faces: 4096 x 400 uint8).")
    faces = mat["faces"]
    if faces.shape != (4096, PEOPLE * PICTURES_PER_PERSON):
        raise ValueError(f"'faces' in {path} has shape {faces.shape}; expected (4096, 400).")
    return faces.T.reshape(-1, 64, 64).transpose(0, 2, 1).astype(np.float64)  # column-major pictures


def _grid(params: FacesParams, scale: float, rotations: np.ndarray) -> np.ndarray:
    """Sampling points [2, angles, size, size] (row, col) in picture pixels for one scale."""
    step = params.field / scale / params.size
    offsets = (np.arange(params.size) - (params.size - 1) / 2) * step
    down, across = np.meshgrid(offsets, offsets, indexing="ij")
    theta = np.deg2rad(rotations)[:, None, None]
    rows = 31.5 + np.cos(theta) * down - np.sin(theta) * across
    cols = 31.5 + np.sin(theta) * down + np.cos(theta) * across
    return np.stack([rows, cols])


def patches(pictures: np.ndarray, params: FacesParams = DEFAULT_PARAMS, rotations: np.ndarray = ROTATIONS,
            scales: np.ndarray = SCALES) -> np.ndarray:
    """Patches [N, scales, angles, size, size] (float64 grey levels) of pictures [N, 64, 64]."""
    out = np.empty((len(pictures), len(scales), len(rotations), params.size, params.size))
    for j, scale in enumerate(scales):
        grid = _grid(params, scale, rotations)
        sigma = params.blur * params.field / scale / params.size
        for i, picture in enumerate(pictures):
            smooth = ndimage.gaussian_filter(picture, sigma, mode="nearest") if sigma > 0 else picture
            out[i, j] = ndimage.map_coordinates(smooth, grid, order=1, mode="nearest")
    return out


def random_view_patches(pictures: np.ndarray, views: int, seed: int = 0,
                        params: FacesParams = DEFAULT_PARAMS) -> np.ndarray:
    """Patches [N, views, size, size] (float64) of pictures [N, 64, 64], each view at its own angle
    and scale drawn uniformly from the grid's ranges (-90..90 degrees, 1.4..1.8), seeded: the
    alternative to the 46 x 9 grid, whose steps the paper does not give."""
    rng = np.random.default_rng(seed)
    angles = rng.uniform(ROTATIONS[0], ROTATIONS[-1], (len(pictures), views))
    scales = rng.uniform(SCALES[0], SCALES[-1], (len(pictures), views))
    out = np.empty((len(pictures), views, params.size, params.size))
    for i, picture in enumerate(pictures):
        for v in range(views):
            out[i, v] = patches(picture[None], params, angles[i, v:v + 1], scales[i, v:v + 1])[0, 0, 0]
    return out


def generate(path: str | Path, params: FacesParams = DEFAULT_PARAMS, stride: int = 1,
             people: range = range(PEOPLE), views: str = "grid") -> tuple[np.ndarray, np.ndarray]:
    """(patches uint8 [N, size, size], person int32 [N]) in stored order: N = len(people) * 4140,
    or with ``stride`` > 1 every stride-th picture, angle and scale of each person (small sets).
    ``views``: "grid" (46 angles x 9 scales per picture) or "random" (as many views per picture,
    at random angles and scales: `random_view_patches`)."""
    pictures = read_pictures(path).reshape(PEOPLE, PICTURES_PER_PERSON, 64, 64)[list(people), ::stride]
    if views not in ("grid", "random"):
        raise ValueError(f"views={views!r}: choose 'grid' or 'random'")
    rotations, scales = ROTATIONS[::stride], SCALES[::stride]
    made = (patches(pictures.reshape(-1, 64, 64), params, rotations, scales) if views == "grid" else
            random_view_patches(pictures.reshape(-1, 64, 64), len(rotations) * len(scales), params=params))
    images = np.clip(np.rint(made), 0, 255).astype(np.uint8).reshape(-1, params.size, params.size)
    return images, np.repeat(np.asarray(people, np.int32), len(images) // len(people))


def normalise(*splits: np.ndarray, chunk: int = 10_000) -> tuple[list[np.ndarray], np.ndarray, float]:
    """The paper's scale: every pixel shifted to zero mean, then one global factor so the average
    pixel variance is 1, both from all rows of ``splits`` together ([N_i, D] each).
    Returns (normalised float32 splits, mean [D], scale)."""
    blocks = [s[i:i + chunk].astype(np.float64) for s in splits for i in range(0, len(s), chunk)]
    rows = sum(len(b) for b in blocks)
    mean = sum(b.sum(0) for b in blocks) / rows
    var = sum(((b - mean) ** 2).sum(0) for b in blocks) / rows
    scale = float(np.sqrt(var.mean()))
    return [((s - mean) / scale).astype(np.float32) for s in splits], mean, scale


def calibration(path: str | Path, params: FacesParams = DEFAULT_PARAMS) -> dict:
    """PCA-10/-30/-60 test SSE per patch (mean-centred PCA fitted on the training people) and the
    mean-patch SSE, on the normalised scale, for the full set made with ``params``."""
    images, person = generate(path, params)
    flat = images.reshape(len(images), -1)
    (train, test), _, scale = normalise(flat[person < TRAIN_PEOPLE], flat[person >= TRAIN_PEOPLE])
    fitted = pca.fit(train, 60)
    out = {f"pca{k}_test_sse": pca.sse_per_example(pca.PCA(fitted.mean, fitted.components[:k],
                                                            fitted.variances[:k]), test)
           for k in (10, 30, 60)}
    out["mean_image_sse_test"] = float(np.mean(np.sum((test - fitted.mean) ** 2, axis=1)))
    out["scale_grey_levels"] = scale
    return out
