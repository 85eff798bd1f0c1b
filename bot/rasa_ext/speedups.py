"""Rasa validates every action server reply with `jsonschema.validate`, which rebuilds the
validator each call: 37% of the Rasa CPU of a self-check step (py-spy, see the #6 note).
We keep the validation but compile the schema once. Imported by our tracker store, so it
applies in the Rasa server process only."""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_VALIDATOR: list = []


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for

    if not _VALIDATOR:
        schema = self.action_response_format_spec()
        _VALIDATOR.append(validator_for(schema)(schema))  # the same validator class `validate()` picks
    try:
        _VALIDATOR[0].validate(result)
        return True
    except ValidationError as e:
        e.message += (f". Failed to validate Action server response from API, make sure your response from the "
                      f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions")
        raise e


RemoteAction._validate_action_result = _validate_action_result
