"""Database tables for what people choose to tell us (SQLAlchemy declarative).

Anonymous by design: a submission carries a random respondent id, the channel,
the role and timestamps; never the chat sender id or a name.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Submission(Base):
    """One completed, consented self-check or feedback."""

    __tablename__ = "submission"

    id = sa.Column(sa.Integer, primary_key=True)
    submission_id = sa.Column(sa.String(36), nullable=False, unique=True)
    respondent_id = sa.Column(sa.String(36), nullable=False, index=True)
    kind = sa.Column(sa.String(20), nullable=False)  # staff_check | consumer_check | feedback
    role = sa.Column(sa.String(20), nullable=False)  # staff | consumer
    channel = sa.Column(sa.String(32), nullable=False)
    team = sa.Column(sa.String(120))
    team_key = sa.Column(sa.String(120), index=True)
    overall_score = sa.Column(sa.Float)
    level = sa.Column(sa.String(20))
    started_at = sa.Column(sa.DateTime)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)

    answers = relationship(
        "Answer", back_populates="submission", cascade="all, delete-orphan", order_by="Answer.position"
    )


class Answer(Base):
    """One answer to one question of a submission."""

    __tablename__ = "answer"

    id = sa.Column(sa.Integer, primary_key=True)
    submission_pk = sa.Column(
        sa.Integer, sa.ForeignKey("submission.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position = sa.Column(sa.Integer, nullable=False)
    question = sa.Column(sa.String(40), nullable=False)
    rating = sa.Column(sa.Integer)
    choice = sa.Column(sa.String(80))
    text = sa.Column(sa.Text)

    submission = relationship("Submission", back_populates="answers")

    __table_args__ = (sa.CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),)


class UnansweredQuestion(Base):
    """A message the assistant could not answer (no sender stored), for staff to review."""

    __tablename__ = "unanswered_question"

    id = sa.Column(sa.Integer, primary_key=True)
    text = sa.Column(sa.Text, nullable=False)
    channel = sa.Column(sa.String(32), nullable=False)
    reason = sa.Column(sa.String(20), nullable=False)  # not_covered | out_of_scope (older rows: low_confidence)
    best_guess = sa.Column(sa.String(60))
    confidence = sa.Column(sa.Float)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class HandoffRequest(Base):
    """Someone asked for a person; the question that led to it helps staff reply."""

    __tablename__ = "handoff_request"

    id = sa.Column(sa.Integer, primary_key=True)
    respondent_id = sa.Column(sa.String(36), nullable=False, index=True)
    channel = sa.Column(sa.String(32), nullable=False)
    question = sa.Column(sa.Text)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
