"""Storage of handoffs to staff and their replies (the caller owns the transaction)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import HandoffMessage, HandoffRequest, utcnow

OPEN = ("sent", "answered")


@dataclass(frozen=True)
class Thread:
    """An open handoff as the relay needs it."""

    id: int
    reference: str
    conversation: str
    slack_channel: str
    slack_ts: str
    status: str


def thread_of(row: HandoffRequest) -> Thread:
    return Thread(row.id, row.reference or "", row.conversation or "", row.slack_channel or "", row.slack_ts or "",
                  row.status)


def record_sent(session: Session, respondent_id: str, channel: str, questions: List[str], reference: str,
                conversation: str, slack_channel: str, slack_ts: str) -> None:
    """A request the person agreed to send, now posted to the team's Slack thread `slack_ts`."""
    session.add(HandoffRequest(respondent_id=respondent_id, channel=channel[:32], question="\n".join(questions),
                               reference=reference, status="sent", conversation=conversation,
                               slack_channel=slack_channel, slack_ts=slack_ts, created_at=utcnow()))


def by_thread(session: Session, slack_channel: str, slack_ts: str) -> Optional[HandoffRequest]:
    return session.execute(select(HandoffRequest).where(HandoffRequest.slack_channel == slack_channel,
                                                        HandoffRequest.slack_ts == slack_ts)).scalar_one_or_none()


def open_for(session: Session, conversation: str) -> Optional[Thread]:
    """The conversation's open handoff (the latest), if any."""
    row = session.execute(select(HandoffRequest).where(HandoffRequest.conversation == conversation,
                                                       HandoffRequest.status.in_(OPEN))
                          .order_by(HandoffRequest.id.desc()).limit(1)).scalar_one_or_none()
    return thread_of(row) if row else None


def add_message(session: Session, handoff: HandoffRequest, text: str, slack_event: str,
                kind: str = "reply") -> Optional[int]:
    """Store a staff reply (or the notice that staff ended the chat) for the person; None if this
    Slack event was stored before (a retry). The first reply marks the handoff answered."""
    try:
        with session.begin_nested():
            message = HandoffMessage(handoff_pk=handoff.id, slack_event=slack_event[:64], kind=kind, text=text,
                                     created_at=utcnow())
            session.add(message)
            session.flush()
    except IntegrityError:
        if session.execute(select(HandoffMessage.id).where(HandoffMessage.slack_event == slack_event[:64])).first():
            return None  # a retry of a stored event
        raise
    if kind == "reply":  # only an open one that nobody answered yet: never reopens an ended chat
        session.execute(update(HandoffRequest).where(HandoffRequest.id == handoff.id, HandoffRequest.status == "sent")
                        .values(status="answered", first_reply_at=message.created_at))
    return message.id


def undelivered(session: Session, conversation: str) -> List[HandoffMessage]:
    """Staff replies and end notices not yet shown to the person, oldest first."""
    return list(session.execute(
        select(HandoffMessage).join(HandoffRequest).where(HandoffRequest.conversation == conversation,
                                                          HandoffMessage.delivered_at.is_(None))
        .order_by(HandoffMessage.id)).scalars())


def claim(session: Session, message_id: int, when: Optional[datetime] = None) -> bool:
    """Mark one message delivered; False if someone else (another tab, another server) already did,
    so each message is shown once."""
    result = session.execute(update(HandoffMessage).where(HandoffMessage.id == message_id,
                                                          HandoffMessage.delivered_at.is_(None))
                             .values(delivered_at=when or utcnow()))
    return bool(result.rowcount)


def end(session: Session, handoff_id: int, by: str) -> bool:
    """End an open handoff (by "person" or "staff"); False if it was not open. The person's messages
    go to the assistant again; what staff sent before is still delivered."""
    result = session.execute(update(HandoffRequest).where(HandoffRequest.id == handoff_id,
                                                          HandoffRequest.status.in_(OPEN))
                             .values(status="ended", ended_at=utcnow(), ended_by=by))
    return bool(result.rowcount)


def forget_conversation(session: Session, conversation: str) -> int:
    """"Delete my data": end the conversation's handoffs and drop their relay state and replies."""
    rows = list(session.execute(select(HandoffRequest).where(HandoffRequest.conversation == conversation)).scalars())
    for row in rows:
        session.delete(row)
    return len(rows)
