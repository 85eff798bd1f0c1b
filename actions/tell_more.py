"""action_tell_more: the deeper follow-up of the topic just answered."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.fallback import WHICH_TOPIC, WHICH_TOPIC_BUTTONS
from bot.topics import TOPICS


def last_topic(tracker: Tracker) -> Optional[str]:
    """The topic named in the button payload, else the topic of the assistant's last message
    (None when that message was not a knowledge answer, e.g. a self-check result)."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "topic" and entity.get("value") in TOPICS:
            return entity["value"]
    for event in reversed(tracker.events):
        if event.get("event") != "bot":
            continue
        action = (event.get("metadata") or {}).get("utter_action") or ""
        topic = action.removeprefix("utter_more_").removeprefix("utter_")
        return topic if topic in TOPICS else None
    return None


class ActionTellMore(Action):
    def name(self) -> Text:
        return "action_tell_more"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        topic = last_topic(tracker)
        if topic is None:
            dispatcher.utter_message(text=WHICH_TOPIC, buttons=WHICH_TOPIC_BUTTONS)
            return []
        dispatcher.utter_message(response=f"utter_more_{topic}")
        return [SlotSet("topic", topic)]
