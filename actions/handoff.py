"""action_human_handoff and action_handoff: "talk to a person".

Without a handoff channel (HANDOFF_SLACK_CHANNEL) the person gets the organisation's contact
details, and a note of their last question is kept for the staff report. With one, the assistant
asks whether to send the question(s) to the team in Slack and, on yes, posts them there
(bot.handoff); staff replies come back through the Rasa server (bot.rasa_ext.relay).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import DatabaseAction, channel, latest_intent, log, respondent, who
from actions.privacy import ask as ask_delete
from bot import handoff, handoffs
from bot.db import session_scope
from bot.errors import StorageError
from bot.local_details import contact_line
from bot.organisation import current as organisation
from bot.parsing import clean_text, is_stop, parse_yes_no
from bot.privacy import asks_to_delete
from bot.repository import record_handoff
from bot.settings import settings


def user_texts(tracker: Tracker) -> List[str]:
    """What the person typed, oldest first, without the latest message."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    return [clean_text(e.get("text"), limit=2000) for e in users[:-1]]


def previous_question(tracker: Tracker) -> Optional[str]:
    """The person's message before they asked for a human (the context staff need)."""
    before = handoff.questions_before(user_texts(tracker))
    return before[-1] if before else None


class ActionHumanHandoff(DatabaseAction):
    def name(self) -> Text:
        return "action_human_handoff"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        org = organisation()
        rid, events = respondent(tracker)
        # staff in Slack get the contact details: replies from the thread reach the web chat and REST only
        if not settings().handoff_on or channel(tracker) == "slack":
            return events + self._note_only(dispatcher, tracker, rid)
        try:
            with session_scope() as session:
                already = handoffs.open_for(session, tracker.sender_id)
        except StorageError:
            already = None
        if already:
            dispatcher.utter_message(text=f"Your message is already with the team (reference {already.reference}); "
                                          "their reply will appear here.")
            return events
        questions = handoff.questions_before(user_texts(tracker))
        if not questions:
            dispatcher.utter_message(text=handoff.ASK_WHAT)
            return events + [SlotSet("handoff_state", {"stage": "question"})]
        dispatcher.utter_message(text=handoff.consent_prompt(org, questions), buttons=handoff.YES_NO)
        return events + [SlotSet("handoff_state", {"stage": "consent", "questions": questions, "asked": 1})]

    @staticmethod
    def _note_only(dispatcher: CollectingDispatcher, tracker: Tracker, rid: str) -> List[Dict[Text, Any]]:
        org = organisation()
        question = previous_question(tracker)
        noted = False
        if question:
            try:
                with session_scope() as session:
                    record_handoff(session, rid, channel(tracker), question)
                noted = True
            except StorageError:
                log.warning("could not record handoff sender=%s", who(tracker))
        text = f"You can talk to a person at {org.name}: {contact_line(org)}."
        if noted:
            text += (" I've also kept a note of your last question for the team to see when they review "
                     "requests (deleted after {days} days); nobody is alerted now, so please contact them if "
                     "you'd like a reply.").format(days=settings().retention_days)
        dispatcher.utter_message(text=text)
        return []


class ActionHandoff(DatabaseAction):
    """Each message while `handoff_state` is set: the question to send, then yes or no."""

    def name(self) -> Text:
        return "action_handoff"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        state = tracker.get_slot("handoff_state") or {}
        text = clean_text(tracker.latest_message.get("text"), limit=2000)
        intent, confidence = latest_intent(tracker)
        if asks_to_delete(text, intent, confidence, understood=state.get("stage") == "question"):
            return ask_delete(dispatcher, tracker, None)  # nothing is sent; on "no" this question goes on
        org = organisation()
        if state.get("stage") == "question":
            if not text or text.startswith("/") or is_stop(text):
                dispatcher.utter_message(text=f"{handoff.NOT_SENT} You can contact the team: {contact_line(org)}.")
                return [SlotSet("handoff_state", None)]
            dispatcher.utter_message(text=handoff.consent_prompt(org, [text]), buttons=handoff.YES_NO)
            return [SlotSet("handoff_state", {"stage": "consent", "questions": [text], "asked": 1})]
        answer = self._yes_no(tracker, text)
        if answer is None and int(state.get("asked") or 1) < 2:
            dispatcher.utter_message(text=handoff.CONSENT_RETRY, buttons=handoff.YES_NO)
            return [SlotSet("handoff_state", {**state, "asked": 2})]
        if not answer:
            dispatcher.utter_message(text=f"{handoff.NOT_SENT} You can contact the team: {contact_line(org)}.")
            return [SlotSet("handoff_state", None)]
        dispatcher.utter_message(text=self._send(tracker, list(state.get("questions") or [])))
        return [SlotSet("handoff_state", None)]

    @staticmethod
    def _yes_no(tracker: Tracker, text: str) -> Optional[bool]:
        intent, _ = latest_intent(tracker)
        if text == "/affirm":
            return True
        if text == "/deny" or is_stop(text):
            return False
        parsed = parse_yes_no(text)
        if parsed is not None:
            return parsed
        return {"affirm": True, "deny": False}.get(intent or "")

    @staticmethod
    def _send(tracker: Tracker, questions: List[str]) -> str:
        """Post to the team's channel, then record the thread; what to tell the person."""
        org, s = organisation(), settings()
        now = datetime.now(timezone.utc)
        reference = handoff.reference_code()
        rid, _ = respondent(tracker)
        try:
            from slack_sdk import WebClient

            client = WebClient(token=s.slack_token, base_url=s.slack_api_url, timeout=10)
            posted = client.chat_postMessage(channel=str(s.handoff_slack_channel),
                                             text=handoff.slack_post(questions, channel(tracker), now, reference))
            slack_ts, slack_channel = str(posted["ts"]), str(posted.get("channel") or s.handoff_slack_channel)
        except Exception as exc:
            log.warning("handoff post failed sender=%s error=%s", who(tracker), type(exc).__name__)
            return handoff.SEND_FAILED.format(contact=contact_line(org))
        try:
            with session_scope() as session:
                handoffs.record_sent(session, rid, channel(tracker), questions, reference, tracker.sender_id,
                                     slack_channel, slack_ts)
        except StorageError:
            log.warning("handoff posted but not recorded sender=%s", who(tracker))
            return handoff.SENT_UNLINKED.format(contact=contact_line(org))
        log.info("handoff sent sender=%s reference=%s", who(tracker), reference)
        return handoff.sent_reply(org, reference, now)
