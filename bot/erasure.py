"""What "delete my data" deletes, and the reference codes that let someone delete saved answers
from another chat. Every function takes the session it is given (the caller owns the transaction).

Tied to a conversation, and deleted with it:
* its submissions and their answers (the conversation's random respondent id);
* its requests to talk to a person: notes and sent requests under that id, and its open handoff
  threads with the team's replies and their relay state (`bot.handoffs.forget_conversation`);
* its unanswered questions. That table keeps no id, so a row is tied to the conversation only
  when it matches one of the conversation's own messages (from Rasa's `events`): the same text,
  from the same channel, stored within a few minutes after that message; each message claims at
  most one row. Someone else's question is therefore only ever deleted if it had the very same
  words in the same minutes, and nothing about anybody is lost that this chat did not also hold;
* the transcript (the conversation key's rows of `events`), which the tracker store deletes at the
  end of the turn that ran `action_delete_my_data`, which only runs after the person said yes.

A reference code ("D-7QKA-X3MP": 8 characters from 24 that cannot be mistaken for each other) is
given after a save. Only its SHA-256 is stored: the export, the report and a look at the table
never show a working code. (With about 1.1e11 codes a hash is no defence against an offline search
by someone holding the database, but such a person can delete rows anyway; 8 characters make
guessing through the chat hopeless, and each chat gets three tries.)
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Dict, List, Optional, Tuple

from sqlalchemy import inspect, or_, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, selectinload

from bot import handoffs
from bot.handoff import REFERENCE_ALPHABET
from bot.models import HandoffRequest, Submission, UnansweredQuestion
from bot.parsing import clean_text

REFERENCE_PREFIX = "D-"
_CHARS = re.escape(REFERENCE_ALPHABET)
_EDGE = ("(?<![A-Z0-9])", "(?![A-Z0-9])")
# "D-7QKA-X3MP", "d 7qka x3mp", "D7QKAX3MP"; without the D only "7QKA-X3MP", or "7QKAX3MP" with a digit
# (so that two short words such as "that mean" are never taken for a code)
REFERENCE_RES = tuple(re.compile(_EDGE[0] + body + _EDGE[1], re.IGNORECASE) for body in (
    rf"D\s*[-–]?\s*([{_CHARS}]{{4}})\s*[-–]?\s*([{_CHARS}]{{4}})",
    rf"([{_CHARS}]{{4}})\s*[-–]\s*([{_CHARS}]{{4}})",
    rf"(?=[{_CHARS}]{{0,7}}[0-9])([{_CHARS}]{{4}})([{_CHARS}]{{4}})",
))
# an unanswered question is stored by the action that answers the message, during its turn
RECORDED_BEFORE = timedelta(seconds=30)  # clocks of two servers may differ a little
RECORDED_AFTER = timedelta(minutes=2)  # a turn times out after 40 s


@dataclass
class Counts:
    """What is (or was) stored for a conversation or a code."""

    submissions: int = 0
    answers: int = 0
    handoffs: int = 0
    sent_to_team: int = 0  # of the handoffs, those posted to the team's Slack channel
    unanswered: int = 0
    kind: Optional[str] = None  # found by code: what was saved (staff_check, consumer_check, feedback)
    saved_on: Optional[str] = None  # found by code: ISO date

    def as_dict(self) -> Dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Optional[Dict[str, object]]) -> "Counts":
        raw = raw or {}
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})  # type: ignore[arg-type]

    @property
    def saved_anything(self) -> bool:
        return bool(self.submissions or self.handoffs)


# --- reference codes ----------------------------------------------------------------------------

def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX}{chars[:4]}-{chars[4:]}"


def find_reference(text: Optional[str]) -> Optional[str]:
    """The code in what someone typed (`REFERENCE_RES`), written as given out; None if there is none."""
    typed = clean_text(text, limit=200)
    for pattern in REFERENCE_RES:
        match = pattern.search(typed)
        if match:
            return f"{REFERENCE_PREFIX}{match.group(1).upper()}-{match.group(2).upper()}"
    return None


def reference_hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def issue_reference(session: Session, submission_id: str) -> str:
    """A new code for a stored submission (replacing any earlier one: only the last code shown works)."""
    for _ in range(5):
        code = new_reference()
        digest = reference_hash(code)
        if session.execute(select(Submission.id).where(Submission.reference_hash == digest)).first() is None:
            break
    session.execute(update(Submission).where(Submission.submission_id == submission_id)
                    .values(reference_hash=digest))
    return code


def _found(sub: Submission) -> Counts:
    return Counts(submissions=1, answers=len(sub.answers), kind=sub.kind, saved_on=sub.created_at.date().isoformat())


def _by_reference(session: Session, digest: str) -> Optional[Submission]:
    return session.execute(select(Submission).where(Submission.reference_hash == digest)
                           .options(selectinload(Submission.answers))).scalar_one_or_none()


def find_by_reference(session: Session, digest: str) -> Optional[Counts]:
    """What the code (its hash) would delete; None if no saved answers carry it."""
    sub = _by_reference(session, digest)
    return None if sub is None else _found(sub)


def erase_by_reference(session: Session, digest: str) -> Counts:
    """Delete the submission (and its answers) that carries the code."""
    sub = _by_reference(session, digest)
    if sub is None:
        return Counts()
    found = _found(sub)
    session.delete(sub)
    session.flush()
    return found


# --- a conversation's data ----------------------------------------------------------------------

def _submissions(session: Session, respondent_id: Optional[str]) -> List[Submission]:
    if not respondent_id:
        return []
    return list(session.execute(select(Submission).where(Submission.respondent_id == respondent_id)
                                .options(selectinload(Submission.answers))).scalars())


def _handoffs(session: Session, respondent_id: Optional[str], conversation: str) -> List[HandoffRequest]:
    tied = [HandoffRequest.conversation == conversation]
    if respondent_id:
        tied.append(HandoffRequest.respondent_id == respondent_id)
    return list(session.execute(select(HandoffRequest).where(or_(*tied))).scalars())


def _epoch_to_utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


def user_messages(session: Session, conversation: str) -> List[Tuple[datetime, str, str]]:
    """(time, channel, text as an unanswered question would store it) of the conversation's
    stored messages, from Rasa's `events`, oldest first."""
    if not inspect(session.connection()).has_table("events"):
        return []
    rows = session.execute(sql_text("SELECT timestamp, data FROM events WHERE sender_id = :s AND type_name = 'user' "
                                    "ORDER BY id"), {"s": conversation})
    out = []
    for timestamp, data in rows:
        try:
            event = json.loads(data)
        except (TypeError, ValueError):
            continue
        text = clean_text(event.get("text"), limit=2000)
        if text and not text.startswith("/") and timestamp is not None:
            out.append((_epoch_to_utc(float(timestamp)), (event.get("input_channel") or "unknown")[:32], text))
    return out


def unanswered_of(session: Session, conversation: str) -> List[UnansweredQuestion]:
    """The unanswered questions that match this conversation's messages one for one (module docstring)."""
    messages = user_messages(session, conversation)
    if not messages:
        return []
    candidates = list(session.execute(
        select(UnansweredQuestion)
        .where(UnansweredQuestion.text.in_(sorted({m[2] for m in messages})),
               UnansweredQuestion.created_at >= min(m[0] for m in messages) - RECORDED_BEFORE,
               UnansweredQuestion.created_at <= max(m[0] for m in messages) + RECORDED_AFTER)
        .order_by(UnansweredQuestion.created_at, UnansweredQuestion.id)).scalars())
    claimed: List[UnansweredQuestion] = []
    for when, channel, text in messages:
        fits = [u for u in candidates if u not in claimed and u.text == text and u.channel == channel
                and when - RECORDED_BEFORE <= u.created_at <= when + RECORDED_AFTER]
        if fits:
            claimed.append(min(fits, key=lambda u: abs((u.created_at - when).total_seconds())))
    return claimed


def tied_to(session: Session, respondent_id: Optional[str], conversation: str) -> Counts:
    """What "delete my data" would delete for this conversation (besides its transcript)."""
    subs = _submissions(session, respondent_id)
    requests = _handoffs(session, respondent_id, conversation)
    return Counts(submissions=len(subs), answers=sum(len(s.answers) for s in subs), handoffs=len(requests),
                  sent_to_team=sum(1 for h in requests if h.slack_ts), unanswered=len(unanswered_of(session, conversation)))


def erase_conversation(session: Session, respondent_id: Optional[str], conversation: str) -> Counts:
    """Delete everything tied to the conversation (module docstring) but its transcript."""
    counts = tied_to(session, respondent_id, conversation)
    for question in unanswered_of(session, conversation):
        session.delete(question)
    for sub in _submissions(session, respondent_id):
        session.delete(sub)
    handoffs.forget_conversation(session, conversation)  # open threads: relay state and the team's replies
    session.flush()
    for request in _handoffs(session, respondent_id, conversation):  # notes and ended requests under the id
        session.delete(request)
    session.flush()
    return counts

