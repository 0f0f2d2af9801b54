"""Detectors from a config: the autoencoder and the baselines every anomaly run reports beside it.

`table_detector(cfg)`: the named table detector of `aejax anomaly fit`. Methods by name: "ae"
(`AutoencoderDetector.from_config(cfg)`), "pca" (PCA reconstruction error,
`baselines.pca_components` components), "iforest" (Isolation Forest), and where asked,
"pca_code" (PCA with the AE's code width) and "pca_pyod" (PCA as PyOD scores it).
"""

from __future__ import annotations

from aejax.anomaly.detector import Detector
from aejax.anomaly.iforest import IForestDetector
from aejax.anomaly.pca import PCADetector, PCAReconstructionDetector

METHODS = ("ae", "pca", "iforest")
CODE_WIDTH_PCA = "pca_code"  # extra tabular method: PCA with the AE's code width beside the main PCA
PYOD_PCA = "pca_pyod"  # extra tabular method: PCA scored as PyOD (and ADBench) score it


def autoencoder(cfg, *, seed: int):
    """The autoencoder detector of run config `cfg` (imports jax)."""
    from aejax.anomaly.ae_detector import AutoencoderDetector

    return AutoencoderDetector.from_config(cfg, seed=seed)


def table_detector(cfg, *, seed: int) -> Detector:
    """The table detector `cfg.detector` names (aejax.anomaly.settings.DETECTORS): "iforest", "knn" or
    "pca" alone, or the autoencoder of `cfg` ("default", "autoencoder"), combined with its
    `combine.partner` when it has one (aejax.anomaly.combined)."""
    from aejax.anomaly.candidates import partner_detector
    from aejax.anomaly.combined import CombinedDetector

    name = cfg.get("detector", "default")
    if name in ("iforest", "knn", "pca"):
        return partner_detector(name, seed)
    ae = autoencoder(cfg, seed=seed)
    partner = cfg.get("combine", {}).get("partner", "none")
    if partner == "none":
        return ae
    weight = float(cfg.combine.weight)
    return CombinedDetector({"autoencoder": ae, partner: partner_detector(partner, seed)},
                            {"autoencoder": weight, partner: 1.0 - weight})


def code_width_components(cfg, num_features: int) -> int:
    """The MLP AE's code width (at most num_features - 1): PCA as the linear AE with the same bottleneck."""
    return int(min(cfg.model.hidden[-1], num_features - 1))


def pca_components(cfg, num_features: int) -> int | float:
    """`baselines.pca_components`: a count (>= 1), a variance fraction (< 1), or 0 for the MLP
    AE's code width, making PCA the linear autoencoder with the same bottleneck."""
    value = float(cfg.baselines.pca_components)
    if value == 0:
        return code_width_components(cfg, num_features)
    return int(value) if value >= 1 else value


def baselines(cfg, num_features: int, *, seed: int, extra: bool = False) -> dict[str, Detector]:
    """Unfitted baseline detectors by method name. With `extra` (tabular runs), also "pca_code"
    when `baselines.pca_code_width` asks for it and the main PCA has another width, and
    "pca_pyod" when `baselines.pca_pyod` asks for it."""
    out: dict[str, Detector] = {"pca": PCAReconstructionDetector(pca_components(cfg, num_features)),
                                "iforest": IForestDetector(seed=seed)}
    if extra and cfg.baselines.get("pca_code_width", False) and float(cfg.baselines.pca_components) != 0:
        out[CODE_WIDTH_PCA] = PCAReconstructionDetector(code_width_components(cfg, num_features))
    if extra and cfg.baselines.get("pca_pyod", False):
        out[PYOD_PCA] = PCADetector()
    return out


def pca_note(cfg) -> str:
    """How the run's PCA baselines choose their components, in words."""
    value = float(cfg.baselines.pca_components)
    if value == 0:
        main = "as many components as the AE's code width"
    elif value < 1:
        main = f"the fewest components explaining {value:.0%} of the training variance"
    else:
        main = f"{int(value)} components"
    if cfg.baselines.get("pca_code_width", False) and value != 0:
        main += f"; {CODE_WIDTH_PCA}: as many components as the AE's code width"
    if cfg.baselines.get("pca_pyod", False):
        main += (f"; {PYOD_PCA}: PyOD's PCA score (standardised rows, distances to every principal direction "
                 "weighted by its inverse explained-variance ratio), as ADBench reports PCA")
    return main
