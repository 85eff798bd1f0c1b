"""action_fallback (no topic confident enough) and action_record_out_of_scope: answer kindly,
and keep the question for the content team (never an emergency message)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import DatabaseAction, channel, log, who
from bot import fallback
from bot.db import session_scope
from bot.errors import StorageError
from bot.parsing import clean_text
from bot.repository import record_unanswered


def _store(tracker: Tracker, reason: str, guess: Optional[str], confidence: Optional[float]) -> bool:
    """Keep the question for staff; True only if it was stored."""
    text = clean_text(tracker.latest_message.get("text"), limit=2000)
    if not text or text.startswith("/"):
        return False
    try:
        with session_scope() as session:
            record_unanswered(session, text, channel(tracker), reason, guess, confidence)
        return True
    except StorageError:
        log.warning("could not store unanswered question sender=%s", who(tracker))
        return False


class ActionFallback(DatabaseAction):
    def name(self) -> Text:
        return "action_fallback"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        decision = fallback.decide(tracker.latest_message.get("intent_ranking") or [])
        kept = decision.kind != "disambiguate" and _store(tracker, decision.kind, decision.best_guess,
                                                           decision.confidence)
        dispatcher.utter_message(text=fallback.reply_text(decision, kept), buttons=decision.buttons())
        log.info("fallback sender=%s decision=%s", who(tracker), decision.kind)
        return []


class ActionRecordOutOfScope(DatabaseAction):
    """Runs after the out-of-scope reply; keeps the question for staff (never an emergency message)."""

    def name(self) -> Text:
        return "action_record_out_of_scope"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        selector = (tracker.latest_message.get("response_selector") or {}).get("out_of_scope") or {}
        kind = ((selector.get("response") or {}).get("utter_action") or "utter_out_of_scope/other").split("/")[-1]
        if kind != "emergency":
            _store(tracker, "out_of_scope", kind, None)
        return []
