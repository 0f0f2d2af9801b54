"""FACES patches from the Olivetti pictures: geometry, counts, normalisation, the builder."""
import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from aejax import data
from aejax.data import faces

SOURCE = Path(os.environ["AEJAX_DATA_DIR"]) / "faces_orl" / faces.SOURCE_FILE


def test_pictures_are_the_column_major_columns_of_the_file():
    stored = scipy.io.loadmat(SOURCE)["faces"]
    pictures = faces.read_pictures(SOURCE)
    assert pictures.shape == (400, 64, 64)
    for k in (0, 137, 399):
        np.testing.assert_array_equal(pictures[k], stored[:, k].reshape(64, 64, order="F"))
    # Upright: the forehead (top rows) is brighter on average than the chin/neck (bottom rows).
    assert pictures[:, :8].mean() > pictures[:, -8:].mean()


def test_paper_counts_follow_from_the_grid():
    assert len(faces.ROTATIONS) == 46 and faces.ROTATIONS[[0, -1]].tolist() == [-90, 90]
    assert faces.SCALES.tolist() == [1.4, 1.45, 1.5, 1.55, 1.6, 1.65, 1.7, 1.75, 1.8]
    assert faces.PER_PERSON == 4140
    assert faces.TRAIN_PEOPLE * faces.PER_PERSON == 124_200
    assert (faces.PEOPLE - faces.TRAIN_PEOPLE) * faces.PER_PERSON == 41_400


def test_unrotated_patch_samples_a_linear_picture_exactly():
    # Bilinear interpolation reproduces a linear picture; with no blur and a field that keeps
    # every rotated grid inside the picture, patch pixel (i, j) of scale s is the picture at
    # (31.5 + o_i, 31.5 + o_j), o = (index - 12) * field / (25 s).
    rows, cols = np.mgrid[0:64, 0:64].astype(np.float64)
    picture = 2.0 * rows + 0.5 * cols + 7.0
    params = dataclasses.replace(faces.DEFAULT_PARAMS, field=40.0, blur=0.0)
    out = faces.patches(picture[None], params, rotations=np.array([0.0]))
    assert out.shape == (1, 9, 1, 25, 25)
    for j, s in enumerate(faces.SCALES):
        o = (np.arange(25) - 12) * 40.0 / (25 * s)
        expected = 2.0 * (31.5 + o[:, None]) + 0.5 * (31.5 + o[None, :]) + 7.0
        np.testing.assert_allclose(out[0, j, 0], expected, rtol=1e-12)


def test_angles_rotate_the_patch():
    rng = np.random.default_rng(0)
    picture = rng.random((64, 64))
    params = dataclasses.replace(faces.DEFAULT_PARAMS, field=40.0, blur=0.0)
    out = faces.patches(picture[None], params, rotations=np.array([0.0, 90.0, -90.0]))[0, 0]
    np.testing.assert_allclose(out[1], np.rot90(out[0], -1), atol=1e-9)
    np.testing.assert_allclose(out[2], np.rot90(out[0], 1), atol=1e-9)


def test_blur_only_smooths():
    rng = np.random.default_rng(1)
    picture = rng.random((64, 64)) * 255
    sharp = faces.patches(picture[None], dataclasses.replace(faces.DEFAULT_PARAMS, blur=0.0))
    smooth = faces.patches(picture[None], dataclasses.replace(faces.DEFAULT_PARAMS, blur=1.0))
    assert smooth.std() < 0.7 * sharp.std()
    assert smooth.mean() == pytest.approx(sharp.mean(), rel=0.02)


def test_generate_strided_subset_orders_people_and_rounds_to_grey_levels():
    images, person = faces.generate(SOURCE, stride=5, people=range(2))
    per_person = 2 * 10 * 2  # pictures 0, 5; angles -90, -70, ..., 90; scales 1.4, 1.65
    assert images.shape == (2 * per_person, 25, 25) and images.dtype == np.uint8
    assert person.tolist() == [0] * per_person + [1] * per_person
    pictures = faces.read_pictures(SOURCE)[[0, 5, 10, 15]]
    made = faces.patches(pictures, faces.DEFAULT_PARAMS, faces.ROTATIONS[::5], faces.SCALES[::5])
    np.testing.assert_array_equal(images, np.rint(made).reshape(-1, 25, 25))


def test_normalise_by_hand():
    a = np.array([[0.0, 1.0], [2.0, 3.0]])
    b = np.array([[4.0, 5.0]])  # pixel means (2, 3); variances 8/3 each -> scale sqrt(8/3)
    (na, nb), mean, scale = faces.normalise(a, b, chunk=1)
    np.testing.assert_allclose(mean, [2.0, 3.0])
    assert scale == pytest.approx(np.sqrt(8 / 3))
    np.testing.assert_allclose(nb, [[2 / np.sqrt(8 / 3)] * 2], rtol=1e-6)
    joined = np.concatenate([na, nb])
    np.testing.assert_allclose(joined.mean(0), 0.0, atol=1e-7)
    assert joined.var(0).mean() == pytest.approx(1.0, rel=1e-6)


def test_builder_small_config_splits_people_30_10():
    train = data.load("faces", "train", config="small")
    test = data.load("faces", "test", config="small")
    assert train.x.shape == (30 * 40, 625) and test.x.shape == (10 * 40, 625)
    assert set(train.y.tolist()) == set(range(30)) and set(test.y.tolist()) == set(range(30, 40))
    images, _ = faces.generate(SOURCE, stride=5, people=range(30, 31))
    np.testing.assert_allclose(test.x[:40], images.reshape(40, -1) / 255.0, rtol=1e-6)


def test_random_views_are_seeded_and_sample_what_the_grid_samples():
    pictures = faces.read_pictures(SOURCE)[:2]
    views = len(faces.ROTATIONS) * len(faces.SCALES)
    drawn = faces.random_view_patches(pictures, views)
    np.testing.assert_array_equal(drawn, faces.random_view_patches(pictures, views))
    assert not np.array_equal(drawn, faces.random_view_patches(pictures, views, seed=1))
    grid = faces.patches(pictures).reshape(2, views, 25, 25)
    for random_views, grid_views in zip(drawn, grid):  # the same ranges of angle and scale, uniformly
        assert np.corrcoef(random_views.mean(0).ravel(), grid_views.mean(0).ravel())[0, 1] > 0.97
        assert random_views.var(0).mean() == pytest.approx(grid_views.var(0).mean(), rel=0.05)
    with pytest.raises(ValueError, match="views='rings'"):
        faces.generate(SOURCE, stride=5, people=range(1), views="rings")
