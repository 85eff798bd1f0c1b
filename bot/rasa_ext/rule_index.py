"""RulePolicy's rule lookup with an index on the last state, instead of a scan of every rule.

For each prediction Rasa 3.6's RulePolicy tests every memorised rule (162 for our data)
against the current state, then the survivors against each earlier state of the whole
conversation; after a user message it does this twice (text, then intent). With 20 users
that scan was about 10% of the Rasa server's CPU (py-spy).

`possible_keys` gives the same answer as `RulePolicy._get_possible_keys` with less work:
- A rule whose last state names a previous action (and perhaps an intent) can only match a
  conversation state with that action (and intent), so only those rules are tested; rules
  whose last state is a conversation start, or names neither, are always tested.
- Once every remaining rule is shorter than the part of the history already checked, the
  earlier states cannot rule anything out (Rasa's own check returns True), so it stops.
Every candidate still goes through Rasa's own `_is_rule_applicable`.

`IndexedRulePolicy` is RulePolicy with this lookup, named in config.yml instead of `RulePolicy`
(so it is part of the trained model, not a patch applied at start). It also works out the
conversation's states once per prediction: right after a user message RulePolicy asks for them
twice (last message as text, then as intent), and each time replays the whole conversation
(about a third of its state work, py-spy). The two answers differ only in the last user
state, so both are made from one list. Training is Rasa's own: while the policy trains (and
prunes its rules) it uses Rasa's scan and states; the index answers predictions.
tests/unit/test_rasa_patches.py compares its lookups with the live `RulePolicy._get_possible_keys`
and its predictions with RulePolicy's.
"""
from __future__ import annotations

import json
import warnings
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

# Rasa's recipe validator looks for `RulePolicy` itself (`node.uses == RulePolicy`) and would warn,
# wrongly, that restart/back intents are not handled: this subclass handles them as RulePolicy does.
warnings.filterwarnings("ignore", message="'RulePolicy' is not included in the model's policy configuration")

Head = Tuple[Text, Optional[Text]]


def _exact(value: Any) -> Optional[Text]:
    """A value a conversation state must equal for the rule to apply (None: no such constraint)."""
    return value if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET else None


class RuleIndex:
    """The keys of one RulePolicy lookup, grouped by (previous action, intent) of their last state."""

    def __init__(self, keys: List[Text]) -> None:
        self.length: Dict[Text, int] = {}
        self.by_head: Dict[Head, List[Text]] = {}
        self.always: List[Text] = []
        for key in keys:
            states = json.loads(key)
            self.length[key] = len(states)
            last = states[-1] if states else {}
            action = _exact((last.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME))
            if action is None:
                self.always.append(key)
                continue
            intent = _exact((last.get(USER) or {}).get(INTENT))
            self.by_head.setdefault((action, intent), []).append(key)

    def candidates(self, state: Dict[Text, Any]) -> List[Text]:
        """Every key that could match `state` as the conversation's last state."""
        previous = state.get(PREVIOUS_ACTION)
        if not previous:  # a conversation start matches no rule that needs a previous action
            return list(self.always)
        action = previous.get(ACTION_NAME)
        intent = (state.get(USER) or {}).get(INTENT)
        found = self.always + self.by_head.get((action, None), [])
        if intent is not None:
            found = found + self.by_head.get((action, intent), [])
        return found


def possible_keys(policy: Any, lookup: Dict[Text, Text], states: List[Dict[Text, Any]]) -> Set[Text]:
    """`RulePolicy._get_possible_keys`, answered from an index built once per lookup."""
    if not states:
        return set(lookup.keys())
    indexes: Dict[int, Tuple[Dict[Text, Text], RuleIndex]] = policy.__dict__.setdefault("_coprod_rule_indexes", {})
    cached = indexes.get(id(lookup))
    if cached is None or cached[0] is not lookup or len(cached[1].length) != len(lookup):
        cached = indexes[id(lookup)] = (lookup, RuleIndex(list(lookup.keys())))
    index = cached[1]

    history = list(reversed(states))
    possible = {key for key in index.candidates(history[0]) if policy._is_rule_applicable(key, 0, history[0])}
    for turn, state in enumerate(history[1:], start=1):
        if not possible or max(index.length[key] for key in possible) <= turn:
            break
        possible = {key for key in possible if policy._is_rule_applicable(key, turn, state)}
    return possible


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class IndexedRulePolicy(RulePolicy):
    """RulePolicy whose rule lookup uses `possible_keys` (an index on the last state) when predicting."""

    _training = False  # True while `train` runs
    _predicting = False  # True during one `_predict`, when `_states` may hold its conversation's states
    _states: Optional[Tuple[DialogueStateTracker, Any, List[Dict[Text, Any]]]] = None

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        """Rasa's training, with Rasa's own rule lookup (it removes rules while it checks them).
        The signature is RulePolicy's: the graph passes the arguments by these names."""
        self._training = True
        try:
            return super().train(training_trackers, domain, **kwargs)
        finally:
            self._training = False

    def _predict(self, tracker: DialogueStateTracker, domain: Domain) -> Tuple[PolicyPrediction, Optional[Text]]:
        if self._training:
            return super()._predict(tracker, domain)
        self._predicting, self._states = True, None
        try:
            return super()._predict(tracker, domain)
        finally:
            self._predicting, self._states = False, None

    def _prediction_states(self, tracker: DialogueStateTracker, domain: Domain,
                           use_text_for_last_user_input: bool = False,
                           rule_only_data: Optional[Dict[Text, Any]] = None) -> List[Dict[Text, Any]]:
        """Rasa's `prediction_states` for RulePolicy (no rule-only turns ignored, nothing removed), with
        the replay of the conversation done once per prediction; each caller gets its own copy."""
        if not self._predicting or not isinstance(self.featurizer, MaxHistoryTrackerFeaturizer):
            return super()._prediction_states(tracker, domain, use_text_for_last_user_input, rule_only_data)
        featurizer = self.featurizer
        if self._states is None or self._states[0] is not tracker or self._states[1] != rule_only_data:
            states = featurizer._create_states(tracker, domain, ignore_rule_only_turns=False,
                                               rule_only_data=rule_only_data)
            self._states = (tracker, rule_only_data, featurizer.slice_state_history(states, featurizer.max_history))
        copies = [{part: dict(features) for part, features in state.items()} for state in self._states[2]]
        featurizer._choose_last_user_input([copies], use_text_for_last_user_input)
        return copies

    def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[Dict[Text, Any]]) -> Set[Text]:
        if self._training:
            return super()._get_possible_keys(lookup, states)
        return possible_keys(self, lookup, states)
