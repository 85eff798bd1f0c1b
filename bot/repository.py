"""Writes to our tables, and the reads an action needs to carry out a write. Every function takes
the session it is given (the caller owns the transaction: `with session_scope() as s: ...`).

The read-only queries behind the staff report and the export are in `bot.views`."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict, Mapping, Optional

from sqlalchemy import delete, inspect, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, selectinload

from bot.models import Answer, HandoffRequest, Submission, UnansweredQuestion, utcnow
from bot.organisation import team_key


def _parse_time(value: Optional[str]) -> Optional[datetime]:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def save_submission(session: Session, data: Mapping[str, Any], respondent_id: str) -> bool:
    """Store a submission (`flows.SubmissionData`) and its answers; False if this submission id was already stored
    (a retried action must not write it twice)."""
    exists = session.execute(
        select(Submission.id).where(Submission.submission_id == data["submission_id"])
    ).first()
    if exists:
        return False
    sub = Submission(
        submission_id=data["submission_id"], respondent_id=respondent_id, kind=data["kind"],
        role=data["role"], channel=data["channel"][:32], team=(data.get("team") or None),
        team_key=team_key(data.get("team")), team_verified=bool(data.get("team") and data.get("team_verified")),
        overall_score=data.get("overall_score"),
        level=data.get("level"), started_at=_parse_time(data.get("started_at")), created_at=utcnow(),
    )
    sub.answers = [Answer(**a) for a in data["answers"]]
    session.add(sub)
    session.flush()
    return True


def previous_team_score(session: Session, team: Optional[str], before_submission_id: str, *,
                        respondent_id: str, verified: bool) -> Optional[float]:
    """The overall score of the team's latest earlier staff check that this person may see, if any.

    Someone who gave the team's code (`verified`) sees the team's checks made with the code and
    their own; anyone else only their own (same respondent id). So a check by someone who did not
    show they belong never becomes the team's latest for others, yet every check is stored."""
    key = team_key(team)
    if key is None:
        return None
    mine = Submission.respondent_id == respondent_id
    visible = or_(mine, Submission.team_verified.is_(True)) if verified else mine
    row = session.execute(
        select(Submission.overall_score)
        .where(Submission.team_key == key, Submission.kind == "staff_check",
               Submission.submission_id != before_submission_id, visible)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(1)
    ).first()
    return None if row is None else row[0]


def delete_respondent(session: Session, respondent_id: str) -> Dict[str, int]:
    """Delete everything stored under a respondent id; returns counts per table."""
    subs = session.execute(
        select(Submission).where(Submission.respondent_id == respondent_id).options(selectinload(Submission.answers))
    ).scalars().all()
    answers = sum(len(s.answers) for s in subs)
    for s in subs:
        session.delete(s)
    handoffs = session.execute(delete(HandoffRequest).where(HandoffRequest.respondent_id == respondent_id)).rowcount
    return {"submissions": len(subs), "answers": answers, "handoffs": handoffs or 0}


def record_unanswered(session: Session, text: str, channel: str, reason: str,
                      best_guess: Optional[str], confidence: Optional[float]) -> None:
    session.add(UnansweredQuestion(text=text, channel=channel[:32], reason=reason, best_guess=best_guess,
                                   confidence=confidence, created_at=utcnow()))


def record_handoff(session: Session, respondent_id: str, channel: str, question: Optional[str]) -> None:
    session.add(HandoffRequest(respondent_id=respondent_id, channel=channel[:32], question=question, created_at=utcnow()))


def purge_older_than(session: Session, days: int, now: Optional[datetime] = None) -> Dict[str, int]:
    """Retention: delete unanswered questions, handoff requests and conversation transcripts
    (Rasa's `events` table) older than `days`. Consented submissions are kept until deleted on request."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    a = session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.created_at < cutoff)).rowcount
    b = session.execute(delete(HandoffRequest).where(HandoffRequest.created_at < cutoff)).rowcount
    c = 0
    if inspect(session.connection()).has_table("events"):
        epoch = (cutoff - datetime(1970, 1, 1)).total_seconds()
        c = session.execute(sql_text("DELETE FROM events WHERE timestamp < :t"), {"t": epoch}).rowcount
    return {"unanswered": a or 0, "handoffs": b or 0, "conversation_events": c or 0}
