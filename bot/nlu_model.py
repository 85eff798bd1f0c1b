"""The intent model: TF-IDF features on lemmas with a logistic regression (scikit-learn).

Plain Python, unit-testable without Rasa; `bot.rasa_ext.intent_classifier` wraps it for the
NLU pipeline. Why not DIET: on phrasings it had not seen, a linear model on words and
character n-grams generalised as well or better (see `make bench-nlu`), trains in seconds
and keeps TensorFlow models out of the server's memory and start-up time.

Retrieval intents (`out_of_scope/medical`, ...) are trained as separate classes; `rank`
adds their probabilities up to the base intent and keeps the best sub-kind, which is what
Rasa's ResponseSelector would otherwise provide.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

MODEL_FILE = "intent_model.npz"
FORMAT = 2  # of the saved file (bot.nlu_model.save); 2 added the sentence-embedding block


@dataclass(frozen=True)
class Ranking:
    """Base intents with confidences (best first) and, per retrieval intent, its best sub-kind."""

    intents: List[Tuple[str, float]]
    retrieval: Dict[str, Tuple[str, float]]


class EmbeddingFeatures:
    """A scikit-learn transformer: each text's sentence embedding (bot.embeddings) times `weight`."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, texts: Any, y: Any = None) -> "EmbeddingFeatures":
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        import scipy.sparse as sp

        from bot.embeddings import embedder

        return sp.csr_matrix(self.weight * embedder().embed(list(texts)))

    def fit_transform(self, texts: Sequence[str], y: Any = None) -> Any:
        return self.transform(texts)

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        return {"weight": self.weight}

    def set_params(self, **params: Any) -> "EmbeddingFeatures":
        self.weight = params.get("weight", self.weight)
        return self


def build(c: float, char_ngrams: Tuple[int, int] = (2, 4), embedding_weight: float = 0.0) -> Any:
    """An untrained pipeline: words and word pairs, character n-grams (for misspellings) and,
    with `embedding_weight` > 0, the sentence embedding (meaning beyond the exact words)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    blocks: List[Tuple[str, Any]] = [
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(char_ngrams), sublinear_tf=True, min_df=2)),
    ]
    if embedding_weight > 0:
        blocks.append(("meaning", EmbeddingFeatures(embedding_weight)))
    return make_pipeline(FeatureUnion(blocks), LogisticRegression(C=c, max_iter=3000))


def fingerprint(texts: Sequence[str], labels: Sequence[str], params: Dict[str, Any]) -> str:
    """Identifies a fit: the exact examples, labels and parameters (order-independent)."""
    payload = json.dumps([sorted(zip(texts, labels)), params], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def fit(texts: Sequence[str], labels: Sequence[str], c: float, char_ngrams: Tuple[int, int] = (2, 4),
        cache_dir: Optional[Path] = None, keep: int = 4, embedding_weight: float = 0.0) -> "Scorer":
    """Fit the model (or reuse an identical earlier fit from `cache_dir`) and return its Scorer.

    Rasa retrains every NLU component when only a response text changes (responses are part
    of its NLU training data); the model only reads examples and labels, so a cache keyed on
    those makes "edit an answer, retrain" take seconds.
    """
    from bot import nlu_fit
    from bot.embeddings import DIM

    key = fingerprint(texts, labels, {"C": c, "char_ngrams": list(char_ngrams), "format": FORMAT,
                                      "embedding_weight": embedding_weight, "solver": nlu_fit.SOLVER})
    cached = cache_dir / f"{key}.npz" if cache_dir else None
    if cached is not None and cached.exists():
        try:
            return load(cached)
        except Exception:  # a damaged cache entry is refitted, never trusted
            cached.unlink(missing_ok=True)
    model = build(c, char_ngrams, embedding_weight)
    features = model[0].fit_transform(list(texts))
    classifier = model[-1]  # fitted by bot.nlu_fit (the same objective, in half the time)
    dense = DIM if embedding_weight > 0 else 0  # the embedding block, last of the features
    nlu_fit.multinomial_logistic(features, dense, labels, classifier.C, classifier.max_iter,
                                 classifier.tol).apply_to(classifier, features.shape[1])
    scorer = Scorer.from_pipeline(model)
    if cached is not None and cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(cached.stem + ".tmp")
        save(scorer, tmp)
        tmp.replace(cached)
        for old in sorted(cache_dir.glob("*.npz"), key=lambda p: p.stat().st_mtime)[:-keep]:
            old.unlink(missing_ok=True)
    return scorer


_ANALYZER_PARAMS = ("analyzer", "ngram_range", "token_pattern", "lowercase", "strip_accents")


class Scorer:
    """The fitted model's arithmetic, message by message, in plain numpy; saved and loaded
    without pickle.

    scikit-learn's `transform` and `predict_proba` build several sparse matrices, check that
    every step is fitted and recompute the idf vector on each call: for one short message that
    bookkeeping was most of the classifier's time (about 1 ms a message, against 0.1 ms here).
    This does the same sums: count each analyzer's n-grams, sublinear tf x idf, l2-normalise
    each block, add the weighted sentence embedding, then the linear scores and softmax. The
    weights are kept as float32 (half the memory of scikit-learn's float64: 13 MB for our model);
    the sums are done in float64. A unit test checks it equals the pipeline's `predict_proba` to
    1e-6, also after saving and loading.
    """

    def __init__(self, blocks: List[Dict[str, Any]], idf: Dict[int, Any], weights: Any, intercept: Any,
                 classes: Sequence[str]) -> None:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.blocks = blocks  # JSON-able: kind, analyzer settings and vocabulary, or embedding weight
        self.idf = {i: np.asarray(v, dtype=np.float64) for i, v in idf.items()}
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)  # (features, classes)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.classes_ = np.asarray([str(c) for c in classes])
        self._blocks: List[Tuple[Any, ...]] = []
        offset = 0
        for i, block in enumerate(blocks):
            if block.get("kind") == "embedding":
                from bot.embeddings import DIM, embedder

                self._blocks.append(("embedding", float(block["weight"]), offset, offset + DIM, embedder))
                offset += DIM
                continue
            settings = {k: (tuple(v) if isinstance(v, list) else v) for k, v in block["settings"].items()}
            analyzer = TfidfVectorizer(**settings).build_analyzer()
            block_idf = self.idf.get(i)
            if block_idf is None or block_idf.shape != (len(block["vocabulary"]),):
                raise ValueError("the model's arrays do not fit together")
            self._blocks.append(("tfidf", analyzer, block["vocabulary"], offset, block_idf, bool(block["sublinear_tf"])))
            offset += len(block["vocabulary"])
        if self.weights.shape != (offset, self.classes_.size) or self.intercept.shape != (self.classes_.size,):
            raise ValueError("the model's arrays do not fit together")

    @property
    def n_features(self) -> int:
        return int(self.weights.shape[0])

    def tfidf_block(self, analyzer: str) -> int:
        """The position, among `tfidf`'s blocks, of the one with this analyzer ("word", "char_wb")."""
        kinds = [b["settings"]["analyzer"] for b in self.blocks if b.get("kind") == "tfidf"]
        return kinds.index(analyzer)

    @classmethod
    def from_pipeline(cls, model: Any) -> "Scorer":
        """From a fitted `build()` pipeline (TF-IDF and embedding blocks, multinomial logistic regression)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion

        union, classifier = model[0], model[-1]
        parts = [v for _, v in getattr(union, "transformer_list", [])]
        supported = (
            len(model.steps) == 2 and isinstance(union, FeatureUnion) and not union.transformer_weights
            and isinstance(classifier, LogisticRegression) and classifier.classes_.size > 2
            and classifier.multi_class in ("auto", "multinomial") and classifier.solver != "liblinear"
            and all(isinstance(v, EmbeddingFeatures) or (
                isinstance(v, TfidfVectorizer) and v.use_idf and v.norm == "l2" and not v.binary
                and v.preprocessor is None and v.tokenizer is None and v.stop_words is None) for v in parts))
        if not supported:
            raise ValueError("Scorer covers build()'s pipeline: TF-IDF and embedding blocks and a multinomial "
                             "logistic regression")
        blocks: List[Dict[str, Any]] = []
        idf: Dict[int, Any] = {}
        for i, v in enumerate(parts):
            if isinstance(v, EmbeddingFeatures):
                blocks.append({"kind": "embedding", "weight": float(v.weight)})
                continue
            blocks.append({"kind": "tfidf", "settings": {k: getattr(v, k) for k in _ANALYZER_PARAMS},
                           "vocabulary": {term: int(j) for term, j in v.vocabulary_.items()},
                           "sublinear_tf": bool(v.sublinear_tf)})
            idf[i] = v.idf_
        return cls(blocks, idf, classifier.coef_.T, classifier.intercept_, classifier.classes_)

    def tfidf(self, text: str) -> List[Tuple[Any, Any]]:
        """The text's TF-IDF blocks, in order: per block, (feature indices in the whole feature
        space, values), l2-normalised as scikit-learn does (both empty if no n-gram is known).
        `proba` scores these; `bot.nearest` compares them with training examples."""
        import numpy as np

        out: List[Tuple[Any, Any]] = []
        for block in self._blocks:
            if block[0] != "tfidf":
                continue
            _, analyzer, vocabulary, offset, idf, sublinear = block
            counts: Dict[int, int] = {}
            for gram in analyzer(text):
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if counts:
                if sublinear:
                    values = np.log(values) + 1.0
                values *= idf[index]
                values /= np.sqrt(values @ values)
            out.append((index + offset, values))
        return out

    def proba(self, text: str, tfidf: Optional[List[Tuple[Any, Any]]] = None) -> Any:
        """One text's class probabilities (columns: `classes_`); `tfidf` if already computed.

        The vector-matrix products are `einsum`s, not `@`: for one message they are tiny, and
        `@` hands them to the BLAS library's worker threads, which spin on them. With 20 users the
        Rasa server used 157% of a core that way, 88% with `einsum`, at the same messages/s."""
        import numpy as np

        scores = self.intercept.copy()
        for block in self._blocks:
            if block[0] == "embedding":
                _, weight, start, end, embedder = block
                scores += np.einsum("i,ij->j", weight * embedder().embed([text])[0], self.weights[start:end])
        for index, values in self.tfidf(text) if tfidf is None else tfidf:
            if index.size:
                scores += np.einsum("i,ij->j", values, self.weights.take(index, axis=0))
        scores -= scores.max()
        np.exp(scores, out=scores)
        return scores / scores.sum()

    def predict_proba(self, texts: Sequence[str]) -> Any:
        """Class probabilities, rows in the order of `texts` (columns: `classes_`)."""
        import numpy as np

        rows = np.empty((len(texts), self.classes_.size))
        for i, text in enumerate(texts):
            rows[i] = self.proba(text)
        return rows

    def predict(self, texts: Sequence[str]) -> List[str]:
        """The most probable class of each text."""
        return [str(self.classes_[row.argmax()]) for row in self.predict_proba(texts)]


def save(scorer: Scorer, path: Path) -> None:
    """Numbers as arrays and the rest as JSON text in one .npz file: nothing is pickled."""
    import numpy as np

    meta = {"format": FORMAT, "classes": [str(c) for c in scorer.classes_], "blocks": scorer.blocks}
    arrays = {f"idf{i}": idf for i, idf in scorer.idf.items()}
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), weights=scorer.weights, intercept=scorer.intercept, **arrays)


def load(path: Path) -> Scorer:
    """Load a saved model. `allow_pickle=False`: a crafted file cannot run code, only fail to load."""
    import numpy as np

    with np.load(path, allow_pickle=False) as f:
        meta = json.loads(str(f["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"unknown model format {meta.get('format')!r}")
        idf = {i: f[f"idf{i}"] for i, b in enumerate(meta["blocks"]) if b.get("kind") != "embedding"}
        return Scorer(meta["blocks"], idf, f["weights"], f["intercept"], meta["classes"])


def rank(classes: Iterable[str], probabilities: Iterable[float]) -> Ranking:
    """Sum sub-kind probabilities into their base intent; remember each base's best sub-kind."""
    totals: Dict[str, float] = {}
    retrieval: Dict[str, Tuple[str, float]] = {}
    for label, p in zip(classes, probabilities):
        p = float(p)
        base, _, sub = label.partition("/")
        totals[base] = totals.get(base, 0.0) + p
        if sub and (base not in retrieval or p > retrieval[base][1]):
            retrieval[base] = (label, p)
    intents = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return Ranking(intents=intents, retrieval=retrieval)
