"""ADBench's four synthetic anomaly types (Han et al. 2022, §3.3; `data_generator.py` of its repository),
generated from the normal rows of a real set: `generate(x_normal, kind, normals=, anomalies=, seed=)`.

- local: normal rows from a Gaussian mixture fitted to the normal rows (components 1-9 chosen by
  BIC), anomalies from the same mixture with every covariance multiplied by 5;
- clustered: anomalies from the mixture with every mean multiplied by 5;
- global: anomalies uniform per feature on [1.1 x min, 1.1 x max] of the generated normal rows;
- dependency: anomalies draw each feature independently from its own Gaussian kernel density
  estimate (Scott's bandwidth); normal rows draw the same per-feature samples and reorder them so
  that they follow a Gaussian copula fitted to the normal rows (the correlation of their normal
  scores). Both share every marginal; only the dependence between features tells them apart.
  ADBench fits a vine copula (the `copulas` package) instead; on this project's CPU it takes
  minutes per set (thyroid's 6 features: 177 s to sample 1,000 rows), so every set uses the
  Gaussian copula.

As ADBench does, sets with more than MAX_FEATURES features keep a random MAX_FEATURES of them
(ADBench: for the copula only; here for every type, which keeps the mixtures' fits short).
Everything is drawn from `numpy.random.default_rng((seed, type))` and scikit-learn's `random_state=seed`.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats
from threadpoolctl import threadpool_limits

KINDS = ("local", "clustered", "global", "dependency")
MAX_FEATURES = 50
MAX_COMPONENTS = 9
ALPHA = 5.0  # local: covariance factor; clustered: mean factor (ADBench's alpha)
PERCENTAGE = 0.1  # global: the range [(1 + p) min, (1 + p) max] (ADBench's percentage)


def keep_features(x, seed: int, limit: int = MAX_FEATURES) -> np.ndarray:
    """Column indices kept for generation: all when x has at most `limit` columns, else a random
    `limit` of them (sorted)."""
    d = np.shape(x)[1]
    if d <= limit:
        return np.arange(d)
    return np.sort(np.random.default_rng(seed).choice(d, limit, replace=False))


def fit_mixture(x, seed: int, max_components: int = MAX_COMPONENTS):
    """The scikit-learn GaussianMixture (full covariances) with the lowest BIC on x [N, D] among
    1..max_components components."""
    from sklearn.mixture import GaussianMixture

    best, best_bic = None, np.inf
    with threadpool_limits(1):  # small matrices: one BLAS thread is many times faster on a busy CPU
        for k in range(1, min(max_components, len(x)) + 1):
            gm = GaussianMixture(n_components=k, random_state=seed).fit(x)
            bic = gm.bic(x)
            if bic < best_bic:
                best, best_bic = gm, bic
    return best


def sample_mixture(weights, means, covariances, n: int, rng) -> np.ndarray:
    """n rows [n, D] from the mixture of Gaussians (weights [K], means [K, D], covariances [K, D, D])."""
    counts = rng.multinomial(n, np.asarray(weights) / np.sum(weights))
    rows = [rng.multivariate_normal(means[k], covariances[k], size=c, method="eigh") for k, c in enumerate(counts) if c]
    out = np.concatenate(rows) if rows else np.zeros((0, np.shape(means)[1]))
    return out[rng.permutation(n)]


def global_anomalies(x_normal, n: int, rng, percentage: float = PERCENTAGE) -> np.ndarray:
    """n rows uniform per feature on [(1 + percentage) min, (1 + percentage) max] of x_normal's columns."""
    low, high = (1 + percentage) * x_normal.min(axis=0), (1 + percentage) * x_normal.max(axis=0)
    return rng.uniform(low, high, size=(n, x_normal.shape[1]))


def kde_samples(column, n: int, rng) -> np.ndarray:
    """n draws from the Gaussian kernel density estimate of one column (Scott's bandwidth): a
    random data point plus kernel noise. A constant column gives its value."""
    column = np.asarray(column, np.float64)
    if np.ptp(column) == 0:
        return np.full(n, column[0])
    return stats.gaussian_kde(column).resample(n, seed=rng)[0]


def normal_scores(x) -> np.ndarray:
    """Each column's ranks mapped to standard normal quantiles, [N, D] (ties get their mean rank)."""
    ranks = stats.rankdata(x, axis=0)
    return special.ndtri(ranks / (len(x) + 1))


def copula_correlation(x) -> np.ndarray:
    """The Gaussian copula's correlation [D, D]: that of x's normal scores; a constant column is
    uncorrelated with the others."""
    z = normal_scores(x)
    sd = z.std(axis=0)
    z = np.where(sd > 0, (z - z.mean(axis=0)) / np.where(sd > 0, sd, 1.0), 0.0)
    corr = z.T @ z / len(z)
    corr[np.diag_indices_from(corr)] = 1.0
    return corr


def reorder_by_copula(columns_NxD, correlation, rng) -> np.ndarray:
    """Independent column samples [N, D] reordered so that their ranks follow a Gaussian copula
    with `correlation`: each column keeps its values (and so its marginal)."""
    n, d = columns_NxD.shape
    values, vectors = np.linalg.eigh(correlation)
    z = rng.standard_normal((n, d)) @ (vectors * np.sqrt(np.maximum(values, 0.0))).T
    out = np.empty_like(columns_NxD)
    for j in range(d):
        out[np.argsort(z[:, j], kind="stable"), j] = np.sort(columns_NxD[:, j])
    return out


def generate(x_normal, kind: str, *, normals: int, anomalies: int, seed: int,
             mixture=None) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic set of anomaly type `kind` built from normal rows x_normal [N, D]: rows float64
    [normals + anomalies, D'] (normal rows first; D' = D up to MAX_FEATURES kept columns) and
    labels int32 (1 = anomaly). `mixture`: `fit_mixture(x_normal[:, keep_features(x_normal, seed)],
    seed)` when already fitted (local, clustered and global share it). Each type draws from its own
    stream of `seed`."""
    if kind not in KINDS:
        raise ValueError(f"unknown synthetic anomaly type {kind!r}; choose one of {KINDS}")
    x = np.asarray(x_normal, np.float64)
    x = x[:, keep_features(x, seed)]
    rng = np.random.default_rng((seed, KINDS.index(kind)))
    if kind == "dependency":
        columns = np.stack([kde_samples(x[:, j], normals + anomalies, rng) for j in range(x.shape[1])], axis=1)
        normal_rows = reorder_by_copula(columns[:normals], copula_correlation(x), rng)
        anomalous_rows = columns[normals:]
    else:
        gm = mixture if mixture is not None else fit_mixture(x, seed)
        normal_rows = sample_mixture(gm.weights_, gm.means_, gm.covariances_, normals, rng)
        if kind == "local":
            anomalous_rows = sample_mixture(gm.weights_, gm.means_, ALPHA * gm.covariances_, anomalies, rng)
        elif kind == "clustered":
            anomalous_rows = sample_mixture(gm.weights_, ALPHA * gm.means_, gm.covariances_, anomalies, rng)
        else:
            anomalous_rows = global_anomalies(normal_rows, anomalies, rng)
    labels = np.concatenate([np.zeros(normals, np.int32), np.ones(anomalies, np.int32)])
    return np.concatenate([normal_rows, anomalous_rows]), labels
