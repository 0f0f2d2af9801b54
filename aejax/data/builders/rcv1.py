"""RCV1-v2 word-count vectors (Reuters Corpus Volume 1, version 2) as Hinton & Salakhutdinov
(2006) use them: two random halves of the 804,414 stories, the 2000 most frequent training stems.

Built from the LYRL2004 token files and topic qrels in a local folder (``aejax.data.rcv1``
describes the files, the split and the labels); nothing is downloaded. Features per document:
``words`` int32 [K] (vocabulary columns, ascending) and ``counts`` int32 [K] (a sparse count
vector over the vocabulary), ``topics`` int32 [T] (indices into the topic codes), ``label``
(the most specific topic) and ``doc_id``; each split is ordered by document id (the
example key). The vocabulary (most frequent first) and the topic
codes are stored in the dataset metadata. ``aejax.data.rcv1.load_counts`` gives dense arrays.
"""

from __future__ import annotations

import numpy as np
import tensorflow_datasets as tfds

from aejax.data import idx, rcv1, registry
from aejax.data.builders.base import AejaxBuilder, MissingDataError

VOCABULARY = 2000


@registry.register("rcv1")
class AejaxRcv1(AejaxBuilder):
    """RCV1-v2 stem counts over the 2000 most frequent training stems; random halves."""

    name = "aejax_rcv1"
    VERSION = tfds.core.Version("1.0.0")
    EXPECTED_FILES = rcv1.TOKEN_FILES + (rcv1.TOPICS_FILE,)
    DOWNLOAD_HINT = (" (not for RCV1: download lyrl2004_tokens_*.dat.gz and rcv1-v2.topics.qrels.gz "
                     "from the JMLR page of Lewis et al. 2004, appendices 12 and 8, by hand)")

    def _info(self) -> tfds.core.DatasetInfo:
        return tfds.core.DatasetInfo(
            builder=self,
            description=__doc__,
            features=tfds.features.FeaturesDict({
                "words": tfds.features.Tensor(shape=(None,), dtype=np.int32),
                "counts": tfds.features.Tensor(shape=(None,), dtype=np.int32),
                "topics": tfds.features.Tensor(shape=(None,), dtype=np.int32),
                "label": tfds.features.Scalar(dtype=np.int32),
                "doc_id": tfds.features.Scalar(dtype=np.int64),
            }),
            metadata=tfds.core.MetadataDict(),
            disable_shuffling=True,
            homepage="https://www.jmlr.org/papers/volume5/lewis04a/lyrl2004_rcv1v2_README.htm",
            citation="Lewis, Yang, Rose & Li (2004), RCV1: A New Benchmark Collection for Text "
                     "Categorization Research, JMLR 5:361-397.",
        )

    def _split_generators(self, dl_manager):
        if self.manual_folder is None:
            raise MissingDataError(self.missing_message(self.DATASET_NAME, []),
                                   "RCV1 files are never downloaded automatically")
        missing = self.missing_files(self.manual_folder)
        if missing:
            raise MissingDataError(self.missing_message(self.DATASET_NAME, [self.manual_folder],
                                                        missing))
        paths = [idx.find_file(self.manual_folder, name) for name in rcv1.TOKEN_FILES]
        topics = rcv1.read_topics(idx.find_file(self.manual_folder, rcv1.TOPICS_FILE))
        train_ids = rcv1.split_halves(doc for path in paths for doc in rcv1.read_doc_ids(path))
        vocabulary = rcv1.most_frequent(
            (tokens for path in paths for doc, tokens in rcv1.read_tokens(path) if doc in train_ids),
            VOCABULARY)
        topic_names, labels = rcv1.single_labels(topics)
        self.info.metadata["vocabulary"] = vocabulary
        self.info.metadata["topics"] = topic_names
        context = (paths, {w: i for i, w in enumerate(vocabulary)}, topics,
                   {c: i for i, c in enumerate(topic_names)}, labels)
        return {"train": self._generate_examples(context, train_ids, True),
                "test": self._generate_examples(context, train_ids, False)}

    def _generate_examples(self, context, train_ids: set[int], train: bool):
        paths, column, topics, topic_index, labels = context
        for path in paths:
            for doc, tokens in rcv1.read_tokens(path):
                if (doc in train_ids) != train:
                    continue
                words, counts = rcv1.counts_of(tokens, column)
                yield doc, {
                    "words": words, "counts": counts,
                    "topics": np.array([topic_index[c] for c in topics.get(doc, [])], np.int32),
                    "label": labels.get(doc, -1), "doc_id": doc,
                }
