"""Loaders for the Hinton & Salakhutdinov (2006) data beyond plain image sets: FACES and documents.

FACES: the 25x25 Olivetti patches of the "faces" dataset (``aejax.data.faces``: rebuilt from
``olivettifaces.mat``; people 1-30 train, 31-40 test), put on the paper's scale: every pixel
shifted to zero mean, then one factor for the whole set so that the average pixel variance is 1
(statistics of the train and test rows loaded together, as the authors' file was made).

Documents: 20 Newsgroups "bydate" counts over the 2000 most frequent training words (the
"20news" dataset, ``aejax.data.newsgroups``: tokenised from the raw messages), 11,314 train /
7,532 test. A document enters the net as its counts; its target is its word probabilities
(counts / length), the paper's input representation.

RCV1-v2 (the paper's Reuters set): the LYRL2004 token files and topic qrels through the "rcv1"
dataset builder (``aejax.data.rcv1``): random halves, the 2000 most frequent training stems,
each document labelled by its most specific topic.

Each loader takes the run's ``config.data`` (``data_dir``: folder with the files;
``builder_config``: e.g. "small" for the quick variants' real-data subsets) and the run's work
directory; RCV1's ``data.synthetic=True`` first writes a small generated file set in the
original format into the work directory (no RCV1 files are staged) and reads it the same way.
"""

from __future__ import annotations


import numpy as np

from aejax import data, run as run_lib
from aejax.data import faces, newsgroups, rcv1


def _probabilities(counts: np.ndarray) -> np.ndarray:
    return counts / np.maximum(counts.sum(1, keepdims=True), 1)


def load_faces(data_cfg, workdir) -> dict:
    kw = dict(data_dir=data_cfg.get("data_dir"), config=data_cfg.get("builder_config"))
    train = data.load("faces", data_cfg.train_split, **kw)
    test = data.load("faces", data_cfg.test_split, **kw)
    (train_x, test_x), _, scale = faces.normalise(train.x, test.x)
    notes = [f"FACES: {len(train_x)} train / {len(test_x)} test 25x25 patches rebuilt from the Olivetti "
             f"faces (aejax.data.faces, generator {faces.DEFAULT_PARAMS}); pixels shifted to zero mean and "
             f"divided by {scale * 255:.2f} grey levels (unit average variance over both splits)."]
    return {"train_x": train_x, "test_x": test_x, "train_y": train.y, "test_y": test.y,
            "image_shape": (25, 25), "notes": notes, "unit_range": False}


def load_news(data_cfg, workdir) -> dict:
    kw = dict(data_dir=data_cfg.get("data_dir"), config=data_cfg.get("builder_config"),
              vocabulary=data_cfg.vocabulary)
    train = newsgroups.load_counts(data_cfg.train_split, **kw)
    test = newsgroups.load_counts(data_cfg.test_split, **kw)
    notes = [f"Documents: 20 Newsgroups bydate, {len(train.y)} train / {len(test.y)} test messages "
             f"(all test messages are queries; H&S's SOM has 7,531), counts over the "
             f"{train.counts.shape[1]} most frequent training words (aejax.data.newsgroups tokeniser)."]
    return {"train_counts": train.counts, "test_counts": test.counts,
            "train_x": _probabilities(train.counts), "test_x": _probabilities(test.counts),
            "train_y": train.y, "test_y": test.y, "class_names": train.groups,
            "image_shape": (), "notes": notes}


def load_rcv1(data_cfg, workdir) -> dict:
    cache = None
    if data_cfg.get("synthetic"):
        folder = rcv1.write_lyrl_files(run_lib.path(workdir, "data") / "rcv1", n_docs=600, vocabulary=300,
                                       n_topics=4)
        cache = run_lib.path(workdir, "data") / "cache"
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
        out[f"{name}_x"] = _probabilities(docs.counts)
        out[f"{name}_y"] = docs.y
    return out


LOADERS = {"faces": load_faces, "20news": load_news, "rcv1": load_rcv1}
