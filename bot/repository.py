"""Reads and writes of our tables. Every function takes the session it is given
(the caller owns the transaction: `with session_scope() as s: ...`)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import delete, func, inspect, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, selectinload

from bot.models import Answer, HandoffRequest, Submission, UnansweredQuestion, utcnow


def team_key(team: Optional[str]) -> Optional[str]:
    """Case- and spacing-insensitive key so 'Ward 4' and 'ward  4 ' are the same team."""
    if not team:
        return None
    key = re.sub(r"[^a-z0-9]+", " ", team.lower()).strip()
    return key[:120] or None


def _parse_time(value: Optional[str]) -> Optional[datetime]:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def save_submission(session: Session, data: Dict[str, Any], respondent_id: str) -> bool:
    """Store a submission and its answers; False if this submission id was already stored
    (a retried action must not write it twice)."""
    exists = session.execute(
        select(Submission.id).where(Submission.submission_id == data["submission_id"])
    ).first()
    if exists:
        return False
    sub = Submission(
        submission_id=data["submission_id"], respondent_id=respondent_id, kind=data["kind"],
        role=data["role"], channel=data["channel"][:32], team=(data.get("team") or None),
        team_key=team_key(data.get("team")), overall_score=data.get("overall_score"),
        level=data.get("level"), started_at=_parse_time(data.get("started_at")), created_at=utcnow(),
    )
    sub.answers = [Answer(**a) for a in data["answers"]]
    session.add(sub)
    session.flush()
    return True


def previous_team_score(session: Session, team: Optional[str], before_submission_id: str) -> Optional[float]:
    """The overall score of the team's latest earlier staff check, if any."""
    key = team_key(team)
    if key is None:
        return None
    row = session.execute(
        select(Submission.overall_score)
        .where(Submission.team_key == key, Submission.kind == "staff_check",
               Submission.submission_id != before_submission_id)
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


def submissions(session: Session, kind: Optional[str] = None) -> List[Submission]:
    stmt = select(Submission).options(selectinload(Submission.answers)).order_by(Submission.created_at, Submission.id)
    if kind:
        stmt = stmt.where(Submission.kind == kind)
    return list(session.execute(stmt).scalars())


def unanswered(session: Session) -> List[UnansweredQuestion]:
    return list(session.execute(select(UnansweredQuestion).order_by(UnansweredQuestion.created_at)).scalars())


def top_unanswered(session: Session, limit: int = 10) -> List[tuple]:
    """Most frequent unanswered questions (case-insensitive), with counts."""
    text = func.lower(func.trim(UnansweredQuestion.text))
    stmt = select(text, func.count()).group_by(text).order_by(func.count().desc(), text).limit(limit)
    return [tuple(r) for r in session.execute(stmt)]


def not_covered_by_theme(session: Session) -> List[tuple]:
    """On-topic questions we have no answer for yet, counted by their closest topic (the theme)."""
    theme = func.coalesce(UnansweredQuestion.best_guess, "")
    stmt = (select(theme, func.count()).where(UnansweredQuestion.reason == "not_covered")
            .group_by(theme).order_by(func.count().desc(), theme))
    return [tuple(r) for r in session.execute(stmt)]


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


def count_rows(session: Session, model: Any) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def iter_answers(session: Session, kinds: Iterable[str]) -> List[tuple]:
    """(submission, answer) pairs for export and reports."""
    stmt = (select(Submission, Answer).join(Answer, Answer.submission_pk == Submission.id)
            .where(Submission.kind.in_(list(kinds))).order_by(Submission.id, Answer.position))
    return [tuple(r) for r in session.execute(stmt)]


# --- Report queries (staff insight report) -------------------------------------------------------

def count_by_kind(session: Session) -> Dict[str, int]:
    """Number of stored submissions per kind (staff_check, consumer_check, feedback)."""
    stmt = select(Submission.kind, func.count()).group_by(Submission.kind)
    return {kind: n for kind, n in session.execute(stmt)}


def mean_ratings(session: Session, kind: str, prefix: str) -> Dict[str, tuple]:
    """{question: (mean rating 1-5, number of ratings)} for rated questions starting with `prefix`."""
    stmt = (select(Answer.question, func.avg(Answer.rating), func.count(Answer.rating))
            .join(Submission, Answer.submission_pk == Submission.id)
            .where(Submission.kind == kind, Answer.question.startswith(prefix), Answer.rating.is_not(None))
            .group_by(Answer.question))
    return {q: (float(avg), int(n)) for q, avg, n in session.execute(stmt) if n}


def mean_overall(session: Session, kind: str) -> tuple:
    """(mean overall score 0-100 or None, number of scored submissions) for a kind of self-check."""
    stmt = select(func.avg(Submission.overall_score), func.count(Submission.overall_score)).where(
        Submission.kind == kind, Submission.overall_score.is_not(None))
    avg, n = session.execute(stmt).one()
    return (None if avg is None else float(avg)), int(n)


def scored_checks(session: Session, kind: str = "staff_check") -> List[tuple]:
    """(created_at, level, overall_score) of every scored self-check, oldest first."""
    stmt = (select(Submission.created_at, Submission.level, Submission.overall_score)
            .where(Submission.kind == kind, Submission.overall_score.is_not(None))
            .order_by(Submission.created_at, Submission.id))
    return [tuple(r) for r in session.execute(stmt)]


def choice_counts(session: Session, question: str, kind: Optional[str] = None) -> Dict[str, int]:
    """{choice: count} of a choice question."""
    stmt = (select(Answer.choice, func.count())
            .join(Submission, Answer.submission_pk == Submission.id)
            .where(Answer.question == question, Answer.choice.is_not(None))
            .group_by(Answer.choice))
    if kind:
        stmt = stmt.where(Submission.kind == kind)
    return {choice: int(n) for choice, n in session.execute(stmt)}


def rating_counts(session: Session, question: str, kind: Optional[str] = None) -> Dict[int, int]:
    """{rating: count} of a rated question."""
    stmt = (select(Answer.rating, func.count())
            .join(Submission, Answer.submission_pk == Submission.id)
            .where(Answer.question == question, Answer.rating.is_not(None))
            .group_by(Answer.rating))
    if kind:
        stmt = stmt.where(Submission.kind == kind)
    return {int(r): int(n) for r, n in session.execute(stmt)}


def recent_texts(session: Session, questions: Iterable[str], limit: int = 50) -> List[tuple]:
    """(created_at, kind, question, text) of non-empty free-text answers, newest first."""
    stmt = (select(Submission.created_at, Submission.kind, Answer.question, Answer.text)
            .join(Answer, Answer.submission_pk == Submission.id)
            .where(Answer.question.in_(list(questions)), Answer.text.is_not(None), func.trim(Answer.text) != "")
            .order_by(Submission.created_at.desc(), Submission.id.desc(), Answer.position)
            .limit(limit))
    return [tuple(r) for r in session.execute(stmt)]


def unanswered_spellings(session: Session) -> Dict[str, str]:
    """{lower-cased question: one way it was actually typed}, so a report can show 'Can I ...' not 'can i ...'."""
    key = func.lower(func.trim(UnansweredQuestion.text))
    stmt = select(key, func.min(func.trim(UnansweredQuestion.text))).group_by(key)
    return {k: v for k, v in session.execute(stmt)}
