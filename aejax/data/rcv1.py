"""RCV1-v2 word-count vectors from the LYRL2004 token files (Lewis, Yang, Rose & Li, JMLR 2004).

Files (from the JMLR page of Lewis et al. 2004, appendices 12 and 8; raw or ``.gz``):

* ``lyrl2004_tokens_train.dat`` and ``lyrl2004_tokens_test_pt0.dat`` .. ``_pt3.dat``: all 804,414
  documents, each a block ``.I <doc id>`` / ``.W`` / lines of space-separated tokens / a blank
  line. The tokens are already lower-cased, stop-word filtered and Porter-stemmed, so counting
  them gives the word-stem counts Hinton & Salakhutdinov (2006) model (spec ``hinton2006.md``
  section 1.5). The svmlight ``lyrl2004_vectors_*`` files hold cosine-normalised tf-idf weights
  from which counts cannot be recovered, so they are not used.
* ``rcv1-v2.topics.qrels``: lines ``<topic code> <doc id> 1``, 103 topic codes.

H&S split the 804,414 stories into two random halves (402,207 training, 402,207 test) and keep
the 2000 stems most frequent in the training half. Here the halves are a fixed permutation
(numpy seed 0) of the sorted document ids, and the vocabulary is ordered by training frequency
(ties by stem), so the first k columns are the k most frequent stems.

Labels: RCV1 documents carry several topics; H&S do not say how "same class" was decided. Each
document's ``topics`` are kept, and its single ``label`` is its *most specific* topic: the one
with the fewest documents in the whole collection (ties by code). This is our choice.
"""

from __future__ import annotations

import collections
import gzip
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

import numpy as np

__all__ = ["TOKEN_FILES", "TOPICS_FILE", "read_tokens", "read_doc_ids", "read_topics",
           "split_halves", "most_frequent", "single_labels", "counts_of", "write_lyrl_files",
           "Documents", "count_split", "load_counts"]

TOKEN_FILES = ("lyrl2004_tokens_train.dat",) + tuple(
    f"lyrl2004_tokens_test_pt{i}.dat" for i in range(4))
TOPICS_FILE = "rcv1-v2.topics.qrels"


def _open_text(path: Path):
    path = Path(path)
    return gzip.open(path, "rt", encoding="latin-1") if path.suffix == ".gz" else open(
        path, encoding="latin-1")


def read_tokens(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(doc id, tokens) of every document block in a LYRL2004 token file, in file order."""
    doc_id, tokens = None, []
    with _open_text(path) as handle:
        for line_no, line in enumerate(handle, 1):
            if line.startswith(".I"):
                if doc_id is not None:
                    yield doc_id, tokens
                try:
                    doc_id = int(line.split()[1])
                except (IndexError, ValueError):
                    raise ValueError(f"{path}:{line_no}: expected '.I <doc id>', got {line!r}; "
                                     "is this a LYRL2004 token file?") from None
                tokens = []
            elif line.startswith(".W"):
                continue
            elif doc_id is None and line.strip():
                raise ValueError(f"{path}:{line_no}: text before the first '.I <doc id>' line; "
                                 "is this a LYRL2004 token file?")
            else:
                tokens.extend(line.split())
    if doc_id is not None:
        yield doc_id, tokens


def read_doc_ids(path: Path) -> list[int]:
    """The document ids of a token file (its ``.I`` lines only)."""
    with _open_text(path) as handle:
        return [int(line.split()[1]) for line in handle if line.startswith(".I")]


def read_topics(path: Path) -> dict[int, list[str]]:
    """doc id -> sorted topic codes, from ``rcv1-v2.topics.qrels`` (``<topic> <doc id> 1``)."""
    topics: dict[int, set[str]] = collections.defaultdict(set)
    with _open_text(path) as handle:
        for line_no, line in enumerate(handle, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) < 2 or not fields[1].isdigit():
                raise ValueError(f"{path}:{line_no}: expected '<topic> <doc id> 1', got {line!r}.")
            topics[int(fields[1])].add(fields[0])
    return {doc: sorted(codes) for doc, codes in topics.items()}


def split_halves(doc_ids: Iterable[int], seed: int = 0) -> set[int]:
    """The training half: a fixed random half (the larger one if odd) of the sorted ``doc_ids``."""
    ids = np.sort(np.fromiter(doc_ids, np.int64))
    order = np.random.default_rng(seed).permutation(len(ids))
    return set(ids[order[: (len(ids) + 1) // 2]].tolist())


def most_frequent(documents: Iterable[list[str]], n: int) -> list[str]:
    """The ``n`` tokens with the highest total count over ``documents``, most frequent first
    (ties by token)."""
    totals = collections.Counter()
    for tokens in documents:
        totals.update(tokens)
    return [word for word, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def single_labels(topics: dict[int, list[str]]) -> tuple[list[str], dict[int, int]]:
    """(sorted topic codes, doc id -> index of its most specific topic): the topic with the
    fewest documents in ``topics``, ties by code."""
    names = sorted({code for codes in topics.values() for code in codes})
    size = collections.Counter(code for codes in topics.values() for code in codes)
    index = {code: i for i, code in enumerate(names)}
    return names, {doc: index[min(codes, key=lambda c: (size[c], c))]
                   for doc, codes in topics.items() if codes}


def counts_of(tokens: list[str], column: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(vocabulary columns [K] ascending, counts [K]) of the in-vocabulary tokens."""
    counter = collections.Counter(column[t] for t in tokens if t in column)
    words = np.array(sorted(counter), np.int32)
    return words, np.array([counter[w] for w in words.tolist()], np.int32)


def write_lyrl_files(folder: Path, n_docs: int = 60, vocabulary: int = 40, n_topics: int = 3,
                     seed: int = 0, first_id: int = 2286) -> Path:
    """Small files in the LYRL2004 token and qrels formats (for tests and quick runs): each
    document draws 10-40 stems from its topic's word distribution; every document also carries
    a broad topic "GCAT" shared by all."""
    rng = np.random.default_rng(seed)
    stems = [f"stem{i:03d}" for i in range(vocabulary)]
    word_dists = rng.dirichlet(np.full(vocabulary, 0.1), n_topics)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    blocks = {name: [] for name in TOKEN_FILES}
    qrels = []
    for k in range(n_docs):
        doc_id, topic = first_id + k, k % n_topics
        tokens = rng.choice(stems, size=rng.integers(10, 41), p=word_dists[topic]).tolist()
        lines = [" ".join(tokens[i:i + 8]) for i in range(0, len(tokens), 8)]
        blocks[TOKEN_FILES[k % len(TOKEN_FILES)]].append("\n".join([f".I {doc_id}", ".W", *lines]))
        qrels += [f"T{topic:02d} {doc_id} 1", f"GCAT {doc_id} 1"]
    for name, docs in blocks.items():
        (folder / name).write_text("\n\n".join(docs) + "\n\n", encoding="latin-1")
    (folder / TOPICS_FILE).write_text("\n".join(qrels) + "\n")
    return folder


class Documents(NamedTuple):
    """counts float32 [N, V] over ``vocabulary`` (most frequent first); y int32 [N] (most
    specific topic, -1 if none); topics: per document the indices into ``topic_names``."""

    counts: np.ndarray
    y: np.ndarray
    topics: list[np.ndarray]
    vocabulary: list[str]
    topic_names: list[str]


def count_split(name: str, split: str, *, data_dir=None, cache=None, config: str | None = None,
                vocabulary: int | None = None) -> tuple[list[dict], np.ndarray, dict]:
    """(examples, dense counts float32 [N, V], dataset metadata) of ``split`` ("train",
    "test[:500]", ...) of a registered word-count dataset (features ``words`` / ``counts``,
    metadata ``vocabulary``, most frequent first): "rcv1" or "20news". ``vocabulary`` keeps only
    the first (most frequent) columns."""
    from aejax.data import loader, splits

    built = loader.builder(name, data_dir=data_dir, cache=cache, config=config)
    spec = splits.parse(split)
    if spec.base not in built.info.splits:
        raise ValueError(f"{name} has splits {sorted(built.info.splits)}, not {spec.base!r}.")
    source = built.as_data_source(split=spec.base)
    start, stop = splits.bounds(spec, len(source))
    examples = source.__getitems__(range(start, stop))
    words = list(built.info.metadata["vocabulary"])
    width = len(words) if vocabulary is None else min(vocabulary, len(words))
    counts = np.zeros((len(examples), width), np.float32)
    for row, ex in enumerate(examples):
        kept = ex["words"] < width
        counts[row, ex["words"][kept]] = ex["counts"][kept]
    return examples, counts, built.info.metadata


def load_counts(split: str = "train", *, data_dir=None, cache=None,
                vocabulary: int | None = None) -> Documents:
    """Dense count vectors of an RCV1 split ("train", "test", "train[:10000]", ...) through the
    registered "rcv1" builder (prepared once from the files in ``data_dir``, default
    $AEJAX_DATA_DIR/rcv1). ``vocabulary`` keeps only the first (most frequent) columns."""
    examples, counts, metadata = count_split("rcv1", split, data_dir=data_dir, cache=cache,
                                             vocabulary=vocabulary)
    return Documents(counts, np.array([ex["label"] for ex in examples], np.int32),
                     [np.asarray(ex["topics"]) for ex in examples],
                     list(metadata["vocabulary"])[:counts.shape[1]], list(metadata["topics"]))
