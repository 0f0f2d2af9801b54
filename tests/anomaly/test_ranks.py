"""Average ranks and the cross-validation over sets that chooses a default (aejax.anomaly.ranks)."""

import numpy as np
import pytest

from aejax.anomaly import ranks


def test_ranks_are_one_for_the_best_and_ties_share_their_mean_rank():
    auroc = np.array([[0.9, 0.5], [0.8, 0.7], [0.8, 0.6]])  # 3 methods x 2 tasks
    np.testing.assert_array_equal(ranks.task_ranks(auroc), [[1, 3], [2.5, 1], [2.5, 2]])


def test_a_candidate_is_ranked_against_the_baselines_alone():
    baselines = np.array([[0.9, 0.5, 0.7], [0.8, 0.7, 0.7]])  # 2 baselines x 3 tasks
    candidates = np.array([[0.85, 0.9, 0.7], [0.95, 0.4, 0.6]])
    # candidate 0: one baseline above on task 0 (rank 2), none on task 1 (1), a tie with both on task 2 (2)
    np.testing.assert_array_equal(ranks.ranks_against(candidates, baselines), [[2, 1, 2], [1, 3, 3]])


def test_folds_hold_every_set_once_in_near_equal_sizes():
    sets = [f"s{i}" for i in range(31)]
    folds = ranks.set_folds(sets, 5)
    assert sorted(s for f in folds for s in f) == sorted(sets)
    assert sorted(len(f) for f in folds) == [6, 6, 6, 6, 7]
    assert folds == ranks.set_folds(sets, 5)  # seeded
    with pytest.raises(ValueError, match="5 folds need between 2 and 3"):
        ranks.set_folds(sets[:3], 5)


def test_the_choice_for_a_fold_never_looks_at_its_own_sets():
    # candidate 0 beats the baseline (0.5) on sets w, x, y; candidate 1 only on z; w has two scenarios
    tasks = ["w", "w", "x", "y", "z"]
    baselines = np.full((1, 5), 0.5)
    cands = np.array([[0.9, 0.9, 0.9, 0.9, 0.4], [0.4, 0.4, 0.4, 0.4, 0.6]])
    folds = [("w",), ("x",), ("y",), ("z",)]
    assert ranks.cross_validate(cands, baselines, tasks, folds) == [0, 0, 0, 0]
    np.testing.assert_array_equal(ranks.cross_validated(cands, tasks, folds, [0, 0, 0, 1]), [0.9, 0.9, 0.9, 0.9, 0.6])
    # however well candidate 1 does on z, the choice for z is made on w, x and y
    cands[1, 4], cands[0, 4] = 1.0, 0.0
    assert ranks.cross_validate(cands, baselines, tasks, folds)[3] == 0
    # and on the others it follows the other sets: candidate 1 best on x, y and z now wins held-out w
    cands[1, 2:4] = 0.95
    assert ranks.cross_validate(cands, baselines, tasks, folds)[0] == 1


def test_ties_in_rank_go_to_the_higher_mean_auroc_then_the_first_listed():
    baselines = np.full((1, 2), 0.5)
    cands = np.array([[0.6, 0.6], [0.9, 0.7], [0.9, 0.7]])  # all rank 1 on both tasks
    assert ranks.best_by_rank(cands, baselines, [0, 1]) == 1
