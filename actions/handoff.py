"""action_human_handoff: the organisation's contact details, and a note for staff."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel, log, respondent
from bot.db import session_scope
from bot.errors import StorageError
from bot.parsing import clean_text
from bot.repository import record_handoff
from bot.local_details import contact_line
from bot.organisation import current as organisation


def previous_question(tracker: Tracker) -> Optional[str]:
    """The person's message before they asked for a human (the context staff need)."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    for event in reversed(users[:-1]):
        text = clean_text(event.get("text"), limit=2000)
        if text and not text.startswith("/"):
            return text
    return None


class ActionHumanHandoff(Action):
    def name(self) -> Text:
        return "action_human_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        org = organisation()
        rid, events = respondent(tracker)
        noted = True
        try:
            with session_scope() as session:
                record_handoff(session, rid, channel(tracker), previous_question(tracker))
        except StorageError:
            noted = False
            log.warning("could not record handoff sender=%s", tracker.sender_id)
        text = f"You can talk to a person at {org.name}: {contact_line(org)}."
        if noted:
            text += " I've also passed on a note, with your last question, so the team knows what you asked."
        dispatcher.utter_message(text=text)
        return events
