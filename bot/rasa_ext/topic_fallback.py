"""KnowledgeFallbackClassifier: Rasa's FallbackClassifier with a stricter bar for knowledge answers.

A greeting or a "yes" may be answered at Rasa's usual `threshold`; a knowledge topic is answered
only at `topic_threshold` or above (a confident wrong answer is worse than "I'm not sure"), and
only when the message is like one of the topic's training examples (`intent["evidence"]` from
LinearIntentClassifier at least `min_evidence`). Otherwise the message becomes `nlu_fallback`,
exactly as FallbackClassifier marks it, and action_fallback picks the kind reply.
"""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.training_data.message import Message

from bot.fallback import below_topic_threshold


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class KnowledgeFallbackClassifier(FallbackClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**FallbackClassifier.get_default_config(), "topic_threshold": 0.5, "min_evidence": 0.0}

    def _should_fallback(self, message: Message) -> bool:
        intent = message.data.get("intent") or {}
        evidence = intent.get("evidence")
        if below_topic_threshold(intent.get("name"), float(intent.get("confidence") or 0.0),
                                 float(self.component_config["topic_threshold"]),
                                 None if evidence is None else float(evidence),
                                 float(self.component_config["min_evidence"])):
            return True
        return super()._should_fallback(message)
