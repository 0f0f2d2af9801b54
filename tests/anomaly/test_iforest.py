"""The Isolation Forest detector."""

import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

import aejax
from aejax.anomaly.detector import load_detector
from aejax.anomaly.iforest import IForestDetector
from aejax.anomaly.sealed import CorruptFileError, write_sealed


def test_iforest_matches_scikit_learn_ranks_an_isolated_point_highest_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    train = np.column_stack([rng.normal(size=(300, 2)) * 3, 0.01 * rng.normal(size=300)])
    detector = IForestDetector(seed=3).fit(train)
    points = np.vstack([train[:5], [[30.0, 30.0, 5.0]]])
    reference = IsolationForest(random_state=3).fit(train)
    np.testing.assert_allclose(detector.score(points), -reference.score_samples(points))
    assert np.argmax(detector.score(points)) == 5
    detector.fit_threshold("max_train")
    assert detector.predict(points).tolist() == [0, 0, 0, 0, 0, 1]
    detector.save(tmp_path)
    restored = load_detector(tmp_path)
    np.testing.assert_array_equal(restored.predict(points), detector.predict(points))
    np.testing.assert_array_equal(restored.score(points), detector.score(points))



class _Payload:
    """Unpickling this runs code: it writes the file `marker`."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return exec, (f"open({str(self.marker)!r}, 'w').write('pwned')",)


def test_a_crafted_pickle_in_a_work_directory_cannot_run(tmp_path):
    directory = IForestDetector(seed=0).fit(np.random.default_rng(0).normal(size=(100, 2))).save(tmp_path / "d")
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    (directory / "iforest.npz").write_bytes(payload)  # the file aejax reads, replaced: its checksum fails
    with pytest.raises(CorruptFileError, match=r"iforest\.npz is corrupt"):
        load_detector(directory)
    # a crafted directory whose detector.json is sealed around the payload, and an old-style pickle
    write_sealed(directory / "detector.json", {"kind": "iforest", "threshold": None, "state": {"seed": 0}},
                 needs=["iforest.npz"])
    (directory / "iforest.pkl").write_bytes(payload)
    with pytest.raises(ValueError, match="cannot be read"):
        load_detector(directory)
    (directory / "iforest.npz").unlink()
    write_sealed(directory / "detector.json", {"kind": "iforest", "threshold": None, "state": {"seed": 0}})
    with pytest.raises(ValueError, match="saved with pickle by an older aejax"):
        load_detector(directory)
    assert not marker.exists()


def test_no_module_unpickles():
    package = Path(aejax.__file__).parent
    offenders = [str(p.relative_to(package)) for p in package.rglob("*.py")
                 if re.search(r"pickle\.loads?\(|allow_pickle\s*=\s*True|import pickle", p.read_text())]
    assert offenders == []
