"""Read-only queries for the staff insight report and the staff export (cosmicpython's `views.py`).

Writes, and the reads an action needs to carry out a write, are in `bot.repository`. Every
function here takes the session it is given (the caller owns it: `with session_scope() as s: ...`),
never writes, and returns plain typed rows rather than ORM objects (except `submissions`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Tuple, TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.handoff import elapsed_minutes
from bot.models import Answer, HandoffRequest, Submission, UnansweredQuestion


class MeanRating(NamedTuple):
    mean: float  # 1-5
    n: int


class MeanScore(NamedTuple):
    mean: Optional[float]  # 0-100, None when nothing is scored
    n: int


class ScoredCheck(NamedTuple):
    created_at: datetime
    level: Optional[str]
    overall_score: float


class TextAnswer(NamedTuple):
    created_at: datetime
    kind: str
    question: str
    text: str


class QuestionCount(NamedTuple):
    text: str  # lower-cased and trimmed
    n: int


class ThemeCount(NamedTuple):
    theme: str  # a topic id, "" when there was no guess
    n: int


class AnswerExportRow(TypedDict):
    """One answer of a submission, as `python -m bot export --what feedback` writes it."""

    submission_id: str
    respondent_id: str
    kind: str
    role: str
    channel: str
    team: Optional[str]
    overall_score: Optional[float]
    level: Optional[str]
    created_at: str  # ISO 8601
    question: str
    rating: Optional[int]
    choice: Optional[str]
    text: Optional[str]


class SelfCheckExportRow(AnswerExportRow):
    """One answer of a self-check (`--what self-checks`): the columns above, then `team_verified`."""

    team_verified: bool  # the person gave the team's code (migration 0002); False for older rows


class UnansweredExportRow(TypedDict):
    """One unanswered question, as `python -m bot export --what unanswered` writes it."""

    created_at: str  # ISO 8601
    channel: str
    reason: str
    best_guess: Optional[str]
    confidence: Optional[float]
    text: str


class HandoffRow(TypedDict):
    """One request to talk to a person, as the report lists it and `export --what handoffs` writes it."""

    reference: Optional[str]
    created_at: str  # ISO 8601
    channel: str
    status: str  # noted (contact details given), sent (to Slack), answered, ended
    first_reply_minutes: Optional[float]
    ended_by: Optional[str]
    question: Optional[str]


# --- counts and lists ---------------------------------------------------------------------------

def count_rows(session: Session, model: Any) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def submissions(session: Session, kind: Optional[str] = None) -> List[Submission]:
    """Stored submissions with their answers, oldest first."""
    stmt = select(Submission).options(selectinload(Submission.answers)).order_by(Submission.created_at, Submission.id)
    if kind:
        stmt = stmt.where(Submission.kind == kind)
    return list(session.execute(stmt).scalars())


# --- the staff export ---------------------------------------------------------------------------

SELF_CHECK_KINDS = ("staff_check", "consumer_check")


def _answers(session: Session, kinds: Iterable[str]) -> List[Tuple[Submission, Answer]]:
    stmt = (select(Submission, Answer).join(Answer, Answer.submission_pk == Submission.id)
            .where(Submission.kind.in_(list(kinds))).order_by(Submission.id, Answer.position))
    return [(sub, ans) for sub, ans in session.execute(stmt)]


def _answer_row(sub: Submission, ans: Answer) -> AnswerExportRow:
    return {"submission_id": sub.submission_id, "respondent_id": sub.respondent_id, "kind": sub.kind,
            "role": sub.role, "channel": sub.channel, "team": sub.team, "overall_score": sub.overall_score,
            "level": sub.level, "created_at": sub.created_at.isoformat(), "question": ans.question,
            "rating": ans.rating, "choice": ans.choice, "text": ans.text}


def export_self_checks(session: Session) -> List[SelfCheckExportRow]:
    """Every answer of every staff and consumer self-check, submission by submission, in question order."""
    return [{**_answer_row(sub, ans), "team_verified": bool(sub.team_verified)}
            for sub, ans in _answers(session, SELF_CHECK_KINDS)]


def export_feedback(session: Session) -> List[AnswerExportRow]:
    """Every answer of every feedback, submission by submission, in question order."""
    return [_answer_row(sub, ans) for sub, ans in _answers(session, ("feedback",))]


def export_unanswered(session: Session) -> List[UnansweredExportRow]:
    """Every stored unanswered question, oldest first."""
    stmt = select(UnansweredQuestion).order_by(UnansweredQuestion.created_at)
    return [{"created_at": u.created_at.isoformat(), "channel": u.channel, "reason": u.reason,
             "best_guess": u.best_guess, "confidence": u.confidence, "text": u.text}
            for u in session.execute(stmt).scalars()]


def handoffs(session: Session, limit: Optional[int] = None) -> List[HandoffRow]:
    """Requests to talk to a person, newest first."""
    stmt = select(HandoffRequest).order_by(HandoffRequest.created_at.desc(), HandoffRequest.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return [{"reference": h.reference, "created_at": h.created_at.isoformat(), "channel": h.channel,
             "status": h.status, "first_reply_minutes": elapsed_minutes(h.created_at, h.first_reply_at),
             "ended_by": h.ended_by, "question": h.question}
            for h in session.execute(stmt).scalars()]


# --- the staff insight report -------------------------------------------------------------------

def count_by_kind(session: Session) -> Dict[str, int]:
    """Number of stored submissions per kind (staff_check, consumer_check, feedback)."""
    stmt = select(Submission.kind, func.count()).group_by(Submission.kind)
    return {kind: n for kind, n in session.execute(stmt)}


def mean_ratings(session: Session, kind: str, prefix: str) -> Dict[str, MeanRating]:
    """{question: (mean rating 1-5, number of ratings)} for rated questions starting with `prefix`."""
    stmt = (select(Answer.question, func.avg(Answer.rating), func.count(Answer.rating))
            .join(Submission, Answer.submission_pk == Submission.id)
            .where(Submission.kind == kind, Answer.question.startswith(prefix), Answer.rating.is_not(None))
            .group_by(Answer.question))
    return {q: MeanRating(float(avg), int(n)) for q, avg, n in session.execute(stmt) if n}


def mean_overall(session: Session, kind: str) -> MeanScore:
    """(mean overall score 0-100 or None, number of scored submissions) for a kind of self-check."""
    stmt = select(func.avg(Submission.overall_score), func.count(Submission.overall_score)).where(
        Submission.kind == kind, Submission.overall_score.is_not(None))
    avg, n = session.execute(stmt).one()
    return MeanScore(None if avg is None else float(avg), int(n))


def scored_checks(session: Session, kind: str = "staff_check") -> List[ScoredCheck]:
    """(created_at, level, overall_score) of every scored self-check, oldest first."""
    stmt = (select(Submission.created_at, Submission.level, Submission.overall_score)
            .where(Submission.kind == kind, Submission.overall_score.is_not(None))
            .order_by(Submission.created_at, Submission.id))
    return [ScoredCheck(*r) for r in session.execute(stmt)]


def _answer_counts(session: Session, column: Any, question: str, kind: Optional[str]) -> Dict[Any, int]:
    """{value: count} of one answer column (choice or rating) of a question, optionally one kind."""
    stmt = (select(column, func.count())
            .join(Submission, Answer.submission_pk == Submission.id)
            .where(Answer.question == question, column.is_not(None))
            .group_by(column))
    if kind:
        stmt = stmt.where(Submission.kind == kind)
    return {value: int(n) for value, n in session.execute(stmt)}


def choice_counts(session: Session, question: str, kind: Optional[str] = None) -> Dict[str, int]:
    """{choice: count} of a choice question."""
    return {str(c): n for c, n in _answer_counts(session, Answer.choice, question, kind).items()}


def rating_counts(session: Session, question: str, kind: Optional[str] = None) -> Dict[int, int]:
    """{rating: count} of a rated question."""
    return {int(r): n for r, n in _answer_counts(session, Answer.rating, question, kind).items()}


def recent_texts(session: Session, questions: Iterable[str], limit: int = 50) -> List[TextAnswer]:
    """(created_at, kind, question, text) of non-empty free-text answers, newest first."""
    stmt = (select(Submission.created_at, Submission.kind, Answer.question, Answer.text)
            .join(Answer, Answer.submission_pk == Submission.id)
            .where(Answer.question.in_(list(questions)), Answer.text.is_not(None), func.trim(Answer.text) != "")
            .order_by(Submission.created_at.desc(), Submission.id.desc(), Answer.position)
            .limit(limit))
    return [TextAnswer(*r) for r in session.execute(stmt)]


def top_unanswered(session: Session, limit: int = 10) -> List[QuestionCount]:
    """Most frequent unanswered questions (case-insensitive), with counts."""
    text = func.lower(func.trim(UnansweredQuestion.text))
    stmt = select(text, func.count()).group_by(text).order_by(func.count().desc(), text).limit(limit)
    return [QuestionCount(*r) for r in session.execute(stmt)]


def unanswered_spellings(session: Session) -> Dict[str, str]:
    """{lower-cased question: one way it was actually typed}, so a report can show 'Can I ...' not 'can i ...'."""
    key = func.lower(func.trim(UnansweredQuestion.text))
    stmt = select(key, func.min(func.trim(UnansweredQuestion.text))).group_by(key)
    return {k: v for k, v in session.execute(stmt)}


def not_covered_by_theme(session: Session) -> List[ThemeCount]:
    """On-topic questions we have no answer for yet, counted by their closest topic (the theme)."""
    theme = func.coalesce(UnansweredQuestion.best_guess, "")
    stmt = (select(theme, func.count()).where(UnansweredQuestion.reason == "not_covered")
            .group_by(theme).order_by(func.count().desc(), theme))
    return [ThemeCount(*r) for r in session.execute(stmt)]
