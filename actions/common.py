"""Small helpers shared by the actions: who (anonymously), where, and how to reply."""
from __future__ import annotations

import abc
import asyncio
import logging
import uuid
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation_ids import log_id

log = logging.getLogger("coprod.actions")


class DatabaseAction(Action, abc.ABC):
    """An action that uses the database: its work (`act`) runs in a worker thread, so a locked or
    slow database never stalls the action server's other calls. (Abstract, so rasa-sdk doesn't
    register it as an action of its own.)"""

    @abc.abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        raise NotImplementedError

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        return await asyncio.to_thread(self.act, dispatcher, tracker, domain)


def who(tracker: Tracker) -> str:
    """The conversation as logs may show it (bot.conversation_ids.log_id)."""
    return log_id(tracker.sender_id or "")


def respondent(tracker: Tracker) -> Tuple[str, List[Dict[str, Any]]]:
    """The conversation's random respondent id, creating it on first use (never the sender id)."""
    rid = tracker.get_slot("respondent_id")
    if rid:
        return rid, []
    rid = str(uuid.uuid4())
    return rid, [SlotSet("respondent_id", rid)]


def channel(tracker: Tracker) -> str:
    return (tracker.get_latest_input_channel() or "unknown")[:32]


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


def latest_intent(tracker: Tracker) -> Tuple[Optional[str], float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def send(dispatcher: CollectingDispatcher, replies: List[Dict[str, Any]]) -> None:
    for reply in replies:
        dispatcher.utter_message(text=reply["text"], buttons=reply.get("buttons") or [])
