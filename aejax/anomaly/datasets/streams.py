"""Time series with point labels (NAB streams, SKAB experiments); windows over them: aejax.anomaly.windows."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np


@dataclasses.dataclass(frozen=True, eq=False)
class Series:
    """One recording: values float64 [L, C] (C channels), labels int32 [L] (1 = anomalous point)."""

    name: str
    values: np.ndarray
    labels: np.ndarray
    channels: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)


# ------------------------------------------------------------------------------------------- SKAB

SKAB_GROUPS = ("valve1", "valve2", "other")


def _read_semicolon_csv(path: Path) -> tuple[list[str], np.ndarray]:
    lines = Path(path).read_text().splitlines()
    header = lines[0].split(";")
    rows = [line.split(";")[1:] for line in lines[1:] if line.strip()]  # drop the datetime column
    return header[1:], np.asarray(rows, dtype=np.float64)


def load_skab(folder: Path) -> list[Series]:
    """The 34 labelled SKAB experiments (valve1, valve2, other; numeric file order), 8 sensors each."""
    out = []
    for group in SKAB_GROUPS:
        files = sorted((Path(folder) / "data" / group).glob("*.csv"), key=lambda p: int(p.stem))
        for path in files:
            header, table = _read_semicolon_csv(path)
            anomaly = header.index("anomaly")
            channels = tuple(h for h in header if h not in ("anomaly", "changepoint"))
            values = table[:, [header.index(c) for c in channels]]
            out.append(Series(f"{group}/{path.stem}", values, table[:, anomaly].astype(np.int32), channels))
    return out


# -------------------------------------------------------------------------------------------- NAB

NAB_KNOWN_CAUSE = "realKnownCause"
# the other real-world folders: development streams for the series detector, disjoint from realKnownCause
NAB_OTHER_REAL = ("realAWSCloudwatch", "realAdExchange", "realTraffic", "realTweets")


def load_nab(folder: Path, groups=(NAB_KNOWN_CAUSE,)) -> list[Series]:
    """NAB streams of the given folders (default the 7 realKnownCause files used by TranAD);
    a point is labelled 1 when its timestamp lies inside one of the file's anomaly windows."""
    folder = Path(folder)
    windows = json.loads((folder / "labels" / "combined_windows.json").read_text())
    out = []
    for group in groups:
        for path in sorted((folder / "data" / group).glob("*.csv")):
            lines = path.read_text().splitlines()[1:]
            stamps = np.asarray([line.split(",")[0] for line in lines], dtype="datetime64[s]")
            values = np.asarray([line.split(",")[1] for line in lines], dtype=np.float64)[:, None]
            labels = np.zeros(len(stamps), np.int32)
            for start, end in windows[f"{group}/{path.name}"]:
                labels[(stamps >= np.datetime64(start, "s")) & (stamps <= np.datetime64(end, "s"))] = 1
            out.append(Series(f"{group}/{path.stem}", values, labels, ("value",)))
    return out
