"""Action server replies get the same verdict and error as Rasa's own `jsonschema.validate`."""
import copy

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.rasa_ext.patches.action_reply_validation import ActionReplyValidator

SCHEMA = RemoteAction.action_response_format_spec()
SLOT = {"event": "slot", "name": "flow_state", "value": {"step": 2}, "timestamp": None}
BOT = {"event": "bot", "text": "Thanks", "data": {"buttons": [{"title": "Yes", "payload": "/affirm"}]}}
USER = {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": []}}

VALID = [
    {"events": [], "responses": []},
    {"events": [SLOT], "responses": [{"text": "Saved."}]},
    {"events": [SLOT, BOT, {"event": "action", "name": "action_listen"}, USER, {"event": "followup", "name": "x"}]},
    {"events": [{"event": "restart"}, {"event": "session_started"}, {"event": "reset_slots"}]},
    {"events": [{"event": "active_loop", "name": None}], "responses": []},
    {"responses": [{"text": "no events key"}]},
    {"events": [{"event": "bot", "text": ["a"]}]},  # Rasa's schema leaves a bot text untyped
]
INVALID = [
    {"events": [{"event": "slot", "name": 3}]},  # slot name must be a string
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"name": "flow_state"}]},  # no event name
    {"events": [{"event": 7}]},
    {"events": [SLOT, {"event": "user", "text": 5}]},
    {"events": "not a list"},
    {"events": [SLOT], "responses": ["not an object"]},
    {"events": [{"event": "action", "name": "x", "policy": 3}]},
    ["not", "an", "object"],
]


def _rasa_error(reply):
    try:
        jsonschema.validate(reply, SCHEMA)
    except jsonschema.ValidationError as e:
        return e.message
    return None


@pytest.mark.parametrize("reply", VALID + INVALID)
def test_verdict_and_message_are_rasas(reply):
    validator = ActionReplyValidator(copy.deepcopy(SCHEMA))
    expected = _rasa_error(reply)
    if expected is None:
        validator.validate(reply)
    else:
        with pytest.raises(jsonschema.ValidationError) as caught:
            validator.validate(reply)
        assert caught.value.message == expected
    assert (reply in VALID) == (expected is None)  # the cases are what they say they are


def test_each_event_is_checked_only_against_its_own_types():
    validator = ActionReplyValidator(copy.deepcopy(SCHEMA))
    validator.validate({"events": [SLOT, BOT]})
    (names, narrow), = validator.by_names.items()
    assert names == {"slot", "bot"}
    assert len(narrow.schema["properties"]["events"]["items"]["oneOf"]) == 2
    assert len(SCHEMA["properties"]["events"]["items"]["oneOf"]) > 20
