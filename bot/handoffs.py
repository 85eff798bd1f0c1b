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


def _thread(row: HandoffRequest) -> Thread:
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
    return _thread(row) if row else None


def add_staff_reply(session: Session, handoff: HandoffRequest, text: str, slack_event: str) -> Optional[int]:
    """Store a staff reply; None if this Slack event was stored before (a retry)."""
    try:
        with session.begin_nested():
            message = HandoffMessage(handoff_pk=handoff.id, slack_event=slack_event[:64], text=text, created_at=utcnow())
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    if handoff.status == "sent":
        handoff.status = "answered"
        handoff.first_reply_at = message.created_at
    return message.id


def undelivered(session: Session, conversation: str) -> List[HandoffMessage]:
    """Staff replies not yet shown to the person, oldest first."""
    return list(session.execute(
        select(HandoffMessage).join(HandoffRequest).where(HandoffRequest.conversation == conversation,
                                                          HandoffMessage.delivered_at.is_(None))
        .order_by(HandoffMessage.id)).scalars())


def mark_delivered(session: Session, message_ids: List[int], when: Optional[datetime] = None) -> None:
    if message_ids:
        session.execute(update(HandoffMessage).where(HandoffMessage.id.in_(message_ids))
                        .values(delivered_at=when or utcnow()))


def end(session: Session, handoff_id: int, by: str) -> bool:
    """End an open handoff (by "person" or "staff"); False if it was not open. The conversation key
    is cleared: nothing routes to the person any more."""
    result = session.execute(update(HandoffRequest).where(HandoffRequest.id == handoff_id,
                                                          HandoffRequest.status.in_(OPEN))
                             .values(status="ended", ended_at=utcnow(), ended_by=by, conversation=None))
    return bool(result.rowcount)


def forget_conversation(session: Session, conversation: str) -> int:
    """"Delete my data": end the conversation's handoffs and drop their relay state and replies."""
    rows = list(session.execute(select(HandoffRequest).where(HandoffRequest.conversation == conversation)).scalars())
    for row in rows:
        session.delete(row)
    return len(rows)
