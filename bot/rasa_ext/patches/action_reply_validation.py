"""Action server replies validated against a schema compiled once, per event type.

Rasa validates every action server reply with `jsonschema.validate`, which rebuilds the
validator each call: 37% of the Rasa CPU of a self-check step (py-spy). We keep the
validation but compile the schema once, and check each event only against its own type's
part of the schema (the same verdict; 6% of the Rasa CPU with 20 users before).
Replaces `RemoteAction._validate_action_result`.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, List, Text

from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

from bot.rasa_ext.patches.base import apply_patch, replace

NAME = "action_reply_validation"


class ActionReplyValidator:
    """Rasa's schema for action server replies, checked the same way, in less time.

    The schema lists the 23 event types under one `oneOf`, each fixed by `event: {const: ...}`,
    so jsonschema tries every type for every event. An event can only match alternatives whose
    const is its own `event` name, so validating against the alternatives of the names present
    gives the same verdict; anything else (no or odd `event` names, any failure) goes to the
    full schema, which also words the error exactly as Rasa would.
    """

    def __init__(self, schema: Dict[Text, Any]) -> None:
        from jsonschema.validators import validator_for

        self.schema = schema
        self.cls = validator_for(schema)  # the same validator class `jsonschema.validate()` picks
        self.full = self.cls(schema)
        self.by_names: Dict[frozenset, Any] = {}

    def _for_names(self, names: frozenset) -> Any:
        if names not in self.by_names:
            if len(self.by_names) > 64:
                self.by_names.clear()
            schema = copy.deepcopy(self.schema)
            items = schema["properties"]["events"]["items"]
            items["oneOf"] = [alt for alt in items["oneOf"] if alt["properties"]["event"]["const"] in names]
            self.by_names[names] = self.cls(schema)
        return self.by_names[names]

    def validate(self, result: Any) -> None:
        events = result.get("events") if isinstance(result, dict) else None
        if isinstance(events, list) and all(isinstance(e, dict) and isinstance(e.get("event"), str) for e in events):
            if self._for_names(frozenset(e["event"] for e in events)).is_valid(result):
                return
        from jsonschema.exceptions import best_match

        error = best_match(self.full.iter_errors(result))  # what `jsonschema.validate` raises
        if error is not None:
            raise error


_validator: List[ActionReplyValidator] = []


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """`RemoteAction._validate_action_result` with the compiled validator (same error text)."""
    from jsonschema import ValidationError

    if not _validator:
        _validator.append(ActionReplyValidator(self.action_response_format_spec()))
    try:
        _validator[0].validate(result)
        return True
    except ValidationError as e:
        e.message += (f". Failed to validate Action server response from API, make sure your response from the "
                      f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions")
        raise e


def apply() -> bool:
    """Install the compiled validator (once; Rasa 3.6.x only)."""
    return apply_patch(NAME, "action server replies checked with a compiled schema, per event type",
                       lambda: replace(RemoteAction, "_validate_action_result", validate_action_result))
