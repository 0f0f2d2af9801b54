"""20 Newsgroups "bydate" word counts, tokenised from the raw messages, as H&S (2006, SOM Fig. S5)
describe them: lowercase words, stop words removed, the 2000 most frequent training words.

Source: ``20news-bydate-reassembled.tar.gz`` (../shared/data/20news/PROVENANCE.md), members
``20news-bydate-{train,test}/<group>/<message number>``: 11,314 training and 7,532 test
messages in 20 groups, decoded as latin-1. Label = index of the group in alphabetical order.

Tokeniser (ours; the authors' is not published, spec §1.6 and §3.4):

1. Headers (the lines before the first blank line): only the ``Subject:`` line is kept, without
   its ``Re:`` prefixes. The release already dropped the headers that name the group
   (Newsgroups, Path, Xref, Followup-To); the others left (From, Organization, Reply-To,
   NNTP-Posting-Host, Lines, Distribution, Keywords, Summary, ...) identify the poster, the site
   or the length, not the topic, and would let retrieval match documents by author. The
   subject is text the poster wrote about the topic.
2. The body is kept, quoted replies and signatures included (H&S do not say they removed them;
   a reply's quote is part of its topic), except lines of encoded binary data: a line that is
   one run of 40 or more non-blank characters (uuencode, base64, hex dumps). Without this rule
   a dozen uuencoded programs in comp.os.ms-windows.misc make "ax" the most frequent training
   word (6 % of all kept tokens, up to 11,000 in one message).
3. E-mail addresses and message ids (any run of non-blank characters containing "@") are
   removed, then apostrophes are deleted (``don't`` -> ``dont``).
4. Lowercase; tokens are runs of two or more ASCII letters (numbers and one-letter tokens dropped).
5. Stop words: scikit-learn's ``ENGLISH_STOP_WORDS`` (318 words, Glasgow IR group's list).
6. Vocabulary: the 2000 tokens with the highest total count over the training messages,
   most frequent first, ties by token. Test messages are counted over the same words.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path
from typing import Iterator, NamedTuple

import numpy as np

__all__ = ["ARCHIVE", "SPLITS", "VOCABULARY", "STOP_WORDS", "Message", "read_messages", "tokens",
           "Documents", "load_counts"]

ARCHIVE = "20news-bydate-reassembled.tar.gz"
SPLITS = {"train": "20news-bydate-train", "test": "20news-bydate-test"}
VOCABULARY = 2000

_ADDRESS = re.compile(r"\S*@\S*")
_WORD = re.compile(r"[a-z]{2,}")
_REPLY = re.compile(r"^(\s*re\s*:\s*)+", re.IGNORECASE)
_BINARY_LINE = re.compile(r"^\s*\S{40,}\s*$", re.MULTILINE)


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


STOP_WORDS = _stop_words()


class Message(NamedTuple):
    split: str   # "train" | "test"
    group: str   # e.g. "sci.space"
    number: int  # the message's file name (its article number)
    text: str


def read_messages(path: str | Path) -> Iterator[Message]:
    """Every message of the archive, in archive order (sorted by path), decoded as latin-1."""
    folders = {folder: split for split, folder in SPLITS.items()}
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            parts = member.name.split("/")
            if not member.isfile() or len(parts) != 3 or parts[0] not in folders:
                continue
            text = archive.extractfile(member).read().decode("latin-1")
            yield Message(folders[parts[0]], parts[1], int(parts[2]), text)


def tokens(text: str) -> list[str]:
    """The tokens of one raw message (header rule, addresses, letters only, stop words out)."""
    header, _, body = text.partition("\n\n")
    subject = next((line[len("subject:"):] for line in header.splitlines()
                    if line.lower().startswith("subject:")), "")
    kept = _REPLY.sub("", subject.strip()) + "\n" + _BINARY_LINE.sub("", body)
    kept = _ADDRESS.sub(" ", kept).replace("'", "").lower()
    return [t for t in _WORD.findall(kept) if t not in STOP_WORDS]


class Documents(NamedTuple):
    """counts float32 [N, V] over ``vocabulary`` (most frequent first); y int32 [N] (group index);
    numbers int64 [N] (article numbers); groups: the 20 group names (index = label)."""

    counts: np.ndarray
    y: np.ndarray
    numbers: np.ndarray
    vocabulary: list[str]
    groups: list[str]


def load_counts(split: str = "train", *, data_dir=None, cache=None, config: str | None = None,
                vocabulary: int | None = None) -> Documents:
    """Dense count vectors of a split ("train", "test", "test[:500]", ...) through the registered
    "20news" builder (prepared once from the archive in ``data_dir``, default
    $AEJAX_DATA_DIR/20news). ``vocabulary`` keeps only the first (most frequent) columns."""
    from aejax.data import rcv1

    examples, counts, metadata = rcv1.count_split("20news", split, data_dir=data_dir, cache=cache,
                                                  config=config, vocabulary=vocabulary)
    return Documents(counts, np.array([ex["label"] for ex in examples], np.int32),
                     np.array([ex["number"] for ex in examples], np.int64),
                     list(metadata["vocabulary"])[:counts.shape[1]], list(metadata["groups"]))
