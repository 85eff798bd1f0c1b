"""LinearIntentClassifier: the NLU pipeline's intent classifier and out-of-scope selector.

Wraps `bot.nlu_model` (TF-IDF on lemmas + logistic regression). It reads the lemmas that
SpacyTokenizer puts on each message, sets `intent` and `intent_ranking`, and for retrieval
intents (`out_of_scope/<kind>`) fills `response_selector` the way Rasa's ResponseSelector
does, so `utter_out_of_scope` picks the right reply without a TensorFlow model.
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

from bot import nlu_model


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
                "cache_dir": ".cache/nlu-models"}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 scorer: Optional[nlu_model.Scorer] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource, self.scorer = model_storage, resource, scorer

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get("intent")]
        labels = [m.get("intent_response_key") or m.get("intent") for m in examples]
        cache = self.config.get("cache_dir")
        self.scorer = nlu_model.fit([lemma_text(m) for m in examples], labels, float(self.config["C"]),
                                    tuple(self.config["char_ngrams"]), Path(cache) if cache else None,
                                    embedding_weight=float(self.config["embedding_weight"]))
        with self._storage.write_to(self._resource) as model_dir:
            nlu_model.save(self.scorer, model_dir / nlu_model.MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        with model_storage.read_from(resource) as model_dir:
            scorer = nlu_model.load(model_dir / nlu_model.MODEL_FILE)
        return cls(config, model_storage, resource, scorer)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.scorer is None or not messages:
            return messages
        probabilities = self.scorer.predict_proba([lemma_text(m) for m in messages])
        classes = list(self.scorer.classes_)
        length = int(self.config["ranking_length"])
        for message, row in zip(messages, probabilities):
            ranked = nlu_model.rank(classes, row)
            ranking = [{"name": name, "confidence": conf} for name, conf in ranked.intents]
            message.set("intent", ranking[0], add_to_output=True)
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
