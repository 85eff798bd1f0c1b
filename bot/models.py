"""Database tables for what people choose to tell us (SQLAlchemy declarative).

Anonymous by design: a submission carries a random respondent id, the channel,
the role and timestamps; never the chat sender id or a name.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base: Any = declarative_base(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))


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
    # True when the person gave the team's code from the organisation's profile: only such checks
    # (and a person's own) are shown to others as the team's earlier results. Reports count every check.
    team_verified = sa.Column(sa.Boolean(create_constraint=False), nullable=False, default=False,
                              server_default=sa.false())
    overall_score = sa.Column(sa.Float)
    level = sa.Column(sa.String(20))
    started_at = sa.Column(sa.DateTime)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    # SHA-256 of the reference code the person was given when it was saved ("delete my data" from
    # another chat, bot.erasure); never the code itself. Migration 0005.
    reference_hash = sa.Column(sa.String(64), unique=True)

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
    """Someone asked for a person; the question that led to it helps staff reply.

    With the Slack handoff on, a request the person agreed to send is `sent` (posted to the
    team's channel; `slack_ts` is its thread), `answered` once staff reply in the thread, and
    `ended` by either side. It holds the conversation key that routes replies back
    (`conversation`) until the person deletes their data or the retention period ends, so a reply
    or the end notice that could not be shown at once is shown at their next message or reload."""

    __tablename__ = "handoff_request"

    id = sa.Column(sa.Integer, primary_key=True)
    respondent_id = sa.Column(sa.String(36), nullable=False, index=True)
    channel = sa.Column(sa.String(32), nullable=False)
    question = sa.Column(sa.Text)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    reference = sa.Column(sa.String(16), unique=True)
    status = sa.Column(sa.String(16), nullable=False, default="noted", server_default="noted")
    conversation = sa.Column(sa.String(200), index=True)
    slack_channel = sa.Column(sa.String(64))
    slack_ts = sa.Column(sa.String(32), index=True)
    first_reply_at = sa.Column(sa.DateTime)
    ended_at = sa.Column(sa.DateTime)
    ended_by = sa.Column(sa.String(16))
    messages = relationship("HandoffMessage", cascade="all, delete-orphan", passive_deletes=True)


class HandoffMessage(Base):
    """A staff reply waiting for, or delivered to, the person (so a reply that arrives while the
    page reloads, or to a REST client between requests, is not lost)."""

    __tablename__ = "handoff_message"

    id = sa.Column(sa.Integer, primary_key=True)
    handoff_pk = sa.Column(sa.Integer, sa.ForeignKey("handoff_request.id", ondelete="CASCADE"), nullable=False,
                           index=True)
    slack_event = sa.Column(sa.String(64), unique=True)  # a Slack retry of the same reply adds nothing
    kind = sa.Column(sa.String(16), nullable=False, default="reply", server_default="reply")  # reply | ended
    text = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    delivered_at = sa.Column(sa.DateTime)
