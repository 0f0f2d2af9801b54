"""The detector interface: thresholds fitted separately, non-finite scores, saving by kind."""

import numpy as np
import pytest

from aejax.anomaly.detector import NotFittedError, detector_class, load_detector
from aejax.anomaly.pca import PCAReconstructionDetector
from aejax.anomaly.sealed import CorruptFileError


def _plane(n=100):
    """Rows on a 2-D plane in 4-D plus a little noise."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 2)) @ rng.normal(size=(2, 4)) + 0.01 * rng.normal(size=(n, 4))


def test_predict_needs_a_threshold_and_flags_scores_above_it():
    x = _plane()
    detector = PCAReconstructionDetector(2).fit(x)
    with pytest.raises(NotFittedError, match="fit_threshold"):
        detector.predict(x)
    threshold = detector.fit_threshold("max_train")
    assert not threshold.uses_labels and detector.predict(x).sum() == 0
    off_plane = x[:3] + np.linalg.svd(x - x.mean(0))[2][3]  # a unit step along the least-variance axis
    assert detector.predict(off_plane).tolist() == [1, 1, 1]


def test_a_record_that_overflows_scores_inf_and_is_flagged():
    x = _plane()
    detector = PCAReconstructionDetector(2).fit(x)
    detector.fit_threshold("max_train")
    with np.errstate(over="ignore", invalid="ignore"):
        out = detector.score(np.array([[1e308, -1e308, 1e308, 0.0], [0.0, 0.0, 0.0, 0.0]]))
    assert out[0] == np.inf and np.isfinite(out[1])


def test_unknown_kinds_and_missing_directories_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown detector kind 'lof'"):
        detector_class("lof")
    with pytest.raises(FileNotFoundError, match="holds no saved detector"):
        load_detector(tmp_path)


def _saved(tmp_path):
    detector = PCAReconstructionDetector(2).fit(_plane())
    detector.fit_threshold("max_train")
    return detector.save(tmp_path / "d")


def test_a_changed_byte_in_any_saved_file_is_refused_naming_the_file(tmp_path):
    directory = _saved(tmp_path)
    arrays = directory / "pca.npz"
    data = bytearray(arrays.read_bytes())
    data[len(data) // 2] ^= 0x01
    arrays.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match=r"pca\.npz is corrupt: SHA-256"):
        load_detector(directory)


def test_a_changed_or_truncated_detector_json_is_refused_naming_it(tmp_path):
    directory = _saved(tmp_path)
    meta = directory / "detector.json"
    text = meta.read_text()
    meta.write_text(text.replace('"n_components": 2', '"n_components": 3'))
    with pytest.raises(CorruptFileError, match=r"detector\.json was changed after it was written"):
        load_detector(directory)
    meta.write_text(text[: len(text) // 2])
    with pytest.raises(CorruptFileError, match=r"detector\.json is corrupt"):
        load_detector(directory)


def test_a_missing_file_is_named(tmp_path):
    directory = _saved(tmp_path)
    (directory / "pca.npz").unlink()
    with pytest.raises(CorruptFileError, match=r"pca\.npz is missing"):
        load_detector(directory)
