"""RCV1-v2 count vectors from LYRL2004 token files: parsing, split, vocabulary, labels, builder."""

import collections
import gzip

import numpy as np
import pytest

from aejax.data import MissingDataError, rcv1


def test_token_blocks_are_parsed_raw_and_gzipped(tmp_path):
    text = ".I 2286\n.W\nmexic bank rate\nrate cut\n\n.I 2287\n.W\nwheat\n\n"
    (tmp_path / "a.dat").write_text(text)
    with gzip.open(tmp_path / "b.dat.gz", "wt") as handle:
        handle.write(text)
    expected = [(2286, ["mexic", "bank", "rate", "rate", "cut"]), (2287, ["wheat"])]
    assert list(rcv1.read_tokens(tmp_path / "a.dat")) == expected
    assert list(rcv1.read_tokens(tmp_path / "b.dat.gz")) == expected
    assert rcv1.read_doc_ids(tmp_path / "a.dat") == [2286, 2287]


def test_malformed_files_name_the_line(tmp_path):
    (tmp_path / "bad.dat").write_text("mexic bank\n.I 5\n")
    with pytest.raises(ValueError, match="bad.dat:1"):
        list(rcv1.read_tokens(tmp_path / "bad.dat"))
    (tmp_path / "bad.qrels").write_text("E11 2286 1\nE11\n")
    with pytest.raises(ValueError, match="bad.qrels:2"):
        rcv1.read_topics(tmp_path / "bad.qrels")


def test_topics_and_most_specific_label(tmp_path):
    (tmp_path / "q").write_text("CCAT 1 1\nC15 1 1\nCCAT 2 1\nGCAT 3 1\nCCAT 3 1\nC15 2 1\nE11 2 1\n")
    topics = rcv1.read_topics(tmp_path / "q")
    assert topics == {1: ["C15", "CCAT"], 2: ["C15", "CCAT", "E11"], 3: ["CCAT", "GCAT"]}
    names, labels = rcv1.single_labels(topics)
    assert names == ["C15", "CCAT", "E11", "GCAT"]
    # Sizes: CCAT 3, C15 2, E11 1, GCAT 1 -> doc 1: C15; doc 2: E11; doc 3: GCAT.
    assert labels == {1: 0, 2: 2, 3: 3}


def test_split_halves_is_a_fixed_half_of_the_sorted_ids():
    ids = [40, 10, 30, 20, 50, 70, 60]
    train = rcv1.split_halves(ids)
    assert len(train) == 4 and train <= set(ids)
    assert rcv1.split_halves(reversed(ids)) == train
    order = np.random.default_rng(0).permutation(7)
    assert train == set(np.sort(ids)[order[:4]].tolist())


def test_most_frequent_orders_by_count_then_stem():
    docs = [["b", "a", "c", "c"], ["a", "d"], ["b"]]
    assert rcv1.most_frequent(docs, 3) == ["a", "b", "c"]
    words, counts = rcv1.counts_of(["c", "x", "a", "c"], {"a": 0, "b": 1, "c": 2})
    assert words.tolist() == [0, 2] and counts.tolist() == [1, 2]


def test_builder_counts_match_an_independent_count_of_the_files(tmp_path):
    folder = rcv1.write_lyrl_files(tmp_path / "files", n_docs=40, vocabulary=25)
    cache = tmp_path / "cache"
    train = rcv1.load_counts("train", data_dir=folder, cache=cache)
    test = rcv1.load_counts("test", data_dir=folder, cache=cache)
    docs = {doc: tokens for name in rcv1.TOKEN_FILES
            for doc, tokens in rcv1.read_tokens(folder / name)}
    train_ids = rcv1.split_halves(docs)
    assert len(train.y) == 20 and len(test.y) == 20
    # Vocabulary: training stems by total count, most frequent first.
    totals = collections.Counter(t for d in train_ids for t in docs[d])
    assert train.vocabulary == sorted(totals, key=lambda w: (-totals[w], w))
    # Dense rows equal the counts of each document's tokens, ordered by document id.
    for split, ids in ((train, sorted(d for d in docs if d in train_ids)),
                       (test, sorted(d for d in docs if d not in train_ids))):
        expected = np.array([[docs[d].count(w) for w in train.vocabulary] for d in ids])
        np.testing.assert_array_equal(split.counts, expected)
    # Labels: every generated document has GCAT (40 docs) and its topic T0k (fewer): label T0k.
    assert train.topic_names == ["GCAT", "T00", "T01", "T02"]
    train_docs = sorted(train_ids)
    assert train.y.tolist() == [1 + (d - 2286) % 3 for d in train_docs]
    assert all(sorted(t.tolist()) == [0, y] for t, y in zip(train.topics, train.y))
    # A smaller vocabulary keeps the most frequent columns; slices select documents.
    small = rcv1.load_counts("test[:5]", data_dir=folder, cache=cache, vocabulary=6)
    np.testing.assert_array_equal(small.counts, test.counts[:5, :6])


def test_missing_files_are_named(tmp_path):
    (tmp_path / rcv1.TOPICS_FILE).write_text("GCAT 1 1\n")
    with pytest.raises(MissingDataError, match="lyrl2004_tokens_train.dat"):
        rcv1.load_counts("train", data_dir=tmp_path, cache=tmp_path / "cache")


def test_prepare_command_reports_the_halves_and_image_loader_points_to_load_counts(tmp_path, capsys):
    from aejax import cli
    from aejax.data import load

    folder = rcv1.write_lyrl_files(tmp_path / "files", n_docs=40, vocabulary=25)
    assert cli.main(["data", "prepare", "rcv1", "--data-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "rcv1 train: 20 examples" in out and "rcv1 test: 20 examples" in out
    with pytest.raises(ValueError, match="load_counts"):
        load("rcv1", "train", data_dir=folder)
