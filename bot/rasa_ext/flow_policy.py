"""FlowPolicy: while a guided flow is active, every message goes to `action_flow`.

The flow's state lives in the `flow_state` slot and its logic in `bot.flows`; this
policy only routes. The same holds for asking whether to send a question to the team
(`handoff_state` -> `action_handoff`, bot.handoff). It outranks RulePolicy (priority 7 > 6) so that an answer like
"4" or a digression ("what is co-design?") mid-flow reaches the flow, which decides.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction, confidence_scores_for
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

FLOW_ACTIONS = ("action_flow", "action_start_flow", "action_handoff", "action_human_handoff")
ROUTES = (("flow_state", "action_flow"), ("handoff_state", "action_handoff"))  # slot -> the action it routes to


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class FlowPolicy(Policy):
    """Routes turns of an active guided flow; abstains otherwise."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 7}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource):
            pass  # nothing learned: the routing is fixed

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        last = tracker.latest_action_name
        if last in FLOW_ACTIONS:
            return self._prediction(confidence_scores_for(ACTION_LISTEN_NAME, 1.0, domain))
        if last == ACTION_LISTEN_NAME:
            for slot, action in ROUTES:
                if tracker.get_slot(slot):
                    return self._prediction(confidence_scores_for(action, 1.0, domain))
        return self._prediction(self._default_predictions(domain))
