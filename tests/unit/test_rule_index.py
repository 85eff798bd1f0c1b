"""The indexed rule lookup (bot.rasa_ext.rule_index) answers exactly as Rasa's scan does: the live
`RulePolicy._get_possible_keys` of the installed Rasa (nothing patches it; our policy is a subclass)."""
import json
import random

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import SHOULD_NOT_BE_SET

from bot.rasa_ext.rule_index import RuleIndex, possible_keys

ACTIONS = ["action_listen", "utter_greet", "action_flow", "utter_benefits", None]
INTENTS = ["greet", "benefits", "affirm", "out_of_scope", None]


def rasa_scan(policy, lookup, states):
    """Rasa's own RulePolicy._get_possible_keys: every key against every state."""
    assert RulePolicy._get_possible_keys.__module__ == "rasa.core.policies.rule_policy"
    return RulePolicy._get_possible_keys(policy, lookup, states)


def random_state(rng, for_rule):
    state = {}
    action = rng.choice(ACTIONS)
    if action:
        state["prev_action"] = {"action_name": action} if rng.random() < 0.9 else {"action_text": "hello"}
    intent = rng.choice(INTENTS)
    if intent:
        state["user"] = {"intent": intent} if rng.random() < 0.9 else {"text": "hi there"}
    if rng.random() < 0.3:
        state["slots"] = {"topic": (1.0,) if not for_rule else rng.choice([[1.0], SHOULD_NOT_BE_SET])}
    if rng.random() < 0.2:
        state["active_loop"] = {"name": rng.choice(["flow_form", SHOULD_NOT_BE_SET] if for_rule else ["flow_form"])}
    return state


def test_the_index_finds_the_same_rules_as_rasas_scan():
    rng = random.Random(7)
    policy = RulePolicy.__new__(RulePolicy)  # only the matching helpers are used
    lookup = {json.dumps([random_state(rng, True) for _ in range(rng.randint(1, 4))]): "utter_x" for _ in range(150)}
    matched = 0
    for _ in range(3000):
        history = [random_state(rng, False) for _ in range(rng.randint(0, 8))]
        if history and rng.random() < 0.5:  # often a state some rule was written for
            rule = json.loads(rng.choice(list(lookup)))
            history = history + [{k: v for k, v in s.items() if v != SHOULD_NOT_BE_SET} for s in rule]
        expected = rasa_scan(policy, lookup, history)
        assert possible_keys(policy, lookup, history) == expected
        matched += bool(expected)
    assert matched > 300  # the comparison covered many matches, not only empty answers


def test_rules_that_name_a_previous_action_are_filed_under_it():
    keys = [json.dumps([{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}]),
            json.dumps([{"user": {"intent": "greet"}}]),  # a conversation start: always tested
            json.dumps([{"prev_action": {"action_name": "utter_greet"}}])]
    index = RuleIndex(keys)
    listen_greet = {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}
    assert set(index.candidates(listen_greet)) == {keys[0], keys[1]}
    assert set(index.candidates({"prev_action": {"action_name": "utter_greet"}})) == {keys[1], keys[2]}
    assert index.candidates({"user": {"intent": "greet"}}) == [keys[1]]
