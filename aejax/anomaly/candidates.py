"""Scores of table-detector candidates (settings of aejax.anomaly.settings.TABLE_GRID) on benchmark
cells, each fitted as `aejax anomaly fit` fits it, with every derived score cached.

One training per (cell, protocol, training setting): its members' reconstructions are scored in
every way of scoring its errors (residuals raw / standardised / whitened x norm squared /
absolute), which gives what a fit with that setting gives (AutoencoderDetector.calibrate; here in
float64, on the device in float32). A candidate with
a partner combines those scores with the partner's (fitted once per cell, protocol and scaling) as
aejax.anomaly.combined does, so no candidate is ever trained twice.

    scores = candidate_scores(store, cell, "unsupervised", setting)   # {"train": [N], "test": [M]}
"""

from __future__ import annotations

import itertools

import numpy as np

from aejax.anomaly.benchmark import Cell, ScoreStore
from aejax.anomaly.combined import combine, robust_reference
from aejax.anomaly.tables import TabularPreprocessor, numeric_table

SCORE_VARIANTS = (("residuals", ("raw", "standardised", "whitened")), ("norm", ("squared", "absolute")))


def features(cell: Cell, protocol: str, scaling: str) -> tuple[np.ndarray, np.ndarray]:
    """(training features [N, D], test features [M, D]) float32: the protocol's training rows and the
    test rows through a TabularPreprocessor fitted on the training rows, as `aejax anomaly fit` does."""
    x_train = cell.training(protocol)
    pre = TabularPreprocessor.fit(numeric_table(x_train, np.zeros(len(x_train))), scaling=scaling)
    return (pre.transform(numeric_table(x_train, np.zeros(len(x_train)))),
            pre.transform(numeric_table(cell.x_test, cell.y_test)))


def _config(setting: dict, seed: int):
    from aejax.anomaly.settings import table_candidate, user_config

    cfg = table_candidate(user_config("table"), {**setting, "partner": "none"})
    cfg.protocol.seeds = (seed,)
    return cfg


def fit_autoencoder(setting: dict, x_train, seed: int):
    """The autoencoder `aejax anomaly fit` fits for `setting` on features x_train [N, D] (sized to
    them; its partner, if any, left out)."""
    from aejax.anomaly.fit_file import sized_detector

    detector, _, _ = sized_detector(_config(setting, seed), window=None, per_series=False,
                                    series_windows=len(x_train), features=x_train.shape[1])
    return detector.fit(x_train)


def ae_method(setting: dict) -> str:
    from aejax.anomaly.settings import training_name

    return f"ae:{training_name(setting)}-{setting['residuals']}-{setting['norm']}"


def variant_scores(x_train, recon_train, x_test, recon_test, residuals: str, norm: str) -> tuple[np.ndarray, np.ndarray]:
    """(training scores [N], test scores [M]) of an ensemble from its members' reconstructions
    [N, K, D] / [M, K, D], scored as (residuals, norm) say: what AutoencoderDetector.calibrate and
    score compute (mean over members of each member's summed residual sizes), here in float64."""
    from aejax.anomaly.scores import fit_error_standardiser, residual_sizes
    from aejax.anomaly.settings import RESIDUALS

    standardise, whiten = RESIDUALS[residuals]
    train, test = [], []
    for m in range(recon_train.shape[1]):
        st = fit_error_standardiser(x_train, recon_train[:, m], whiten=whiten) if standardise else None
        for x, recon, out in ((x_train, recon_train[:, m], train), (x_test, recon_test[:, m], test)):
            r = np.asarray(x, np.float64) - recon
            out.append(residual_sizes(r if st is None else st.apply(r), norm).sum(axis=1))
    return np.mean(train, axis=0), np.mean(test, axis=0)


def autoencoder_scores(store: ScoreStore, cell: Cell, protocol: str, setting: dict) -> dict:
    """The autoencoder's {"train", "test"} scores for `setting` on `cell`: trained once per training
    setting, every scoring variant (`variant_scores`) stored on the way."""
    method = ae_method(setting)
    known = store.get(cell, protocol, method)
    if known is not None:
        return known
    x_train, x_test = features(cell, protocol, setting["scaling"])
    detector = fit_autoencoder(setting, x_train, cell.seed)
    recon_train, recon_test = detector.reconstruct(x_train), detector.reconstruct(x_test)
    if detector.members == 1:
        recon_train, recon_test = recon_train[:, None], recon_test[:, None]
    keys, values = zip(*SCORE_VARIANTS)
    for combo in itertools.product(*values):
        variant = {**setting, **dict(zip(keys, combo))}
        train, test = variant_scores(x_train, recon_train, x_test, recon_test, variant["residuals"], variant["norm"])
        store.put(cell, protocol, ae_method(variant), train=train, test=test)
    return store.get(cell, protocol, method)


def partner_detector(partner: str, seed: int):
    """The unfitted library detector of combine.partner `partner`."""
    from aejax.anomaly.iforest import IForestDetector
    from aejax.anomaly.knn import KNNDetector
    from aejax.anomaly.pca import PCADetector

    if partner == "iforest":
        return IForestDetector(seed=seed)
    if partner == "knn":
        return KNNDetector(seed=seed)
    if partner == "pca":
        return PCADetector()
    raise ValueError(f"unknown partner detector {partner!r}; choose iforest, knn or pca")


def partner_scores(store: ScoreStore, cell: Cell, protocol: str, partner: str, scaling: str) -> dict:
    """{"train", "test"} scores of a partner detector on the cell's features scaled by `scaling`."""
    method = f"lib:{partner}-{scaling}"
    known = store.get(cell, protocol, method)
    if known is None:
        x_train, x_test = features(cell, protocol, scaling)
        detector = partner_detector(partner, cell.seed).fit(x_train)
        store.put(cell, protocol, method, train=detector.train_scores_, test=detector.score(x_test))
        known = store.get(cell, protocol, method)
    return known


def candidate_scores(store: ScoreStore, cell: Cell, protocol: str, setting: dict) -> dict:
    """{"train", "test"} scores of a candidate (an autoencoder, or its combination with a partner)."""
    ae = autoencoder_scores(store, cell, protocol, setting)
    partner = setting.get("partner", "none")
    if partner == "none":
        return ae
    other = partner_scores(store, cell, protocol, partner, setting["scaling"])
    weight = float(setting.get("weight", 0.5))
    weights = {"ae": weight, partner: 1.0 - weight}
    references = {"ae": robust_reference(ae["train"]), partner: robust_reference(other["train"])}
    with np.errstate(invalid="ignore"):
        return {split: combine({"ae": ae[split], partner: other[split]}, references, weights)
                for split in ("train", "test")}


def table_aurocs(table, settings: list[dict], seed: int = 0) -> list[float]:
    """AUROC on a labelled table's own rows of each candidate fitted on them without labels, as
    `aejax anomaly fit --label` reports it: one training per training setting, every scoring and
    partner derived from it (the selection's check of the sensor case, aejax.anomaly.sensors)."""
    from aejax.anomaly.combined import combine, robust_reference
    from aejax.anomaly.metrics import auroc

    out, trained, partners = [], {}, {}
    for setting in settings:
        key = tuple(setting[k] for k in ("scaling", "code", "budget", "steps", "noise"))
        x = TabularPreprocessor.fit(table, scaling=setting["scaling"]).transform(table)
        if key not in trained:
            detector = fit_autoencoder(setting, x, seed)
            recon = detector.reconstruct(x)
            trained[key] = recon if detector.members > 1 else recon[:, None]
        ae, _ = variant_scores(x, trained[key], x[:1], trained[key][:1], setting["residuals"], setting["norm"])
        partner = setting.get("partner", "none")
        if partner == "none":
            out.append(auroc(table.labels, ae))
            continue
        if (partner, setting["scaling"]) not in partners:
            partners[partner, setting["scaling"]] = partner_detector(partner, seed).fit(x).train_scores_
        other = partners[partner, setting["scaling"]]
        weight = float(setting.get("weight", 0.5))
        refs = {"ae": robust_reference(ae), partner: robust_reference(other)}
        out.append(auroc(table.labels, combine({"ae": ae, partner: other}, refs, {"ae": weight, partner: 1 - weight})))
    return out
