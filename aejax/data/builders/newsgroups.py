"""20 Newsgroups "bydate" word counts (H&S 2006, SOM Fig. S5): 11,314 train / 7,532 test messages,
counted over the 2000 most frequent training words (``aejax.data.newsgroups`` has the tokeniser).

Built from ``20news-bydate-reassembled.tar.gz`` in a local folder (default
$AEJAX_DATA_DIR/20news); nothing is downloaded. Features per message: ``words`` int32 [K]
(vocabulary columns, ascending) and ``counts`` int32 [K] (a sparse count vector), ``label``
(group index, groups in alphabetical order) and ``number`` (the article number, its file name);
each split is in archive order (group, then article number). The vocabulary (most frequent
first) and the group names are in the dataset metadata; ``newsgroups.load_counts`` gives dense
arrays. Config ``small`` keeps every 20th message of each split and 500 words (tests, quick runs).
"""

from __future__ import annotations

import collections
import dataclasses

import numpy as np
import tensorflow_datasets as tfds

from aejax.data import idx, newsgroups, rcv1, registry
from aejax.data.builders.base import AejaxBuilder, MissingDataError


@dataclasses.dataclass
class NewsgroupsConfig(tfds.core.BuilderConfig):
    """Every ``stride``-th message of each split; the ``vocabulary`` most frequent training words."""

    stride: int = 1
    vocabulary: int = newsgroups.VOCABULARY


@registry.register("20news")
class AejaxNewsgroups(AejaxBuilder):
    """20 Newsgroups bydate counts over the most frequent training words."""

    name = "aejax_20news"
    VERSION = tfds.core.Version("1.0.0")  # bump with any change to the tokeniser (cache key)
    BUILDER_CONFIGS = [NewsgroupsConfig(name="full"),
                       NewsgroupsConfig(name="small", stride=20, vocabulary=500)]
    EXPECTED_FILES = (newsgroups.ARCHIVE,)
    DOWNLOAD_HINT = " (not for 20news: the reassembled bydate archive is staged by hand)"

    def _info(self) -> tfds.core.DatasetInfo:
        return tfds.core.DatasetInfo(
            builder=self,
            description=__doc__,
            features=tfds.features.FeaturesDict({
                "words": tfds.features.Tensor(shape=(None,), dtype=np.int32),
                "counts": tfds.features.Tensor(shape=(None,), dtype=np.int32),
                "label": tfds.features.Scalar(dtype=np.int32),
                "number": tfds.features.Scalar(dtype=np.int64),
            }),
            metadata=tfds.core.MetadataDict(),
            disable_shuffling=True,
            homepage="http://qwone.com/~jason/20Newsgroups/",
            citation="K. Lang (1995), NewsWeeder: Learning to filter netnews, ICML 1995, 331-339.",
        )

    def _split_generators(self, dl_manager):
        if self.manual_folder is None:
            raise MissingDataError(self.missing_message(self.DATASET_NAME, []),
                                   "the 20 Newsgroups archive is never downloaded automatically")
        cfg = self.builder_config
        by_split = collections.defaultdict(list)
        for message in newsgroups.read_messages(idx.find_file(self.manual_folder, newsgroups.ARCHIVE)):
            by_split[message.split].append(message)
        kept = {split: [(m.group, m.number, newsgroups.tokens(m.text)) for m in messages[::cfg.stride]]
                for split, messages in by_split.items()}
        vocabulary = rcv1.most_frequent((toks for _, _, toks in kept["train"]), cfg.vocabulary)
        groups = sorted({group for group, _, _ in kept["train"]})
        self.info.metadata["vocabulary"] = vocabulary
        self.info.metadata["groups"] = groups
        column = {w: i for i, w in enumerate(vocabulary)}
        label = {g: i for i, g in enumerate(groups)}
        return {split: self._generate_examples(docs, column, label) for split, docs in kept.items()}

    def _generate_examples(self, docs, column: dict[str, int], label: dict[str, int]):
        for key, (group, number, toks) in enumerate(docs):
            words, counts = rcv1.counts_of(toks, column)
            yield key, {"words": words, "counts": counts, "label": label[group], "number": number}
