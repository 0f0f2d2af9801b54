"""Clustering of autoencoder codes: k-means on codes vs on PCA components vs on raw pixels.

Task "cluster". A stacked (denoising) autoencoder (`config.pretrain`, optionally fine-tuned end
to end) is trained on `cluster.train_split` without labels; k-means (scikit-learn) then clusters
the codes of `cluster.split`, and, as baselines, its first `cluster.pca_components` principal
components (PCA fitted on the training split) and its raw pixels. Scores: cluster accuracy (best
one-to-one matching of clusters to classes, Hungarian algorithm) and normalised mutual information.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import confusion_matrix, normalized_mutual_info_score

from aejax import data, eval as eval_lib, tasks
from aejax.train import stacked


def cluster_accuracy(labels: np.ndarray, clusters: np.ndarray) -> float:
    """Fraction of examples whose cluster maps to their class under the one-to-one map of
    clusters to classes that maximises it (`scipy.optimize.linear_sum_assignment`).
    labels, clusters: int [N]; the numbers of clusters and classes may differ."""
    labels, clusters = np.asarray(labels), np.asarray(clusters)
    if labels.shape != clusters.shape:
        raise ValueError(f"labels {labels.shape} and clusters {clusters.shape} must have the same shape")
    ids = np.union1d(labels, clusters)
    counts = confusion_matrix(clusters, labels, labels=ids)  # [cluster, class]
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, cols].sum() / len(labels))


def kmeans_scores(features: np.ndarray, labels: np.ndarray, n_clusters: int, n_init: int, seed: int) -> dict:
    """k-means on features [N, F]: {"accuracy", "nmi"} against labels [N]."""
    clusters = KMeans(n_clusters=n_clusters, n_init=n_init, random_state=seed).fit_predict(np.asarray(features, np.float64))
    return {"accuracy": cluster_accuracy(labels, clusters), "nmi": float(normalized_mutual_info_score(labels, clusters))}


@tasks.register("cluster")
def run_cluster(cfg, run) -> dict:
    c = cfg.cluster
    unknown = set(c.baselines) - {"pca", "pixels"}
    if unknown:
        raise ValueError(f"cluster.baselines {tuple(c.baselines)}: choose among 'pca' and 'pixels'")
    train = data.load(cfg.data.name, c.train_split, data_dir=cfg.data.data_dir)
    target = data.load(cfg.data.name, c.split, data_dir=cfg.data.data_dir)
    params = stacked.pretrain_stack(cfg, run, train.x)
    if params is None:
        raise ValueError("cluster needs an autoencoder; set pretrain.kind to 'ae' or 'rbm'")
    features = {"codes": np.asarray(eval_lib.encode(stacked.stacked_autoencoder(cfg), params, target.x,
                                                    batch_size=cfg.eval.batch_size))}
    if "pca" in c.baselines:
        features["pca"] = PCA(c.pca_components, random_state=cfg.seed).fit(train.x).transform(target.x)
    if "pixels" in c.baselines:
        features["pixels"] = target.x
    metrics, rows = {}, ["| features | dimensions | cluster accuracy | NMI |", "|---|---:|---:|---:|"]
    for name, f in features.items():
        scores = kmeans_scores(f, target.y, c.n_clusters, c.n_init, cfg.seed)
        metrics[f"accuracy_{name}"], metrics[f"nmi_{name}"] = scores["accuracy"], scores["nmi"]
        rows.append(f"| {name} | {f.shape[1]} | {scores['accuracy']:.4f} | {scores['nmi']:.4f} |")
        run.print(f"[cluster] k-means on {name}: accuracy {scores['accuracy']:.4f}, NMI {scores['nmi']:.4f}")
    notes = [f"Autoencoder {tuple(cfg.model.sizes)} trained on {c.train_split} ({len(train.x)} images, no labels); "
             f"k-means (k = {c.n_clusters}, {c.n_init} restarts) on {c.split} ({len(target.x)} images)."]
    return {"metrics": metrics, "tables": {"k-means on codes vs baselines": "\n".join(rows)}, "notes": notes}
