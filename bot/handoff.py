"""Talking to a person: what the assistant says and sends at each step (plain Python).

The person asks for a person; the assistant asks whether it may send the question(s) that led
there to the team's Slack channel (HANDOFF_SLACK_CHANNEL); on yes it posts them with the time,
where they came from and a short reference, never who the person is. Staff reply in the Slack
thread and the person reads it in the chat; while a member of staff is in the thread, the
person's messages go there, until either side ends it. Storage is in `bot.handoffs`, the Rasa
side in `bot.rasa_ext.relay`.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Sequence

from bot.organisation import Organisation, schedule

REFERENCE_ALPHABET = "ACDEFHJKMNPQRTUVWXY3479"  # no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B
MAX_QUESTIONS = 3
END_PAYLOAD = "/end_handoff"
END_BUTTON = {"title": "End the chat with the team", "payload": END_PAYLOAD}
STAFF_END_WORDS = ("end", "#end", "done", "close", "end chat", "close chat")
PERSON_END_WORDS = ("end", "end chat", "end the chat", "stop", "stop chat", "close chat", "back to the assistant")
END_REACTIONS = ("white_check_mark", "heavy_check_mark", "ballot_box_with_check")
CHANNEL_NAMES = {"socketio": "the website chat", "rest": "an app (REST)", "slack": "Slack"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def reference_code() -> str:
    """A short reference the person and staff can both quote, e.g. H-7QKAX."""
    return "H-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


def questions_before(user_texts: Sequence[str]) -> List[str]:
    """The person's messages before they asked for a person (the last MAX_QUESTIONS, oldest first),
    without button payloads."""
    texts = [t for t in user_texts if t and not t.startswith("/")]
    return texts[-MAX_QUESTIONS:]


def consent_prompt(org: Organisation, questions: Sequence[str], retention_days: Optional[int] = None) -> str:
    """Asked before anything is sent; what it says is what `slack_post`, the relay and the
    retention job do (RETENTION_DAYS, bot.privacy)."""
    from bot.privacy import days

    quoted = "\n".join(f"“{q}”" for q in questions)
    what, it = ("this message", "it") if len(questions) == 1 else ("these messages", "them")
    n = days() if retention_days is None else retention_days
    return (f"I can send {what} to the team at {org.name}, so a person can reply to you here:\n{quoted}\n"
            "They will see only the words above, the time and which chat it came from, not who you are. "
            "Once someone replies, what you type next goes to them too, until the chat ends. I keep "
            f"{it} and the team's replies for {n} days, and staff see {it} in their report; Slack keeps its own "
            "copy. Shall I send it?")


ASK_WHAT = ("Of course. What would you like to ask the team? Type your question and I'll ask before "
            "sending it.")
NOT_SENT = "OK, I haven't sent anything."
SEND_FAILED = ("Sorry, I couldn't reach the team just now, so nothing was sent. You can contact them "
               "directly: {contact}.")
SENT_UNLINKED = ("I sent your message to the team, but I couldn't link their reply to this chat, so it won't "
                 "appear here. Please contact them directly: {contact}.")


CONSENT_RETRY = "Please answer yes or no: shall I send your message to the team?"
YES_NO = [{"title": "Yes, send it", "payload": "/affirm"}, {"title": "No, don't send it", "payload": "/deny"}]


def expectation(org: Organisation, now_utc: datetime) -> str:
    """When to expect a reply: honest about hours, from the profile alone."""
    c = org.contact
    hours = f" ({c.office_hours})" if c.office_hours else ""
    urgent = f" If it can't wait, call {c.phone}." if c.phone else ""
    plan = schedule(c)
    if plan is None:
        within = f"within {c.reply_within}" if c.reply_within else "as soon as they can"
        return f"Someone usually replies {within}, during office hours{hours}.{urgent}"
    local = _local(now_utc, plan.timezone)
    if _open_at(plan, local):
        within = c.reply_in_hours or c.reply_within
        return (f"The team is working now{hours}; someone usually replies within {within}."
                if within else f"The team is working now{hours}, so someone should reply soon.")
    return (f"The team isn't working right now{hours}, so expect a reply after they start again "
            f"{_next_opening(plan, local)}.{urgent}")


def _local(now_utc: datetime, zone: str) -> datetime:
    from zoneinfo import ZoneInfo

    return now_utc.astimezone(ZoneInfo(zone))


def _open_at(plan: Any, local: datetime) -> bool:
    minute = local.hour * 60 + local.minute
    return local.weekday() in plan.days and plan.opens <= minute < plan.closes


def _next_opening(plan: Any, local: datetime) -> str:
    """'today at 9:00', 'tomorrow at 9:00' or 'on Monday at 9:00'."""
    minute = local.hour * 60 + local.minute
    for ahead in range(8):
        day = (local.weekday() + ahead) % 7
        if day in plan.days and (ahead > 0 or minute < plan.opens):
            when = "today" if ahead == 0 else "tomorrow" if ahead == 1 else f"on {WEEKDAYS[day]}"
            return f"{when} at {plan.opens // 60}:{plan.opens % 60:02d}"
    return "on their next working day"  # unreachable with at least one day


def sent_reply(org: Organisation, reference: str, now_utc: datetime) -> str:
    return (f"Sent. Your reference is {reference}. {expectation(org, now_utc)} The reply will appear here in "
            "this chat; meanwhile you can keep asking me questions.")


def slack_post(questions: Sequence[str], channel: str, when_utc: datetime, reference: str) -> str:
    """The message staff see in Slack: the question(s), where and when, the reference; no sender id."""
    lines = [f"*Someone would like to talk to a person* ({reference})",
             f"From {CHANNEL_NAMES.get(channel, 'the chat')}, {when_utc:%d %b %Y %H:%M} UTC:"]
    lines += [f"> {q}" for q in questions]
    lines.append("Reply in this thread and they will read it in their chat. To end the chat, reply "
                 "`end` or add a :white_check_mark: reaction.")
    return "\n".join(lines)


def staff_message(org: Organisation, text: str) -> Dict[str, Any]:
    """A staff reply as the person sees it."""
    return {"text": f"From the team at {org.name}: {text}", "buttons": [END_BUTTON]}


def is_end(text: str, words: Sequence[str]) -> bool:
    return re.sub(r"[\s.!]+$", "", text.strip().lower()) in words


PERSON_ENDED = "You've ended the chat with the team. I'm here if you have more questions."
STAFF_ENDED = "The team has ended this chat. Thank you for getting in touch. I'm here if you have more questions."
RELAYED = "Sent to the team."
THREAD_PERSON_ENDED = "The person ended the chat. Replies here will no longer reach them."
THREAD_STAFF_ENDED = "Chat ended: the person has been told. Replies here will no longer reach them."
THREAD_STAFF_ENDED_LATER = ("Chat ended. The person isn't in the chat right now: they will see that it ended, "
                            "and any reply not yet shown, when they next write or open it. Replies from now on "
                            "will not reach them.")
THREAD_FAILED = "Sorry, this could not be passed on to the person just now. Please send it again in a minute."
ENDED_FOR_DELETE = "I've ended the chat with the team, so that I can help you with this myself."
THREAD_CLOSED = "This chat has ended (or the person deleted it), so they won't see this reply."


def elapsed_minutes(start: datetime, end: Optional[datetime]) -> Optional[float]:
    return None if end is None else round((end - start) / timedelta(minutes=1), 1)
