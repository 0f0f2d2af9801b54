"""Network-intrusion tables: NSL-KDD and KDD Cup 1999 (10 %), 41 connection features each.

NSL-KDD: 43 comma-separated fields (41 features, attack name, difficulty); label 1 = attack.
KDD Cup 99 10 % ("KDDCUP" of DAGMM): 42 fields (41 features, attack name with a trailing dot);
because attacks are the majority, **"normal." is the anomaly** (label 1, 19.7 % of rows).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from aejax.anomaly.tables import CATEGORICAL, NUMERIC, Table, table_from_records

FEATURES = (
    "duration", "protocol_type", "service", "flag", "src_bytes", "dst_bytes", "land",
    "wrong_fragment", "urgent", "hot", "num_failed_logins", "logged_in", "num_compromised",
    "root_shell", "su_attempted", "num_root", "num_file_creations", "num_shells",
    "num_access_files", "num_outbound_cmds", "is_host_login", "is_guest_login", "count",
    "srv_count", "serror_rate", "srv_serror_rate", "rerror_rate", "srv_rerror_rate",
    "same_srv_rate", "diff_srv_rate", "srv_diff_host_rate", "dst_host_count",
    "dst_host_srv_count", "dst_host_same_srv_rate", "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate", "dst_host_srv_diff_host_rate", "dst_host_serror_rate",
    "dst_host_srv_serror_rate", "dst_host_rerror_rate", "dst_host_srv_rerror_rate",
)
CATEGORICAL_FEATURES = ("protocol_type", "service", "flag")
KINDS = tuple(CATEGORICAL if f in CATEGORICAL_FEATURES else NUMERIC for f in FEATURES)
# Heavy-tailed counts (bytes up to ~1e9, durations up to ~6e4 s) are log1p-transformed before scaling.
LOG1P_FEATURES = ("duration", "src_bytes", "dst_bytes")

NSL_KDD_FILES = {"train": "KDDTrain+_20Percent.txt", "test+": "KDDTest+.txt", "test-21": "KDDTest-21.txt"}
KDDCUP99_FILE = "kddcup.data_10_percent.gz"


def parse_records(lines, *, num_trailing: int) -> tuple[list[list[str]], list[str]]:
    """Splits comma-separated lines into 41 feature fields and the attack name."""
    records, names = [], []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        fields = line.split(",")
        if len(fields) != len(FEATURES) + num_trailing:
            raise ValueError(f"line {number}: {len(fields)} fields, expected {len(FEATURES) + num_trailing}")
        records.append(fields[: len(FEATURES)])
        names.append(fields[len(FEATURES)])
    return records, names


def nsl_kdd_table(lines) -> Table:
    """A Table from NSL-KDD lines; label 1 for every attack (name != "normal")."""
    records, names = parse_records(lines, num_trailing=2)
    return table_from_records(records, FEATURES, KINDS, np.asarray(names) != "normal")


def load_nsl_kdd(folder: Path) -> dict[str, Table]:
    """{"train": KDDTrain+_20Percent, "test+": KDDTest+, "test-21": KDDTest-21} as Tables."""
    return {split: nsl_kdd_table((Path(folder) / name).read_text().splitlines())
            for split, name in NSL_KDD_FILES.items()}


def kddcup99_table(lines) -> Table:
    """A Table from KDD Cup 99 lines; label 1 for "normal." (DAGMM's anomaly class)."""
    records, names = parse_records(lines, num_trailing=1)
    return table_from_records(records, FEATURES, KINDS, np.asarray(names) == "normal.")


def load_kddcup99(folder: Path, cache_dir: Path | None = None) -> Table:
    """The 494,021-row 10 % file as a Table; parsed once, then read from an .npz cache
    (parsing takes ~10 s on one core; the cache loads in well under a second)."""
    source = Path(folder) / KDDCUP99_FILE
    cache = None
    if cache_dir is not None:
        stat = source.stat()
        cache = Path(cache_dir) / f"kddcup99-{stat.st_size}-{int(stat.st_mtime)}.npz"
        if cache.exists():
            with np.load(cache) as z:
                levels = tuple(tuple(z[f"levels_{j}"].tolist()) for j in range(len(CATEGORICAL_FEATURES)))
                return Table(FEATURES, KINDS, z["numeric"], z["codes"], levels, z["labels"])
    with gzip.open(source, "rt") as f:
        table = kddcup99_table(f)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(cache.name + f".{os.getpid()}.tmp.npz")
        np.savez(tmp, numeric=table.numeric, codes=table.codes, labels=table.labels,
                 **{f"levels_{j}": np.asarray(v) for j, v in enumerate(table.levels)})
        tmp.replace(cache)
    return table
