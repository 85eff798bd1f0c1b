"""Two fixes to Rasa 3.6 internals, applied in the Rasa server process (imported by our tracker store).

1. Rasa validates every action server reply with `jsonschema.validate`, which rebuilds the
   validator each call: 37% of the Rasa CPU of a self-check step (py-spy). We keep the
   validation but compile the schema once.
2. `FailSafeTrackerStore` hides database failures: a failed read starts a brand-new
   conversation (an unfinished self-check is lost) and a failed write goes to memory only.
   We let the error through instead, so the turn fails, the person is told to try again in a
   moment (bot.rasa_ext.channels), and nothing is silently forgotten.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Text

from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import FailSafeTrackerStore
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

log = logging.getLogger("coprod.tracker_store")


async def _retrieve(self: FailSafeTrackerStore, sender_id: Text) -> Any:
    try:
        return await self._tracker_store.retrieve(sender_id)
    except Exception:
        log.error("tracker store read failed sender=%s", sender_id)
        raise


async def _save(self: FailSafeTrackerStore, tracker: Any) -> None:
    try:
        await self._tracker_store.save(tracker)
    except Exception:
        log.error("tracker store write failed sender=%s", tracker.sender_id)
        raise


FailSafeTrackerStore.retrieve = _retrieve
FailSafeTrackerStore.save = _save
