"""The autoencoder detector: K autoencoders from different initialisations, trained side by side
under `jax.vmap` on the same batches, scored by the mean of their reconstruction errors.

The detector uses the engine's one path: its model section becomes an `aejax.models.build` config
(`model_config`: "mlp" or "conv1d"), `train_autoencoder` hands it with the registered loss
(config.loss, "squared_error") and corruption to aejax's one trainer,
`aejax.train.fit.train_autoencoder`, and reconstructions and scores come from `aejax.eval` in
host-chunked mode (`HOST_CHUNK_BATCHES` evaluation batches on the device at a time).
"""

from __future__ import annotations

import functools
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from ml_collections import ConfigDict

from aejax.anomaly.detector import Detector
from aejax.anomaly.scores import (Standardiser, check_norm, ensemble_scores, fit_error_standardiser,
                                  member_reference, rank_non_finite_highest, residual_sizes, step_scores)

PARAMS_DIR = "params"
HOST_CHUNK_BATCHES = 8  # evaluation batches sent to the device at a time
ENSEMBLE_RULES = ("mean", "standardised")


def model_config(mcfg, example_shape: tuple[int, ...]) -> dict:
    """The `aejax.models.build` config of a detector's model section for examples of
    `example_shape` ([D] vectors or [T, C] windows): kind "mlp" is model "mlp" with sizes
    (prod(example_shape),) + hidden; kind "conv" is model "conv1d"."""
    if mcfg.kind == "mlp":
        return dict(name="mlp", sizes=(int(np.prod(example_shape)),) + tuple(mcfg.hidden),
                    hidden_activation=mcfg.hidden_activation, code_activation=mcfg.code_activation,
                    output_activation=mcfg.output_activation, tied=bool(mcfg.tied),
                    kernel_init=mcfg.get("kernel_init", "lecun_normal"), init_scale=mcfg.get("init_scale", 1.0))
    if mcfg.kind == "conv":
        if len(example_shape) != 2:
            raise ValueError(f"model.kind='conv' needs windows [T, C]; this data has examples of shape {example_shape}")
        return dict(name="conv1d", channels=tuple(mcfg.channels), kernel_size=mcfg.kernel_size,
                    hidden_activation=mcfg.hidden_activation, output_activation=mcfg.output_activation)
    raise ValueError(f"unknown model.kind {mcfg.kind!r}; choose 'mlp' or 'conv'")


def engine_config(cfg, example_shape: tuple[int, ...]) -> ConfigDict:
    """The config `aejax.train.fit.train_autoencoder` reads for detector config `cfg`: its model
    (`model_config`), its loss (config.loss, default "squared_error": 1/2 the sum of squares
    between the output and the clean input), corruption (a denoising AE) and train sections."""
    return ConfigDict(dict(model=model_config(cfg.model, example_shape), loss=cfg.get("loss", "squared_error"),
                           corruption=cfg.corruption.to_dict(), train=cfg.train.to_dict()))


def build_model(cfg, example_shape: tuple[int, ...]):
    """The detector's autoencoder (`aejax.models.build`) for examples of `example_shape`."""
    from aejax import models

    return models.build(model_config(cfg.model, example_shape), example_shape)


def train_autoencoder(cfg, run, x_train, *, seed: int, tag: str, num_models: int = 0):
    """Fits the configured autoencoder (cfg.model; plain, tied with model.tied, denoising with
    corruption.name / corruption.level; cfg.train: epochs, batch size, optimizer) to x_train
    [N, ...] and returns (model, params).

    With `num_models` = M > 0, x_train is [N, M, ...] and M independent models (one per
    recording, or M ensemble members) train side by side under `jax.vmap`; params get a
    leading model axis. With a `run` (aejax.run.Run), steps are logged to its metrics and
    training resumes from run.workdir/checkpoints/<tag> when present; `run` may be None.
    """
    from aejax.train.fit import train_autoencoder as fit_autoencoder

    example_shape = tuple(x_train.shape[2:] if num_models else x_train.shape[1:])
    config = engine_config(cfg, example_shape)
    config.train.batch_size = min(cfg.train.batch_size, x_train.shape[0])
    init_rng, train_rng = jax.random.split(jax.random.PRNGKey(seed))
    trained = fit_autoencoder(config, jnp.asarray(x_train, jnp.float32), rng=train_rng, init_rng=init_rng, run=run,
                              checkpoints=run.checkpoints(f"checkpoints/{tag}") if run is not None else None,
                              desc=tag, phase=tag, members=num_models)
    return trained.model, trained.params


def take_model(params, m: int):
    """Parameters of model m from side-by-side (vmapped) parameters."""
    return jax.tree_util.tree_map(lambda a: a[m], params)


@functools.lru_cache(maxsize=None)
def member_error(whiten: bool, norm: str):
    """`error(x [B, ...], recon [B, ...], mean [C], std [C], whitening [C, C]) -> [B]` for
    `aejax.eval.reconstruction_errors`: the sum over all but the batch axis of the squared
    (norm="absolute": absolute) residuals x - recon - mean, divided by std per feature of the last
    axis (or, with `whiten`, times the whitening matrix); one function per (whiten, norm)."""

    def error(x, recon, mean, std, whitening):
        residual = (x - recon - mean) @ whitening if whiten else (x - recon - mean) / std
        return jnp.sum(residual_sizes(residual, norm).reshape(x.shape[0], -1), axis=1)

    return error


def member_scores(model, params, x, standardisers, *, norm: str = "squared", batch_size: int = 1024) -> np.ndarray:
    """Scores float64 [N, K] of K side-by-side models (params with a leading model axis) on x
    [N, ...]: member m's squared (norm="absolute": absolute) residuals, standardised by
    standardisers[m] (None: raw) per feature of the last axis (or whitened, where the
    standardisers whiten), summed over all but the batch axis; computed on the device in float32
    (`aejax.eval.reconstruction_errors`, host-chunked: only the [N, K] scores leave the device)."""
    from aejax import eval as eval_lib

    x = np.asarray(x, np.float32)
    width = x.shape[-1]
    whiten = any(st is not None and st.whitening is not None for st in standardisers)
    if whiten and not all(st is not None and st.whitening is not None for st in standardisers):
        raise ValueError("either every ensemble member's standardiser whitens or none does")
    mean = np.stack([np.zeros(width) if st is None else st.mean for st in standardisers]).astype(np.float32)
    std = np.stack([np.ones(width) if st is None else st.std for st in standardisers]).astype(np.float32)
    whitening = (np.stack([st.whitening for st in standardisers]) if whiten
                 else np.zeros((len(standardisers), 0, 0))).astype(np.float32)
    scores = eval_lib.reconstruction_errors(model, params, x, member_error(whiten, check_norm(norm)),
                                            (mean, std, whitening), batch_size=batch_size,
                                            members=len(standardisers), host_chunk=HOST_CHUNK_BATCHES * batch_size)
    return scores.astype(np.float64)


def detector_config(cfg) -> ConfigDict:
    """The parts of a run config an autoencoder detector uses: model (with model.ensemble = K),
    train, corruption, score.standardise / score.whiten / score.norm / score.ensemble and
    eval.batch_size."""
    return ConfigDict(dict(model=cfg.model.to_dict(), loss=cfg.get("loss", "squared_error"), train=cfg.train.to_dict(),
                           corruption=cfg.corruption.to_dict(),
                           score=dict(standardise=bool(cfg.score.standardise),
                                      whiten=bool(cfg.score.get("whiten", False)),
                                      norm=str(cfg.score.get("norm", "squared")),
                                      ensemble=str(cfg.score.get("ensemble", "mean"))),
                           eval=dict(batch_size=int(cfg.eval.batch_size))))


class AutoencoderDetector(Detector):
    """Reconstruction error of K = config.model.ensemble autoencoders (MLP on rows or flattened
    windows, or a 1-D conv AE on windows [T, C]).

    K = 1: score = sum of squared (score.norm="absolute": absolute) residuals, optionally
    standardised per feature. K > 1: the K members train side by side
    (`train_autoencoder(num_models=K)`), each with its own error standardiser, and the score is the
    mean of their scores (score.ensemble = "mean"), or of their scores standardised by each
    member's training scores ("standardised").
    """

    kind = "autoencoder"

    def __init__(self, config, *, seed: int = 0):
        self.config = ConfigDict(config.to_dict() if isinstance(config, ConfigDict) else config)
        self.seed = seed
        rule = self.config.score.ensemble
        if rule not in ENSEMBLE_RULES:
            raise ValueError(f"score.ensemble={rule!r} must be one of {ENSEMBLE_RULES}")
        check_norm(self._norm)

    @classmethod
    def from_config(cls, cfg, *, seed: int = 0) -> "AutoencoderDetector":
        """The detector of a run config (see `detector_config`)."""
        return cls(detector_config(cfg), seed=seed)

    @property
    def members(self) -> int:
        return int(self.config.model.get("ensemble", 1))

    @property
    def _norm(self) -> str:
        return self.config.score.get("norm", "squared")  # detectors saved before score.norm: squared

    @property
    def _batch(self) -> int:
        return self.config.eval.batch_size

    def fit(self, X, *, run=None, tag: str = "model") -> "AutoencoderDetector":
        """Trains on X [N, ...] (logging to `run`, checkpoints under checkpoints/<tag>), then
        `calibrate(X)`."""
        x = np.asarray(X)
        self.example_shape_ = tuple(x.shape[1:])
        k = self.members
        if k == 1:
            self.model_, self.params_ = train_autoencoder(self.config, run, x, seed=self.seed, tag=tag)
        else:
            self.model_, self.params_ = train_autoencoder(self.config, run, np.repeat(x[:, None], k, axis=1),
                                                          seed=self.seed, tag=tag, num_models=k)
        return self.calibrate(x)

    def fit_each(self, xs: list, *, run=None, tag: str = "model") -> list["AutoencoderDetector"]:
        """One single-model detector per training set of `xs`, trained side by side in one vmapped
        program (`train_autoencoder(num_models=len(xs))`, the same batch order for all) when the
        sets have one shape; otherwise one after another. Each is calibrated on its own set."""
        shapes = {np.shape(x) for x in xs}
        if len(shapes) > 1 or self.members > 1 or len(xs) < 2:
            return super().fit_each(xs, run=run, tag=tag)
        x = np.stack([np.asarray(x) for x in xs], axis=1)  # [N, M, ...]
        model, params = train_autoencoder(self.config, run, x, seed=self.seed, tag=tag, num_models=len(xs))
        out = []
        for i, xi in enumerate(xs):
            detector = AutoencoderDetector(self.config, seed=self.seed)
            detector.example_shape_, detector.model_ = tuple(np.shape(xi)[1:]), model
            detector.params_ = take_model(params, i)
            out.append(detector.calibrate(xi))
        return out

    def calibrate(self, X) -> "AutoencoderDetector":
        """Fits what turns the trained members' errors into scores on X [N, ...]: the residual
        standardisers (score.standardise, score.whiten), the ensemble reference (score.ensemble)
        and `train_scores_`. Training does not depend on these settings, so a trained detector
        whose score settings change and that is calibrated again scores as one fitted with them."""
        x = np.asarray(X)
        k = self.members
        score = self.config.score
        whiten = bool(score.get("whiten", False))
        if whiten and not score.standardise:
            raise ValueError("score.whiten=True needs score.standardise=True (whitening standardises the residuals)")
        if score.standardise:
            recon = self.reconstruct(x, dtype=np.float32)  # the model's float32 outputs, made float64 per member
            self.standardisers_ = [fit_error_standardiser(x, recon if k == 1 else recon[:, m], whiten=whiten)
                                   for m in range(k)]
            del recon
        else:
            self.standardisers_ = [None] * k
        self.reference_ = None
        scores_NxK = self.score_members(x)
        if score.ensemble == "standardised" and k > 1:
            self.reference_ = member_reference(scores_NxK)
        self.train_scores_ = rank_non_finite_highest(self._combine(scores_NxK))
        return self

    def reconstruct(self, X, *, dtype=np.float64) -> np.ndarray:
        """Reconstructions (float64, or `dtype`) of X: [N, ...] (K = 1) or [N, K, ...] (one per member)."""
        from aejax import eval as eval_lib

        k = self.members
        recon = eval_lib.reconstruct(self.model_, self.params_, np.asarray(X, np.float32), batch_size=self._batch,
                                     members=k if k > 1 else 0, host_chunk=HOST_CHUNK_BATCHES * self._batch)
        return recon.astype(dtype, copy=False)

    def score_members(self, X) -> np.ndarray:
        """Each member's score, [N, K] (`member_scores`)."""
        params = self.params_ if self.members > 1 else jax.tree_util.tree_map(lambda a: a[None], self.params_)
        return member_scores(self.model_, params, X, self.standardisers_, norm=self._norm, batch_size=self._batch)

    def _combine(self, scores_NxK) -> np.ndarray:
        return scores_NxK[:, 0] if self.members == 1 else ensemble_scores(scores_NxK, self.reference_)

    def _score(self, X) -> np.ndarray:
        return self._combine(self.score_members(X))

    def score_steps(self, windows_NxTxC) -> np.ndarray:
        """Per-step scores [N, T]: each step's squared (score.norm) standardised residual summed
        over channels; with K > 1, the mean over members."""
        recon = self.reconstruct(windows_NxTxC)
        if self.members == 1:
            return step_scores(windows_NxTxC, recon, self.standardisers_[0], self._norm)
        return np.mean([step_scores(windows_NxTxC, recon[:, m], st, self._norm)
                        for m, st in enumerate(self.standardisers_)], axis=0)

    def _state(self) -> dict:
        return {"config": self.config.to_dict(), "seed": self.seed, "example_shape": list(self.example_shape_),
                "standardisers": [None if st is None else st.to_dict() for st in self.standardisers_],
                "reference": None if self.reference_ is None else self.reference_.to_dict()}

    def _save_files(self, directory: Path) -> None:
        import shutil

        from aejax.ckpt import Checkpoints

        shutil.rmtree(directory / PARAMS_DIR, ignore_errors=True)  # a re-save replaces the old parameters
        checkpoints = Checkpoints(directory / PARAMS_DIR, max_to_keep=1)
        try:
            checkpoints.save(0, {"params": self.params_})
        finally:
            checkpoints.close()

    @classmethod
    def _from_state(cls, state: dict, directory: Path) -> "AutoencoderDetector":
        from aejax import models
        from aejax.ckpt import Checkpoints

        detector = cls(state["config"], seed=state["seed"])
        detector.example_shape_ = tuple(state["example_shape"])
        detector.model_ = model = build_model(detector.config, detector.example_shape_)
        init = lambda key: models.init(model, key, detector.example_shape_)  # noqa: E731
        k = detector.members
        keys = jax.random.split(jax.random.PRNGKey(0), k) if k > 1 else jax.random.PRNGKey(0)
        template = jax.eval_shape(jax.vmap(init) if k > 1 else init, keys)
        checkpoints = Checkpoints(directory / PARAMS_DIR)
        try:
            restored, _ = checkpoints.restore({"params": template})
        finally:
            checkpoints.close()
        detector.params_ = restored["params"]
        detector.standardisers_ = [None if st is None else Standardiser.from_dict(st)
                                   for st in state["standardisers"]]
        detector.reference_ = None if state["reference"] is None else Standardiser.from_dict(state["reference"])
        return detector


def describe(config) -> str:
    """One line naming the autoencoder of a detector config."""
    m = config.model
    body = (f"MLP hidden {tuple(m.hidden)}, {m.hidden_activation}" if m.kind == "mlp"
            else f"1-D conv AE channels {tuple(m.channels)}, kernel {m.kernel_size}, {m.hidden_activation}")
    k = int(m.get("ensemble", 1))
    return (f"{body}; {config.train.epochs} epochs, batch {config.train.batch_size}"
            + (f"; mean score of {k} members" if k > 1 else "")
            + ("; residuals whitened by their training covariance" if config.score.get("whiten", False)
               else "; residuals standardised per feature" if config.score.standardise else "")
            + ("; scores sum absolute residuals" if config.score.get("norm", "squared") == "absolute" else ""))

