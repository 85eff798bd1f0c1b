"""LinearIntentEnsemble: DIET's intent ranking averaged with a TF-IDF logistic regression.

DIET alone generalised worse than a linear model to phrasings it had never seen (measured
with `make bench-nlu`); averaging the two keeps DIET's strengths and the linear model's
robustness. The linear model reads lemmas (from SpacyTokenizer) as words and word pairs,
plus character n-grams for misspellings. It must come after DIETClassifier in the pipeline;
FallbackClassifier then applies its thresholds to the combined confidence.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

log = logging.getLogger(__name__)
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.")


def lemma_text(message: Message) -> str:
    """The message as space-separated lower-case lemmas (falls back to the raw text)."""
    tokens = message.get("text_tokens") or []
    lemmas = [(getattr(t, "lemma", None) or t.text).lower() for t in tokens]
    return " ".join(lemmas) if lemmas else (message.get("text") or "").lower()


def build_model(c: float):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    return make_pipeline(
        FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ]),
        LogisticRegression(C=c, max_iter=3000),
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentEnsemble(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"diet_weight": 0.4, "C": 10.0, "ranking_length": 10}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, model: Any = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource, self.model = model_storage, resource, model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentEnsemble":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get("intent")]
        self.model = build_model(float(self.config["C"]))
        self.model.fit([lemma_text(m) for m in examples], [m.get("intent") for m in examples])
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        with self._storage.write_to(self._resource) as model_dir:
            sio.dump(self.model, model_dir / "linear.skops")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentEnsemble":
        import skops.io as sio

        with model_storage.read_from(resource) as model_dir:
            path = model_dir / "linear.skops"
            types = sio.get_untrusted_types(file=path)
            unsafe = [t for t in types if not t.startswith(TRUSTED_PREFIXES)]
            if unsafe:
                raise ValueError(f"refusing to load untrusted types: {unsafe}")
            model = sio.load(path, trusted=types)
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        probs = self.model.predict_proba([lemma_text(m) for m in messages])
        classes = list(self.model.classes_)
        w = float(self.config["diet_weight"])
        for message, row in zip(messages, probs):
            diet = {r["name"]: r["confidence"] for r in (message.get("intent_ranking") or [])}
            scores = {c: (1 - w) * p + w * diet.get(c, 0.0) for c, p in zip(classes, row)}
            ranking = sorted(({"name": c, "confidence": float(s)} for c, s in scores.items()),
                             key=lambda r: -r["confidence"])
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking[: int(self.config["ranking_length"])], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
