"""What the assistant says about data, made from what it really does (plain Python).

Every number and promise comes from the settings (RETENTION_DAYS, whether the Slack handoff is
on) or from the tables below, which name in words each column that is stored with saved answers
(`STORED`) and each column of the staff export (`EXPORTED`). The unit tests hold those tables to
the models and to `bot.views`, so a new column that is not described here fails a test.

The facts, for the texts below:
* the conversation log (Rasa's `events`): every message both ways, under the conversation key,
  deleted by the retention job after RETENTION_DAYS days or by a confirmed "delete my data";
  not in the staff report or export;
* saved answers (`submission`, `answer`): only after a yes, kept until deleted on request;
  every answer is in the staff export, comments word for word in the report;
* unanswered questions: word for word with channel and time, no id, RETENTION_DAYS days,
  in the report and export; emergencies are never kept;
* talk to a person: a note (or, with the Slack handoff, the message sent and the team's
  replies) for RETENTION_DAYS days, in the report and export.
"""
from __future__ import annotations

import re
from typing import Dict, Optional, Sequence

from bot import parsing

TEAM = "any team you named (and whether you gave its code)"
# submission and answer columns -> the words the consent uses for them
STORED: Dict[str, str] = {
    "submission.id": "",  # the row number
    "submission.submission_id": "a random id",
    "submission.respondent_id": "a random id",
    "submission.kind": "your role",  # staff_check | consumer_check | feedback: the questions of a role
    "submission.role": "your role",
    "submission.channel": "the channel",
    "submission.team": TEAM,
    "submission.team_key": TEAM,
    "submission.team_verified": TEAM,
    "submission.overall_score": "any score",
    "submission.level": "any score",
    "submission.started_at": "the date and time",
    "submission.created_at": "the date and time",
    "submission.reference_hash": "reference code",  # its SHA-256 only (bot.erasure)
    "answer.id": "",
    "answer.submission_pk": "",
    "answer.position": "each answer",
    "answer.question": "each answer",
    "answer.rating": "each answer",
    "answer.choice": "each answer",
    "answer.text": "each answer",
}
# columns of the staff export of self-checks and feedback (`bot.views`) -> what staff see
EXPORTED: Dict[str, str] = {
    "submission_id": "a random id", "respondent_id": "a random id", "kind": "your role", "role": "your role",
    "channel": "the channel", "team": TEAM, "team_verified": TEAM,
    "overall_score": "any score", "level": "any score", "created_at": "the date",
    "question": "each answer", "rating": "each answer", "choice": "each answer", "text": "each answer",
}
DELETE_HINT = 'type "delete my data"'


def days() -> int:
    """RETENTION_DAYS, as the retention job (`python -m bot retention`) applies it."""
    from bot.settings import settings

    return settings().retention_days


def _labels(table: Dict[str, str], skip: Sequence[str] = ()) -> list:
    out: list = []
    for label in table.values():
        if label and label not in out and label not in skip:
            out.append(label)
    return out


def _join(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def log_line(n: Optional[int] = None) -> str:
    n = days() if n is None else n
    return f"this chat stays in the conversation log for {n} days, then it is deleted"


def consent_prompt(n: Optional[int] = None) -> str:
    """The question at the end of a self-check or feedback."""
    n = days() if n is None else n
    kept = _join(_labels(STORED, skip=("each answer", "reference code")))
    return (f"Before I save anything: if you say yes, I keep each answer (comments word for word) with {kept}, "
            "until you ask me to delete them. I'll give you a reference code so you can do that from another chat "
            "too. Staff see each answer in their export "
            "and read comments word for word in their report. I don't ask for your name: it is only kept if you "
            f"typed it in an answer. Whatever you choose, {log_line(n)}. Shall I save your answers?")


def not_saved(n: Optional[int] = None) -> str:
    """After "no" to the consent question."""
    n = days() if n is None else n
    return (f"Understood. I haven't saved your answers. What you typed is only in this chat's log, which is "
            f"deleted after {n} days ({DELETE_HINT} to delete it now). Thank you for your time.")


def stopped(n: Optional[int] = None) -> str:
    """After "stop" in a self-check or feedback."""
    n = days() if n is None else n
    return (f"OK, I've stopped and I haven't saved your answers. What you typed is only in this chat's log, "
            f"which is deleted after {n} days ({DELETE_HINT} to delete it now).")


def reference_line(code: str) -> str:
    """Added to the reply after a save."""
    return (f"Your reference code is {code}. Keep it if you might want these answers deleted later: in any chat "
            f"with me, {DELETE_HINT} and give me the code. I can't show it to you again.")


def handoff_storage(note_only: bool, n: Optional[int] = None) -> str:
    n = days() if n is None else n
    if note_only:
        return (f"If you ask for a person, I give you the team's contact details and keep a note of the message you "
                f"sent just before, for {n} days; staff see it in their report.")
    return ("If you ask for a person and agree, I send your message (not who you are) to the team in Slack; once "
            f"they reply, what you type next goes to them too. I keep it and their replies for {n} days, and staff "
            "see it in their report. Slack keeps its own copy, which I can't delete.")


def privacy_info(org_name: str, handoff_on: bool, channel: str = "", n: Optional[int] = None) -> str:
    """The answer to "what do you do with my data?"."""
    n = days() if n is None else n
    saved = _join(_labels(EXPORTED, skip=("each answer", "any score", "the date")) + ["the date"])
    lines = [
        "Here is what I keep, and who sees it:",
        f"- This chat: what you type and my replies are kept in a conversation log for {n} days, then deleted. "
        "It isn't in the staff report or export; only the people who run this assistant can open it.",
        f"- Self-check and feedback answers: saved only if you say yes at the end, with {saved}. Staff see each "
        "answer in their export and read comments word for word in their report. They are kept until you ask me "
        "to delete them; when they are saved you get a reference code to do that from another chat.",
        f"- Questions I can't answer: kept word for word, with the channel and time but no id, for {n} days; staff "
        "see them in their report. Messages that look like an emergency are not kept as questions.",
        "- Talking to a person: " + _lower_first(handoff_storage(not handoff_on, n)),
    ]
    if channel == "slack":
        lines.append("- In Slack, Slack also keeps this chat under your workspace's rules.")
    lines.append('I never ask for your name; it is only kept if you type it. Type "delete my data" at any time: '
                 f"I'll tell you what is stored from this chat and ask before deleting it. ({org_name} runs this "
                 "assistant.)")
    return "\n".join(lines)


PRIVACY_BUTTONS = [{"title": "Delete my data", "payload": "/delete_my_data"},
                   {"title": "What can you do?", "payload": "/bot_capabilities"}]

# "delete my data" said in so many words: understood at any question, even a free-text one
_VERB = r"(?:delete|erase|remove|wipe|clear|purge|forget|scrap|get rid of)"
_WHAT = (r"(?:(?:my|our|all my|all of my) (?:data|answers|details|information|info|responses|feedback|"
         r"self-check|results|comments|personal information|personal data)|what i (?:told you|said|wrote|typed))")
_ASK = r"(?:(?:please|pls|can you|could you|i want(?: you)? to|i'd like(?: you)? to|i would like(?: you)? to) )?"
DELETE_REQUEST = re.compile(
    rf"{_ASK}(?:{_VERB} (?:{_WHAT}|everything(?: about me)?|me|this chat|this conversation)"
    r"|right to be forgotten|forget me)(?: please| now| plz)?")


def asks_to_delete(text: Optional[str], intent: Optional[str], confidence: float, understood: bool) -> bool:
    """A request to delete the person's data. In so many words it counts at any question; the
    intent alone only when the message was not an answer to the question (`understood`)."""
    if (text or "").strip() == "/delete_my_data" or DELETE_REQUEST.fullmatch(parsing.normalise(text)):
        return True
    return not understood and intent == "delete_my_data" and confidence >= 0.5
