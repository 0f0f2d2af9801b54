"""Average ranks over tasks, as ADBench compares methods, and the cross-validation over sets that
chooses a default by them. A task is one (set, scenario); a method's AUROC on it is its mean over seeds.

    ranks = task_ranks(auroc_MxT)                  # [M, T]: 1 = best, ties share their mean rank
    folds = set_folds(sets, 5)                     # each set held out once
    choice = best_by_rank(candidate_auroc_CxT, baseline_auroc_BxT, columns)   # index of the best candidate
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def task_ranks(auroc_MxT) -> np.ndarray:
    """Rank of each of M methods on each of T tasks [M, T] (1 = highest AUROC; ties get the mean
    of the ranks they span, as scipy.stats.rankdata's "average")."""
    auroc = np.asarray(auroc_MxT, np.float64)
    return stats.rankdata(-auroc, axis=0, method="average")


def ranks_against(candidate_auroc_CxT, baseline_auroc_BxT) -> np.ndarray:
    """[C, T]: each candidate's rank on each task among the B baselines and itself alone (other
    candidates do not count): 1 + the baselines above it + half of those tied with it."""
    cand = np.asarray(candidate_auroc_CxT, np.float64)[:, None, :]  # [C, 1, T]
    base = np.asarray(baseline_auroc_BxT, np.float64)[None, :, :]  # [1, B, T]
    return 1.0 + (base > cand).sum(axis=1) + 0.5 * (base == cand).sum(axis=1)


def set_folds(sets, k: int = 5, seed: int = 0) -> list[tuple[str, ...]]:
    """`sets` split into k folds of sizes differing by at most one, by a seeded shuffle; each fold
    keeps the sets' listed order."""
    sets = list(sets)
    if not 2 <= k <= len(sets):
        raise ValueError(f"{k} folds need between 2 and {len(sets)} (the number of sets)")
    order = np.random.default_rng(seed).permutation(len(sets))
    return [tuple(sets[i] for i in sorted(order[f::k])) for f in range(k)]


def best_by_rank(candidate_auroc_CxT, baseline_auroc_BxT, columns) -> int:
    """Index of the candidate with the best (lowest) mean rank against the baselines over the task
    columns `columns` (indices or a mask); ties go to the higher mean AUROC there, then to the
    candidate listed first."""
    cand = np.asarray(candidate_auroc_CxT, np.float64)[:, columns]
    rank = ranks_against(cand, np.asarray(baseline_auroc_BxT, np.float64)[:, columns]).mean(axis=1)
    order = np.lexsort((np.arange(len(rank)), -cand.mean(axis=1), rank))
    return int(order[0])


def cross_validate(candidate_auroc_CxT, baseline_auroc_BxT, task_sets, folds) -> list[int]:
    """For each fold of sets, the candidate best (`best_by_rank`) on the tasks of the *other* sets:
    task_sets [T] names each task's set; the held-out sets' labels never take part in the choice."""
    task_sets = np.asarray(task_sets)
    return [best_by_rank(candidate_auroc_CxT, baseline_auroc_BxT, ~np.isin(task_sets, list(fold))) for fold in folds]


def cross_validated(candidate_auroc_CxT, task_sets, folds, choices) -> np.ndarray:
    """[T]: each task's AUROC by the candidate its fold chose (`cross_validate`)."""
    cand = np.asarray(candidate_auroc_CxT, np.float64)
    task_sets = np.asarray(task_sets)
    out = np.full(cand.shape[1], np.nan)
    for fold, choice in zip(folds, choices):
        held = np.isin(task_sets, list(fold))
        out[held] = cand[choice, held]
    return out
