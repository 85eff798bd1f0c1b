"""action_delete_my_data: delete everything stored for this conversation's respondent id."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import log
from bot.db import session_scope
from bot.errors import StorageError
from bot.repository import delete_respondent


class ActionDeleteMyData(Action):
    def name(self) -> Text:
        return "action_delete_my_data"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        rid = tracker.get_slot("respondent_id")
        counts = {"submissions": 0, "handoffs": 0}
        if rid:
            try:
                with session_scope() as session:
                    counts = delete_respondent(session, rid)
            except StorageError:
                dispatcher.utter_message(
                    text="Sorry, I couldn't reach our records just now, so nothing was deleted yet. Please try again in a moment."
                )
                return []
        log.info("delete_my_data sender=%s submissions=%s", tracker.sender_id, counts["submissions"])
        n, h = counts["submissions"], counts["handoffs"]
        if n or h:
            text = (f"Done: I've deleted everything stored from your conversations with me "
                    f"({n} set{'s' if n != 1 else ''} of answers, {h} request{'s' if h != 1 else ''} to talk to a person).")
        else:
            text = "There were no saved answers from your conversations with me, so there is nothing to delete."
        text += " Any answers you were in the middle of giving have been discarded too."
        dispatcher.utter_message(text=text)
        return [SlotSet("flow_state", None), SlotSet("respondent_id", None)]
