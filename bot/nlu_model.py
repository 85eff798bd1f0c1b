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

TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.")
MODEL_FILE = "intent_model.skops"


@dataclass(frozen=True)
class Ranking:
    """Base intents with confidences (best first) and, per retrieval intent, its best sub-kind."""

    intents: List[Tuple[str, float]]
    retrieval: Dict[str, Tuple[str, float]]


def build(c: float, char_ngrams: Tuple[int, int] = (2, 4)) -> Any:
    """An untrained pipeline: words and word pairs plus character n-grams (for misspellings)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    return make_pipeline(
        FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(char_ngrams), sublinear_tf=True)),
        ]),
        LogisticRegression(C=c, max_iter=3000),
    )


def fingerprint(texts: Sequence[str], labels: Sequence[str], params: Dict[str, Any]) -> str:
    """Identifies a fit: the exact examples, labels and parameters (order-independent)."""
    payload = json.dumps([sorted(zip(texts, labels)), params], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def fit(texts: Sequence[str], labels: Sequence[str], c: float, char_ngrams: Tuple[int, int] = (2, 4),
        cache_dir: Optional[Path] = None, keep: int = 4) -> Any:
    """Fit the model, or reuse an identical earlier fit from `cache_dir`.

    Rasa retrains every NLU component when only a response text changes (responses are part
    of its NLU training data); the model only reads examples and labels, so a cache keyed on
    those makes "edit an answer, retrain" take seconds.
    """
    key = fingerprint(texts, labels, {"C": c, "char_ngrams": list(char_ngrams)})
    cached = cache_dir / f"{key}.skops" if cache_dir else None
    if cached is not None and cached.exists():
        try:
            return load(cached)
        except Exception:  # a damaged cache entry is refitted, never trusted
            cached.unlink(missing_ok=True)
    model = build(c, char_ngrams)
    model.fit(list(texts), list(labels))
    if cached is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        save(model, tmp)
        tmp.replace(cached)
        for old in sorted(cache_dir.glob("*.skops"), key=lambda p: p.stat().st_mtime)[:-keep]:
            old.unlink(missing_ok=True)
    return model


class Scorer:
    """Predicts with a fitted pipeline, message by message, in plain numpy.

    scikit-learn's `transform` and `predict_proba` build several sparse matrices, check that
    every step is fitted and recompute the idf vector on each call: for one short message that
    bookkeeping was most of the classifier's time (about 1.8 ms a message, py-spy). This does
    the same sums directly: count each analyzer's n-grams, sublinear tf x idf, l2-normalise
    each block, then the linear scores and softmax. A unit test checks it equals
    `model.predict_proba` to 1e-9. Models it does not cover (one-vs-rest, other steps) fall
    back to scikit-learn.
    """

    def __init__(self, model: Any) -> None:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion

        self.model = model
        union, classifier = model[0], model[-1]
        self.classes_ = classifier.classes_
        self.fast = (
            len(model.steps) == 2 and isinstance(union, FeatureUnion) and not union.transformer_weights
            and isinstance(classifier, LogisticRegression) and classifier.classes_.size > 2
            and classifier.multi_class in ("auto", "multinomial") and classifier.solver != "liblinear"
            and all(isinstance(v, TfidfVectorizer) and v.use_idf and v.norm == "l2" and not v.binary
                    for _, v in union.transformer_list))
        if not self.fast:
            return
        self.blocks = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            self.blocks.append((vectorizer.build_analyzer(), vectorizer.vocabulary_, offset,
                                np.asarray(vectorizer.idf_, dtype=np.float64), vectorizer.sublinear_tf))
            offset += len(vectorizer.vocabulary_)
        self.weights = np.ascontiguousarray(classifier.coef_.T)  # (features, classes): one row per feature
        self.intercept = np.asarray(classifier.intercept_, dtype=np.float64)

    def predict_proba(self, texts: Sequence[str]) -> Any:
        """Class probabilities, rows in the order of `texts` (columns: `classes_`)."""
        import numpy as np

        if not self.fast:
            return self.model.predict_proba(list(texts))
        rows = np.empty((len(texts), self.classes_.size))
        for i, text in enumerate(texts):
            scores = self.intercept.copy()
            for analyzer, vocabulary, offset, idf, sublinear in self.blocks:
                counts: Dict[int, int] = {}
                for gram in analyzer(text):
                    index = vocabulary.get(gram)
                    if index is not None:
                        counts[index] = counts.get(index, 0) + 1
                if not counts:
                    continue
                index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
                values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                if sublinear:
                    values = np.log(values) + 1.0
                values *= idf[index]
                values /= np.sqrt(values @ values)
                scores += values @ self.weights[index + offset]
            scores -= scores.max()
            np.exp(scores, out=scores)
            rows[i] = scores / scores.sum()
        return rows


def save(model: Any, path: Path) -> None:
    import skops.io as sio

    sio.dump(model, path)


def load(path: Path) -> Any:
    """Load with skops, refusing any type outside scikit-learn/numpy/scipy (no pickle exploits)."""
    import skops.io as sio

    types = sio.get_untrusted_types(file=path)
    unsafe = [t for t in types if not t.startswith(TRUSTED_PREFIXES)]
    if unsafe:
        raise ValueError(f"refusing to load untrusted types: {unsafe}")
    return sio.load(path, trusted=types)


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
