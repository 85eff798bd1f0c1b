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
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

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
