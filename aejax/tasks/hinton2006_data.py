"""Loaders for the Hinton & Salakhutdinov (2006) data that aejax cannot ship: FACES and documents.

FACES: ``newfaces_rot_single.mat`` (J. Martens' copy of the authors' file), variable
``newfaces_single``, 625 x 165,600 (one 25x25 patch per column, ordered by person, 40 people).
H&S train on the first 30 people and test on the last 10; intensities are shifted to zero mean
per pixel and scaled by one number to unit average pixel variance (statistics of the training
split here). The file must be in MATLAB v5/v7 format (scipy); re-save v7.3 files with ``-v7``.

Documents: the 20 Newsgroups "bydate" MATLAB/Octave files (``train.data``, ``train.label``,
``test.data``, ``test.label``; rows "doc word count", 1-based), 11,314 train / 7,531 test. The
2000 most frequent words of the training split are kept; a document becomes its word
probabilities (counts / length), the paper's input representation.

RCV1-v2 (the paper's Reuters set): the LYRL2004 token files and topic qrels through the "rcv1"
dataset builder (``aejax.data.rcv1``): random halves, the 2000 most frequent training stems,
each document labelled by its most specific topic.

Each loader takes the run's ``config.data`` (``data_dir`` = folder with the files) and the run's
work directory; ``data.synthetic=True`` first writes a small generated file set in the original
format into the work directory (for quick variants and tests) and then reads it the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.io

from aejax.data import data_folder, rcv1

FACES_FILE = "newfaces_rot_single.mat"
FACES_VARIABLE = "newfaces_single"
FACES_PEOPLE = 40
NEWS_FILES = ("train.data", "train.label", "test.data", "test.label")


def _folder(data_cfg, name: str) -> Path:
    folder = data_folder(name, data_cfg.get("data_dir"))
    if folder is None:
        raise FileNotFoundError(
            f"no folder for the {name!r} files: pass --data-dir (config data.data_dir) or set "
            f"AEJAX_DATA_DIR to a root holding {name}/.")
    return folder


# ------------------------------------------------------------------------------------- faces
def write_synthetic_faces(path: Path, per_person: int = 12, seed: int = 0) -> Path:
    """A small file in the layout of ``newfaces_rot_single.mat``: 625 x (40 * per_person)
    single-precision columns, each person a smooth random template plus per-image noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:25, 0:25] / 24.0
    columns = []
    for _ in range(FACES_PEOPLE):
        cx, cy, width = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7), rng.uniform(0.15, 0.3)
        template = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * width ** 2))
        for _ in range(per_person):
            columns.append((template + 0.1 * rng.standard_normal((25, 25))).reshape(-1))
    path.parent.mkdir(parents=True, exist_ok=True)
    scipy.io.savemat(path, {FACES_VARIABLE: np.stack(columns, 1).astype(np.float32)})
    return path


def read_faces_file(path: Path) -> np.ndarray:
    """The patches [N, 625] (float32) from ``newfaces_rot_single.mat``."""
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found. The FACES data of Hinton & Salakhutdinov (2006) is not bundled: "
            f"put {FACES_FILE} (www.cs.toronto.edu/~jmartens/{FACES_FILE}) in that folder, or "
            "run the quick variant, which generates a stand-in file.")
    try:
        mat = scipy.io.loadmat(path, variable_names=[FACES_VARIABLE])
    except NotImplementedError as err:  # MATLAB v7.3 (HDF5)
        raise ValueError(f"{path} is a MATLAB v7.3 file; re-save it in MATLAB/Octave with "
                         f"save('-v7', ...) so scipy can read it.") from err
    if FACES_VARIABLE not in mat:
        raise KeyError(f"{path} has no variable {FACES_VARIABLE!r}; found {sorted(mat)}.")
    faces = np.asarray(mat[FACES_VARIABLE], np.float32)
    if faces.shape[0] != 625:
        raise ValueError(f"{FACES_VARIABLE} in {path} has shape {faces.shape}; expected 625 rows "
                         "(one 25x25 patch per column).")
    return faces.T


def split_and_normalise_faces(faces: np.ndarray, train_people: int, test_people: int = 10):
    """First ``train_people`` people train, last ``test_people`` test; zero mean per pixel and
    unit average pixel variance from the training split. Returns (train, test) float32."""
    if faces.shape[0] % FACES_PEOPLE:
        raise ValueError(f"{faces.shape[0]} face patches do not split into {FACES_PEOPLE} people.")
    per_person = faces.shape[0] // FACES_PEOPLE
    train = faces[: train_people * per_person]
    test = faces[(FACES_PEOPLE - test_people) * per_person:]
    mean = train.mean(axis=0)
    scale = np.sqrt(np.mean(train.var(axis=0)))
    return ((train - mean) / scale).astype(np.float32), ((test - mean) / scale).astype(np.float32)


def load_faces(data_cfg, workdir) -> dict:
    if data_cfg.get("synthetic"):
        path = write_synthetic_faces(Path(workdir) / "data" / FACES_FILE)
        notes = ["FACES: a small generated stand-in in the original file layout (quick variant); "
                 "numbers are not comparable to the paper."]
    else:
        path = _folder(data_cfg, "faces") / FACES_FILE
        notes = [f"FACES: {path} (user-supplied)."]
    train, test = split_and_normalise_faces(read_faces_file(path), data_cfg.train_people)
    return {"train_x": train, "test_x": test, "train_y": None, "test_y": None,
            "image_shape": (25, 25), "notes": notes, "unit_range": False}


# ---------------------------------------------------------------------------------- documents
def write_synthetic_news(folder: Path, n_train: int = 300, n_test: int = 150, vocabulary: int = 400,
                         n_classes: int = 4, seed: int = 0) -> Path:
    """Small files in the 20 Newsgroups bydate MATLAB format from a topic model: each class has
    its own word distribution, each document 30-80 draws from it."""
    rng = np.random.default_rng(seed)
    topics = rng.dirichlet(np.full(vocabulary, 0.05), n_classes)
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("test", n_test)):
        labels = rng.integers(0, n_classes, n)
        rows = []
        for doc, label in enumerate(labels):
            counts = rng.multinomial(rng.integers(30, 81), topics[label])
            rows += [f"{doc + 1} {w + 1} {c}" for w in np.flatnonzero(counts) for c in [counts[w]]]
        (folder / f"{split}.data").write_text("\n".join(rows) + "\n")
        (folder / f"{split}.label").write_text("\n".join(str(l + 1) for l in labels) + "\n")
    return folder


def read_news_split(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(triples [M, 3] of 0-based doc, 0-based word, count; labels [N] 0-based) of ``split``."""
    for name in (f"{split}.data", f"{split}.label"):
        if not (folder / name).is_file():
            raise FileNotFoundError(
                f"{folder / name} not found. The documents run needs the 20 Newsgroups bydate "
                f"MATLAB files {', '.join(NEWS_FILES)} (20news-bydate-matlab) in {folder}.")
    triples = np.loadtxt(folder / f"{split}.data", dtype=np.int64, ndmin=2)
    labels = np.loadtxt(folder / f"{split}.label", dtype=np.int64, ndmin=1)
    if triples.shape[1] != 3:
        raise ValueError(f"{folder / split}.data rows must be 'doc word count'; got "
                         f"{triples.shape[1]} columns.")
    return triples - np.array([1, 1, 0]), (labels - 1).astype(np.int32)


def count_matrix(triples: np.ndarray, n_docs: int, words: np.ndarray) -> np.ndarray:
    """Counts [n_docs, len(words)]: column j counts word id ``words[j]``."""
    column = np.full(max(int(triples[:, 1].max()), int(words.max())) + 1, -1)
    column[words] = np.arange(len(words))
    kept = triples[column[triples[:, 1]] >= 0]
    out = np.zeros((n_docs, len(words)), np.float32)
    np.add.at(out, (kept[:, 0], column[kept[:, 1]]), kept[:, 2])
    return out


def load_news(data_cfg, workdir) -> dict:
    if data_cfg.get("synthetic"):
        folder = write_synthetic_news(Path(workdir) / "data" / "news")
        notes = ["Documents: small generated stand-in files in the 20 Newsgroups bydate format "
                 "(quick variant); numbers are not comparable to the paper."]
    else:
        folder = _folder(data_cfg, "20news")
        notes = [f"Documents: 20 Newsgroups bydate files in {folder} (user-supplied)."]
    train_t, train_y = read_news_split(folder, "train")
    test_t, test_y = read_news_split(folder, "test")
    totals = np.bincount(train_t[:, 1], weights=train_t[:, 2])
    words = np.argsort(-totals, kind="stable")[: data_cfg.vocabulary]
    train_c = count_matrix(train_t, len(train_y), words)
    test_c = count_matrix(test_t, len(test_y), words)
    return {"train_counts": train_c, "test_counts": test_c,
            "train_x": train_c / np.maximum(train_c.sum(1, keepdims=True), 1),
            "test_x": test_c / np.maximum(test_c.sum(1, keepdims=True), 1),
            "train_y": train_y, "test_y": test_y, "image_shape": (), "notes": notes}


def load_rcv1(data_cfg, workdir) -> dict:
    cache = None
    if data_cfg.get("synthetic"):
        folder = rcv1.write_lyrl_files(Path(workdir) / "data" / "rcv1", n_docs=600, vocabulary=300,
                                       n_topics=4)
        cache = Path(workdir) / "data" / "cache"
        notes = ["Documents: small generated stand-in files in the LYRL2004 RCV1-v2 format "
                 "(quick variant); numbers are not comparable to the paper."]
    else:
        folder = data_cfg.get("data_dir")
        notes = [f"Documents: RCV1-v2 LYRL2004 token files in {folder or '$AEJAX_DATA_DIR/rcv1'} "
                 "(user-supplied); random halves; label = most specific topic."]
    splits = {name: rcv1.load_counts(data_cfg.get(f"{name}_split", name), data_dir=folder,
                                     cache=cache, vocabulary=data_cfg.vocabulary)
              for name in ("train", "test")}
    out = {"image_shape": (), "notes": notes}
    for name, docs in splits.items():
        out[f"{name}_counts"] = docs.counts
        out[f"{name}_x"] = docs.counts / np.maximum(docs.counts.sum(1, keepdims=True), 1)
        out[f"{name}_y"] = docs.y
    return out


LOADERS = {"faces": load_faces, "20news": load_news, "rcv1": load_rcv1}
