"""VMT vehicle trajectories (CASIA; 24 anomalies labelled by Ma et al., ACCV 2018)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import scipy.io


@dataclasses.dataclass(frozen=True, eq=False)
class Trajectories:
    """Variable-length (x, y) tracks: `tracks[i]` float64 [L_i, 2]; labels int32 [N], 1 = anomaly."""

    tracks: list
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def load_vmt(folder: Path) -> Trajectories:
    """The 1,500 VMT tracks with labels from `vmt_gt.txt` (0-based indices of the anomalies)."""
    folder = Path(folder)
    cells = scipy.io.loadmat(folder / "CASIA_tjc.mat")["tjc"]
    tracks = [np.asarray(c[0], np.float64) for c in cells]
    labels = np.zeros(len(tracks), np.int32)
    labels[np.loadtxt(folder / "vmt_gt.txt", dtype=np.int64)] = 1
    return Trajectories(tracks, labels)


def resample(track, length: int) -> np.ndarray:
    """Linearly interpolates a track [L, 2] at `length` points evenly spaced in arc length."""
    track = np.asarray(track, np.float64)
    if length < 2:
        raise ValueError(f"resample length must be at least 2, got {length}")
    step = np.linalg.norm(np.diff(track, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(step)])
    if arc[-1] == 0.0:  # a stationary track: every point is the same
        return np.repeat(track[:1], length, axis=0)
    where = np.linspace(0.0, arc[-1], length)
    return np.stack([np.interp(where, arc, track[:, k]) for k in range(track.shape[1])], axis=1)


def resampled_array(data: Trajectories, length: int) -> np.ndarray:
    """All tracks resampled to `length` points: [N, length, 2]."""
    return np.stack([resample(t, length) for t in data.tracks])
