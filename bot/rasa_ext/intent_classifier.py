"""LinearIntentClassifier: the NLU pipeline's intent classifier and out-of-scope selector.

Wraps `bot.nlu_model` (TF-IDF on lemmas + logistic regression). It reads the lemmas that
SpacyTokenizer puts on each message, sets `intent` and `intent_ranking`, and for retrieval
intents (`out_of_scope/<kind>`) fills `response_selector` the way Rasa's ResponseSelector
does, so `utter_out_of_scope` picks the right reply without a TensorFlow model. When the best
intent is a knowledge topic, `intent["evidence"]` is the similarity of the message to that
topic's nearest training example (`bot.nearest`); KnowledgeFallbackClassifier reads it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import nlu_fit, nlu_model
from bot.nearest import INDEX_FILE, ExampleIndex
from bot.topics import TOPICS


def lemma_text(message: Message) -> str:
    """The message as space-separated lower-case lemmas (falls back to the raw text)."""
    tokens = message.get("text_tokens") or []
    lemmas = [(getattr(t, "lemma", None) or t.text).lower() for t in tokens]
    return " ".join(lemmas) if lemmas else (message.get("text") or "").lower()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 10.0, "char_ngrams": [2, 4], "embedding_weight": 0.0, "ranking_length": 10,
                "cache_dir": ".cache/nlu-models", "evidence_block": "word"}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 scorer: Optional[nlu_model.Scorer] = None, index: Optional[ExampleIndex] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource, self.scorer, self.index = model_storage, resource, scorer, index

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        """Rasa's cache keeps a fitted classifier by its inputs and config; the solver too."""
        return nlu_fit.SOLVER

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get("intent")]
        labels = [m.get("intent_response_key") or m.get("intent") for m in examples]
        cache = self.config.get("cache_dir")
        texts = [lemma_text(m) for m in examples]
        self.scorer = nlu_model.fit(texts, labels, float(self.config["C"]),
                                    tuple(self.config["char_ngrams"]), Path(cache) if cache else None,
                                    embedding_weight=float(self.config["embedding_weight"]))
        self.index = ExampleIndex.build((self.scorer.tfidf(t) for t in texts), labels, TOPICS,
                                        self.scorer.n_features,
                                        self.scorer.tfidf_block(str(self.config["evidence_block"])))
        with self._storage.write_to(self._resource) as model_dir:
            nlu_model.save(self.scorer, model_dir / nlu_model.MODEL_FILE)
            self.index.save(model_dir / INDEX_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        with model_storage.read_from(resource) as model_dir:
            scorer = nlu_model.load(model_dir / nlu_model.MODEL_FILE)
            index = ExampleIndex.load(model_dir / INDEX_FILE)
        return cls(config, model_storage, resource, scorer, index)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.scorer is None or not messages:
            return messages
        classes = list(self.scorer.classes_)
        length = int(self.config["ranking_length"])
        for message in messages:
            text = lemma_text(message)
            features = self.scorer.tfidf(text)
            ranked = nlu_model.rank(classes, self.scorer.proba(text, features))
            ranking = [{"name": name, "confidence": conf} for name, conf in ranked.intents]
            best: Dict[str, Any] = dict(ranking[0])
            name = str(best["name"])
            if self.index is not None and self.index.covers(name):
                best["evidence"] = self.index.similarity(features, name)
            message.set("intent", best, add_to_output=True)
            message.set("intent_ranking", ranking[:length], add_to_output=True)
            if ranked.retrieval:
                message.set("response_selector", _selector_output(ranked), add_to_output=True)
        return messages


def _selector_output(ranked: nlu_model.Ranking) -> Dict[str, Any]:
    """The `response_selector` property in the shape Rasa's retrieval actions read."""
    output: Dict[str, Any] = {"all_retrieval_intents": sorted(ranked.retrieval)}
    for base, (key, conf) in ranked.retrieval.items():
        output[base] = {
            "response": {"responses": [], "confidence": conf, "intent_response_key": key,
                         "utter_action": f"utter_{key}"},
            "ranking": [{"intent_response_key": key, "confidence": conf}],
        }
    return output
