"""Evidence for a topic: how like the question is the nearest training example of that topic.

The intent model's probabilities say which topic is *more* likely than the others, not whether
any topic is about the question: "What is Join Dementia Research?" scores research_involvement
0.93 because no other class is closer, though its nearest example of that topic scores only 0.19. Comparing the question with the examples of its best topic
tells these apart: a question that shares words and word pairs with some example is about that
topic; one that shares a topic word and nothing else is not yet covered.

The similarity is the cosine, in the model's own word TF-IDF block (lemmas and lemma pairs), to
the most similar example: 1.0 for a question written exactly as an example is, 0 for one with no
word in common. Words only, because on the real-question dev split they separated right answers
from wrong ones better than character n-grams or the words and characters averaged (README,
"How it understands questions"). Only the listed classes (the knowledge topics) are indexed.
Plain numpy and scipy, saved without pickle, unit-tested without Rasa.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

INDEX_FILE = "example_index.npz"

Features = List[Tuple[Any, Any]]  # bot.nlu_model.Scorer.tfidf: per block, (feature indices, values)


class ExampleIndex:
    """Training examples of some classes as unit vectors over one TF-IDF block of the model."""

    def __init__(self, labels: Sequence[str], ranges: Sequence[Tuple[int, int]], data: Any, indices: Any,
                 indptr: Any, width: int, block: int) -> None:
        import numpy as np
        import scipy.sparse as sp

        self.labels = list(labels)
        self._rows: Dict[str, Tuple[int, int]] = {lab: (int(a), int(b)) for lab, (a, b) in zip(labels, ranges)}
        self.width, self.block = int(width), int(block)
        self._matrix = sp.csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32),
                                      np.asarray(indptr, dtype=np.int64)), shape=(len(indptr) - 1, self.width))
        # one matrix per class, sliced once: slicing on every message cost more than the product
        self._by_label = {lab: self._matrix[a:b] for lab, (a, b) in self._rows.items() if b > a}

    @classmethod
    def build(cls, features: Iterable[Features], labels: Iterable[str], keep: Iterable[str],
              width: int, block: int) -> "ExampleIndex":
        """From each training example's `Scorer.tfidf` and label; only the `keep` classes, and
        only block number `block` of the features."""
        import numpy as np

        wanted = set(keep)
        by_label: Dict[str, List[Tuple[Any, Any]]] = {}
        for feats, label in zip(features, labels):
            if label in wanted:
                by_label.setdefault(label, []).append(feats[block])
        names = sorted(by_label)
        data: List[Any] = []
        indices: List[Any] = []
        indptr, ranges = [0], []
        for name in names:
            start = len(indptr) - 1
            for row_idx, row_val in by_label[name]:
                indices.append(row_idx)
                data.append(row_val)
                indptr.append(indptr[-1] + len(row_idx))
            ranges.append((start, len(indptr) - 1))
        return cls(names, ranges, _joined(data, np.float32), _joined(indices, np.int32), np.asarray(indptr),
                   width, block)

    def covers(self, label: str) -> bool:
        return label in self._rows

    def similarity(self, features: Features, label: str) -> float:
        """Cosine to the nearest example of `label` (0.0 when it is not indexed or nothing is shared)."""
        import numpy as np

        examples = self._by_label.get(label)
        if examples is None or len(features) <= self.block:
            return 0.0
        idx, val = features[self.block]
        if not len(idx):
            return 0.0
        query = np.zeros(self.width, dtype=np.float32)
        query[idx] = val
        return float((examples @ query).max())

    def save(self, path: Path) -> None:
        import numpy as np

        meta = {"labels": self.labels, "ranges": [self._rows[lab] for lab in self.labels],
                "width": self.width, "block": self.block}
        m = self._matrix
        with open(path, "wb") as f:
            np.savez(f, meta=np.array(json.dumps(meta)), data=m.data, indices=m.indices, indptr=m.indptr)

    @classmethod
    def load(cls, path: Path) -> "ExampleIndex":
        """`allow_pickle=False`: a crafted file cannot run code, only fail to load."""
        import numpy as np

        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
            return cls(meta["labels"], [tuple(r) for r in meta["ranges"]], f["data"], f["indices"], f["indptr"],
                       meta["width"], meta["block"])


def _joined(parts: List[Any], dtype: Any) -> Any:
    import numpy as np

    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)
