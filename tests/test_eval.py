"""aejax.eval's measures on codes: document retrieval, LSA codes, kNN accuracy."""

import numpy as np
import pytest

from aejax import eval as eval_lib


def test_retrieval_accuracy_uses_cosine_similarity():
    # Query 0 = (1, 0): by angle its nearest is (10, 1) (same label), by distance (0.5, 0.5).
    codes = np.array([[1.0, 0.0], [10.0, 1.0], [0.5, 0.5]])
    labels = np.array([0, 0, 1])
    acc = eval_lib.retrieval_accuracy(codes, labels, counts=(1, 2))
    # n=1, cosine: 0 -> 1 hit, 1 -> 0 hit, 2 -> 1 miss: 2/3 (Euclidean would give 1/3).
    assert acc[1] == pytest.approx(2 / 3)
    # n=2: every query sees both others: 1/2, 1/2, 0.
    assert acc[2] == pytest.approx(1 / 3)
    # Cosine ignores lengths: stretching codes changes nothing.
    stretched = codes * np.array([[5.0], [0.1], [3.0]])
    assert eval_lib.retrieval_accuracy(stretched, labels, counts=(1, 2)) == acc


def test_lsa_codes_are_coordinates_on_the_top_singular_directions():
    # log(1 + train counts) = diag(1, 3, 2): right singular vectors e2 (3), e3 (2), e1 (1).
    train = np.expm1(np.diag([1.0, 3.0, 2.0]))
    test = np.expm1(np.array([[0.5, 1.5, 2.5], [2.0, 0.5, 0.0]]))
    codes = eval_lib.lsa_codes(train, test, 2)
    np.testing.assert_allclose(np.abs(codes), [[1.5, 2.5], [0.5, 0.0]], atol=1e-12)
    assert codes[0, 0] * codes[1, 0] > 0  # one direction per component for all documents


def test_knn_accuracy_on_separated_clusters():
    train = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    test = np.array([[0.05, 0.1], [4.9, 5.2], [0.0, 0.2]])
    assert eval_lib.knn_accuracy(train, [0, 0, 1, 1], test, [0, 1, 1], 1) == pytest.approx(2 / 3)
