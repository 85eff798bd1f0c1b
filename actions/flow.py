"""action_start_flow and action_flow: Rasa's side of the guided flows in `bot.flows`."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import DatabaseAction, channel, latest_intent, log, now_iso, respondent, send, who
from actions.privacy import PRIVACY_DIGRESSION, ask, delete_turn, privacy_text
from actions.out_of_scope import out_of_scope_kind
from bot import deletion, erasure, flows, helplines
from bot.db import session_scope
from bot.errors import ConfigError, StorageError
from bot.organisation import current as organisation
from bot.repository import previous_team_score, save_submission

STAFF_CHANNELS = ("slack",)


def team_codes() -> Mapping[str, str]:
    """The profile's team codes; none if the profile cannot be read (then no team's results are
    shown to anyone but the person who made the check)."""
    try:
        return organisation().team_codes
    except ConfigError:
        log.exception("organisation profile unreadable: team codes are off")
        return {}


def role_events(state: Mapping[str, Any]) -> List[Dict[Text, Any]]:
    """Remember the role only when the person told us (or their channel did): feedback alone
    does not make someone a consumer for their next self-check."""
    if state and state.get("role_known") and state.get("role"):
        return [SlotSet("role", state["role"])]
    return []


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
        log.info("flow started sender=%s flow=%s", who(tracker), (outcome.state or {}).get("flow"))
        return events + [SlotSet("flow_state", outcome.state)]


class ActionFlow(DatabaseAction):
    def name(self) -> Text:
        return "action_flow"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        state = tracker.get_slot("flow_state")
        if not state:
            return []
        if deletion.is_active(state):
            return delete_turn(dispatcher, tracker, state)
        intent, confidence = latest_intent(tracker)
        text = tracker.latest_message.get("text") or ""
        if intent == "out_of_scope" and confidence >= 0.5 and out_of_scope_kind(tracker) == "emergency":
            # safety first, mid-flow too: the region's numbers, then the flow goes on as usual
            dispatcher.utter_message(text=helplines.emergency_reply(helplines.profile_region()))
        outcome = flows.handle(state, text, intent, confidence, now_iso(), team_codes())
        if outcome.delete_requested:  # asked first; on "no" the flow carries on
            return ask(dispatcher, tracker, resume=state)
        rid, events = respondent(tracker)
        if outcome.digression == PRIVACY_DIGRESSION:
            dispatcher.utter_message(text=privacy_text(tracker))
        elif outcome.digression:
            dispatcher.utter_message(response=outcome.digression)
        if outcome.to_save is not None:
            return events + self._save(dispatcher, tracker, state, outcome.to_save, rid)
        send(dispatcher, outcome.replies)
        new_state = outcome.state
        events += role_events(new_state or {})
        log.info("flow turn sender=%s flow=%s finished=%s", who(tracker), state.get("flow"), outcome.finished)
        return events + [SlotSet("flow_state", new_state)]

    @staticmethod
    def _save(dispatcher: CollectingDispatcher, tracker: Tracker, state: Dict[str, Any],
              submission: flows.SubmissionData, rid: str) -> List[Dict[Text, Any]]:
        try:
            with session_scope() as session:
                created = save_submission(session, submission, rid)
                reference = erasure.issue_reference(session, submission["submission_id"])
                previous = previous_team_score(session, submission["team"], submission["submission_id"],
                                               respondent_id=rid, verified=submission["team_verified"])
        except StorageError:
            log.exception("save failed sender=%s", who(tracker))
            send(dispatcher, [flows.save_failed_reply()])
            return [SlotSet("flow_state", state)]
        log.info("submission saved sender=%s kind=%s new=%s", who(tracker), submission["kind"], created)
        send(dispatcher, flows.saved_replies(submission, state, previous, reference))
        return [SlotSet("flow_state", None), *role_events(state)]
