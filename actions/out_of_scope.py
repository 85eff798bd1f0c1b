"""action_out_of_scope: the kind reply to a message outside what the assistant is for.

The classifier's out-of-scope kind (`out_of_scope/<kind>`, bot.rasa_ext.intent_classifier) picks
the reply. A medical question and an emergency get the numbers of the organisation's region only
(`region` in organisation.yml; bot.helplines), named by country; the other kinds are the domain's
responses `utter_out_of_scope/<kind>`. action_record_out_of_scope runs next and keeps the question.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import helplines

KINDS = ("medical", "booking", "billing", "emergency", "other")


def out_of_scope_kind(tracker: Tracker) -> str:
    selector = (tracker.latest_message.get("response_selector") or {}).get("out_of_scope") or {}
    kind = ((selector.get("response") or {}).get("utter_action") or "utter_out_of_scope/other").split("/")[-1]
    return kind if kind in KINDS else "other"


class ActionOutOfScope(Action):
    def name(self) -> Text:
        return "action_out_of_scope"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kind = out_of_scope_kind(tracker)
        if kind in helplines.REPLIES:
            dispatcher.utter_message(text=helplines.REPLIES[kind](helplines.profile_region()))
        else:
            dispatcher.utter_message(response=f"utter_out_of_scope/{kind}")
        return []
