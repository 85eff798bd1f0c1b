"""What the assistant keeps, and "delete my data" (bot.privacy, bot.deletion, bot.erasure).

- action_privacy_info: what is stored and who sees it, made from the settings.
- action_ask_delete_my_data: the request, outside a flow (in a flow, action_flow and
  action_handoff hand it to `ask`): what is stored from this chat, then yes or no.
- The replies come back to action_flow (the state is in `flow_state`), which calls `delete_turn`.
  On yes it deletes the rows and runs action_delete_my_data, which says what was deleted; the
  tracker store then deletes the transcript, because that action ran this turn. That action runs
  only after a yes, so no transcript is ever deleted without one.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import DatabaseAction, channel, latest_intent, log, send, who
from bot import deletion, erasure, handoff, privacy
from bot.db import session_scope
from bot.errors import ConfigError, StorageError
from bot.organisation import current as organisation
from bot.settings import settings

PRIVACY_DIGRESSION = "utter_privacy_info"  # what bot.flows asks for when "privacy?" comes mid-flow


def org_name() -> str:
    try:
        return organisation().name
    except ConfigError:
        return "The service"


def privacy_text(tracker: Tracker) -> str:
    return privacy.privacy_info(org_name(), settings().handoff_on, channel(tracker))


class ActionPrivacyInfo(Action):
    def name(self) -> Text:
        return "action_privacy_info"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=privacy_text(tracker), buttons=privacy.PRIVACY_BUTTONS)
        return []


def ask(dispatcher: CollectingDispatcher, tracker: Tracker, resume: Optional[Dict[str, Any]]) -> List[Dict[Text, Any]]:
    """ "Delete my data": say what is stored from this chat and ask. (In a worker thread.)"""
    try:
        with session_scope() as session:
            tied = erasure.tied_to(session, tracker.get_slot("respondent_id"), tracker.sender_id)
    except StorageError:
        log.warning("delete: records unreachable sender=%s", who(tracker))
        send(dispatcher, deletion.cancel({"resume": resume}, deletion.STORAGE_FAILED).replies)
        return []
    state, reply = deletion.start(tied, resume)
    send(dispatcher, [reply])
    log.info("delete asked sender=%s saved=%s", who(tracker), tied.saved_anything)
    return [SlotSet("flow_state", state)]


def delete_turn(dispatcher: CollectingDispatcher, tracker: Tracker, state: Dict[str, Any]) -> List[Dict[Text, Any]]:
    """A reply while a delete is being confirmed (from action_flow, in a worker thread)."""
    if state.get("stage") == "done":  # left over if action_delete_my_data did not run: start afresh
        return [SlotSet("flow_state", None)]
    intent, _ = latest_intent(tracker)
    step = deletion.handle(state, tracker.latest_message.get("text") or "", intent)
    try:
        if step.do == "lookup":
            with session_scope() as session:
                what = erasure.find_by_reference(session, step.code_hash or "")
            step = (deletion.found(state, step.code_hash or "", what) if what
                    else deletion.not_found(state, step.code or ""))
        elif step.do in ("erase", "erase_code"):
            with session_scope() as session:
                if step.do == "erase":
                    counts = erasure.erase_conversation(session, tracker.get_slot("respondent_id"), tracker.sender_id)
                else:
                    counts = erasure.erase_by_reference(session, step.code_hash or "")
            mode = "conversation" if step.do == "erase" else "code"
            log.info("delete confirmed sender=%s mode=%s submissions=%s handoffs=%s unanswered=%s", who(tracker),
                     mode, counts.submissions, counts.handoffs, counts.unanswered)
            return [SlotSet("flow_state", deletion.done_state(state, counts, mode)),
                    FollowupAction("action_delete_my_data")]
    except StorageError:
        log.warning("delete: records unreachable sender=%s", who(tracker))
        dispatcher.utter_message(text=deletion.STORAGE_FAILED + " Say yes to try again, or no to leave it.",
                                 buttons=deletion.YES_NO)
        return [SlotSet("flow_state", state)]
    send(dispatcher, step.replies)
    asking = tracker.get_slot("handoff_state") or {}
    if step.do == "cancel" and asking:  # "delete my data" came while asking whether to send to the team
        consent = asking.get("stage") == "consent"
        dispatcher.utter_message(text=handoff.CONSENT_RETRY if consent else handoff.ASK_WHAT,
                                 buttons=handoff.YES_NO if consent else [])
    return [SlotSet("flow_state", step.state)]


class ActionAskDeleteMyData(DatabaseAction):
    def name(self) -> Text:
        return "action_ask_delete_my_data"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return ask(dispatcher, tracker, None)


class ActionDeleteMyData(Action):
    """Runs only as the follow-up of a confirmed delete (`delete_turn`): says what was deleted. The
    tracker store deletes the conversation's transcript after a turn that ran this action."""

    def name(self) -> Text:
        return "action_delete_my_data"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        state = tracker.get_slot("flow_state")
        if deletion.is_active(state) and state.get("stage") == "done":
            dispatcher.utter_message(text=deletion.done_text(state, org_name()))
        else:  # not reachable from the rules; the transcript goes all the same, so say so
            log.warning("action_delete_my_data without a confirmed delete sender=%s", who(tracker))
            dispatcher.utter_message(text="I've deleted this chat's log.")
        return [SlotSet("flow_state", None), SlotSet("handoff_state", None), SlotSet("respondent_id", None),
                SlotSet("role", None), FollowupAction("action_listen")]
