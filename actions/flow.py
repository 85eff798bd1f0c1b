"""action_start_flow and action_flow: Rasa's side of the guided flows in `bot.flows`."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel, latest_intent, log, now_iso, respondent, send
from bot import flows
from bot.db import session_scope
from bot.errors import StorageError
from bot.repository import previous_team_score, save_submission

STAFF_CHANNELS = ("slack",)


class ActionStartFlow(Action):
    def name(self) -> Text:
        return "action_start_flow"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intent, _ = latest_intent(tracker)
        which = "feedback" if intent == "give_feedback" else "self_check"
        ch = channel(tracker)
        role = "staff" if ch in STAFF_CHANNELS else tracker.get_slot("role")
        outcome = flows.start(which, ch, role, now_iso())
        _, events = respondent(tracker)
        send(dispatcher, outcome.replies)
        log.info("flow started sender=%s flow=%s", tracker.sender_id, outcome.state["flow"])
        return events + [SlotSet("flow_state", outcome.state)]


class ActionFlow(Action):
    def name(self) -> Text:
        return "action_flow"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        state = tracker.get_slot("flow_state")
        if not state:
            return []
        intent, confidence = latest_intent(tracker)
        text = tracker.latest_message.get("text") or ""
        outcome = flows.handle(state, text, intent, confidence, now_iso())
        rid, events = respondent(tracker)
        if outcome.digression:
            dispatcher.utter_message(response=outcome.digression)
        if outcome.to_save is not None:
            return events + self._save(dispatcher, tracker, state, outcome.to_save, rid)
        send(dispatcher, outcome.replies)
        new_state = outcome.state
        if new_state and new_state.get("role"):
            events.append(SlotSet("role", new_state["role"]))
        log.info("flow turn sender=%s flow=%s finished=%s", tracker.sender_id, state.get("flow"), outcome.finished)
        return events + [SlotSet("flow_state", new_state)]

    @staticmethod
    def _save(dispatcher: CollectingDispatcher, tracker: Tracker, state: Dict[str, Any],
              submission: Dict[str, Any], rid: str) -> List[Dict[Text, Any]]:
        try:
            with session_scope() as session:
                created = save_submission(session, submission, rid)
                previous = previous_team_score(session, submission.get("team"), submission["submission_id"])
        except StorageError:
            log.exception("save failed sender=%s", tracker.sender_id)
            send(dispatcher, [flows.save_failed_reply()])
            return [SlotSet("flow_state", state)]
        log.info("submission saved sender=%s kind=%s new=%s", tracker.sender_id, submission["kind"], created)
        send(dispatcher, flows.saved_replies(submission, state, previous))
        return [SlotSet("flow_state", None), SlotSet("role", state.get("role"))]
