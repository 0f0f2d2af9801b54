"""20 Newsgroups: the tokeniser, reading the archive and the count-vector builder."""
import io
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest

from aejax.data import newsgroups

ARCHIVE = Path(os.environ["AEJAX_DATA_DIR"]) / "20news" / newsgroups.ARCHIVE

MESSAGE = """From: jdoe@site.edu (John Doe)
Subject: Re: RE: Shuttle launch delayed
Organization: Rocket University
Lines: 4

In article <1993Apr5.1234@site.edu> amy@x.org writes:
>The shuttle's launch was delayed to 1994.
I don't think NASA would delay it again, shuttle fans!
"""


def test_tokens_keep_subject_and_body_drop_headers_addresses_numbers_stop_words():
    assert newsgroups.tokens(MESSAGE) == [
        "shuttle", "launch", "delayed",            # subject without its Re: prefixes
        "article", "writes",                        # <msg id> and amy@x.org removed
        "shuttles", "launch", "delayed",            # "the", "was", "to", "1994" dropped
        "dont", "think", "nasa", "delay", "shuttle", "fans",  # "I", "would", "it", "again" dropped
    ]


def test_lines_of_encoded_binary_data_are_dropped():
    body = "begin 644 prog.exe\nM'XL(\"max>'ax>'ax>'ax>'ax>'ax>'ax>'ax>'ax>'ax>'ax\nend of file"
    assert newsgroups.tokens("Subject: x\n\n" + body) == ["begin", "prog", "exe", "end", "file"]


def test_a_message_without_header_break_is_all_header():
    assert newsgroups.tokens("Subject: quantum physics\nFrom: a@b.c") == ["quantum", "physics"]


def _archive(path: Path, messages: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, text in sorted(messages.items()):
            payload = text.encode("latin-1")
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return path


def test_read_messages_splits_groups_and_numbers(tmp_path):
    path = _archive(tmp_path / newsgroups.ARCHIVE, {
        "20news-bydate-train/sci.space/61": "Subject: orbit\n\nmoon",
        "20news-bydate-test/rec.autos/7": "Subject: caf\xe9\n\nengine",
        "README": "not a message",
    })
    got = list(newsgroups.read_messages(path))
    assert got == [newsgroups.Message("test", "rec.autos", 7, "Subject: caf\xe9\n\nengine"),
                   newsgroups.Message("train", "sci.space", 61, "Subject: orbit\n\nmoon")]


def test_builder_counts_the_most_frequent_training_words(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    _archive(folder / newsgroups.ARCHIVE, {
        "20news-bydate-train/sci.space/1": "Subject: moon\n\nmoon orbit moon rocket",
        "20news-bydate-train/rec.autos/2": "Subject: engine\n\nengine orbit engine engine",
        "20news-bydate-test/sci.space/3": "Subject: x\n\nrocket moon moon comet",
    })
    # Training totals: engine 4, moon 3, orbit 2, rocket 1 -> vocabulary in that order.
    train = newsgroups.load_counts("train", data_dir=folder, cache=tmp_path / "cache")
    assert train.vocabulary == ["engine", "moon", "orbit", "rocket"]
    assert train.groups == ["rec.autos", "sci.space"]
    np.testing.assert_array_equal(train.counts, [[4, 0, 1, 0], [0, 3, 1, 1]])  # archive order
    np.testing.assert_array_equal(train.y, [0, 1])
    np.testing.assert_array_equal(train.numbers, [2, 1])
    test = newsgroups.load_counts("test", data_dir=folder, cache=tmp_path / "cache", vocabulary=2)
    np.testing.assert_array_equal(test.counts, [[0, 2]])  # "rocket" is beyond the 2 kept words
    assert test.y.tolist() == [1] and test.counts.dtype == np.float32


def test_archive_holds_the_bydate_split():
    counts = {"train": 0, "test": 0}
    groups = set()
    for message in newsgroups.read_messages(ARCHIVE):
        counts[message.split] += 1
        groups.add(message.group)
    assert counts == {"train": 11_314, "test": 7_532} and len(groups) == 20


def test_small_config_keeps_every_20th_message_and_500_words():
    train = newsgroups.load_counts("train", config="small")
    test = newsgroups.load_counts("test[:100]", config="small", vocabulary=50)
    assert train.counts.shape == (566, 500) and test.counts.shape == (100, 50)  # ceil(11314 / 20)
    assert len(train.groups) == 20 and set(train.y.tolist()) == set(range(20))
    assert "ax" not in train.vocabulary  # the uuencoded binaries' lines are dropped
    assert np.all(np.diff(train.counts.sum(0)) <= 0)  # most frequent first


def test_unknown_split_is_named():
    with pytest.raises(ValueError, match="'validation'"):
        newsgroups.load_counts("validation", config="small")
