"""bot.erasure against a real SQLite database migrated by Alembic (with a table shaped like Rasa's
`events`, which the tracker store creates in a running stack)."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import text as sql_text

from bot import erasure, handoffs
from bot.db import session_scope
from bot.handoff import REFERENCE_ALPHABET
from bot.models import Answer, HandoffMessage, HandoffRequest, Submission, UnansweredQuestion, utcnow
from bot.repository import record_handoff, save_submission
from bot.views import count_rows
from tests.self_check import run_flow

KEY = "rest:alice"


def epoch(when: datetime) -> float:
    return (when - datetime(1970, 1, 1)).total_seconds()


@pytest.fixture
def db(db_url):
    with session_scope() as s:
        s.execute(sql_text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                           "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"))
    return db_url


def said(s, key: str, text: str, when: datetime, channel: str = "rest") -> None:
    s.execute(sql_text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:k, 'user', :t, :d)"),
              {"k": key, "t": epoch(when), "d": json.dumps({"event": "user", "text": text, "input_channel": channel})})


def unanswered(s, text: str, when: datetime, channel: str = "rest") -> None:
    s.add(UnansweredQuestion(text=text, channel=channel, reason="out_of_scope", created_at=when))


def test_reference_codes_are_unambiguous_and_read_however_typed():
    code = erasure.new_reference()
    assert len(code) == 11 and code.startswith("D-") and code[6] == "-"
    assert set(code[2:6] + code[7:]) <= set(REFERENCE_ALPHABET)
    for typed in (code, code.lower(), f"my code is d {code[2:6]} {code[7:]}", code.replace("-", ""), f" {code}.",
                  code[2:], "it's D-7QKA X3MP"):
        assert erasure.find_reference(typed) in (code, "D-7QKA-X3MP"), typed
    assert erasure.find_reference("7QKAX3MP") == "D-7QKA-X3MP"
    for typed in ("no", "delete my data", "D-12345678", "D-7QKA", "yes please", "what would that mean",
                  "reappear", "thatmean"):
        assert erasure.find_reference(typed) is None, typed


def test_only_the_hash_of_a_code_is_stored_and_it_deletes_that_submission_only(db):
    mine, theirs = run_flow("Ward 4")[0], run_flow("Ward 5")[0]
    with session_scope() as s:
        save_submission(s, mine, "r1")
        save_submission(s, theirs, "r2")
        code = erasure.issue_reference(s, mine["submission_id"])
        erasure.issue_reference(s, theirs["submission_id"])
    digest = hashlib.sha256(code.encode()).hexdigest()
    with session_scope() as s:
        row = s.execute(select(Submission).where(Submission.submission_id == mine["submission_id"])).scalar_one()
        assert row.reference_hash == digest and code not in json.dumps([str(v) for v in row.__dict__.values()])
        found = erasure.find_by_reference(s, erasure.reference_hash(code))
        assert (found.kind, found.answers, found.saved_on) == ("staff_check", 7, utcnow().date().isoformat())
        assert erasure.find_by_reference(s, erasure.reference_hash("D-AAAA-AAAA")) is None
    with session_scope() as s:
        assert erasure.erase_by_reference(s, digest).answers == 7
    with session_scope() as s:
        assert s.execute(select(Submission.respondent_id)).scalars().all() == ["r2"]
        assert count_rows(s, Answer) == 7
        assert erasure.erase_by_reference(s, digest).submissions == 0  # already gone


def test_a_new_code_for_the_same_submission_replaces_the_last_one(db):
    """A retried save shows a new code: only the code last shown works."""
    sub = run_flow("Ward 4")[0]
    with session_scope() as s:
        save_submission(s, sub, "r1")
        first = erasure.issue_reference(s, sub["submission_id"])
        second = erasure.issue_reference(s, sub["submission_id"])
    with session_scope() as s:
        assert first != second
        assert erasure.find_by_reference(s, erasure.reference_hash(first)) is None
        assert erasure.find_by_reference(s, erasure.reference_hash(second)) is not None


def test_erasing_a_conversation_deletes_what_is_tied_to_it_and_nothing_else(db):
    t0 = utcnow() - timedelta(minutes=10)
    with session_scope() as s:
        save_submission(s, run_flow("Ward 4")[0], "r1")
        save_submission(s, run_flow("Ward 5")[0], "r2")  # someone else's
        record_handoff(s, "r1", "rest", "my name is Jane, my insulin dose is wrong")  # a note
        handoffs.record_sent(s, "r1", "rest", ["Can my carer come?"], "H-7QKAX", KEY, "C1", "1.5")
        record_handoff(s, "r2", "rest", "someone else's question")
        s.flush()
        handoffs.add_message(s, handoffs.by_thread(s, "C1", "1.5"), "Yes, of course.", "Ev-1")
        # what Alice typed, and the questions the assistant kept for staff
        said(s, KEY, "my name is Jane, my insulin dose is wrong", t0)
        unanswered(s, "my name is Jane, my insulin dose is wrong", t0 + timedelta(seconds=1))
        said(s, KEY, "xqzv blorp", t0 + timedelta(minutes=1))
        unanswered(s, "xqzv blorp", t0 + timedelta(minutes=1, seconds=2))
        said(s, KEY, "/human_handoff", t0 + timedelta(minutes=2))
        # the same words from someone else, at the same time: only one row is Alice's
        said(s, "rest:bob", "xqzv blorp", t0 + timedelta(minutes=1, seconds=5))
        unanswered(s, "xqzv blorp", t0 + timedelta(minutes=1, seconds=6))
        # the same words, but not from this chat: another channel, or long after
        unanswered(s, "my name is Jane, my insulin dose is wrong", t0 + timedelta(seconds=1), channel="socketio")
        unanswered(s, "xqzv blorp", t0 + timedelta(minutes=20))
    with session_scope() as s:
        tied = erasure.tied_to(s, "r1", KEY)
    assert (tied.submissions, tied.answers, tied.handoffs, tied.sent_to_team, tied.unanswered) == (1, 7, 2, 1, 2)
    with session_scope() as s:
        assert erasure.erase_conversation(s, "r1", KEY) == tied
    with session_scope() as s:
        assert s.execute(select(Submission.respondent_id)).scalars().all() == ["r2"]
        assert s.execute(select(HandoffRequest.question)).scalars().all() == ["someone else's question"]
        assert count_rows(s, HandoffMessage) == 0 and handoffs.open_for(s, KEY) is None
        left = sorted((u.text, u.channel, u.created_at - t0) for u in s.execute(select(UnansweredQuestion)).scalars())
        assert left == [("my name is Jane, my insulin dose is wrong", "socketio", timedelta(seconds=1)),
                        ("xqzv blorp", "rest", timedelta(minutes=1, seconds=6)),
                        ("xqzv blorp", "rest", timedelta(minutes=20))]
        assert erasure.tied_to(s, "r1", KEY).saved_anything is False


def test_a_conversation_without_an_id_or_a_log_has_nothing_tied(db):
    with session_scope() as s:
        save_submission(s, run_flow("Ward 4")[0], "r1")
        unanswered(s, "xqzv blorp", utcnow())
        assert erasure.tied_to(s, None, "rest:new") == erasure.Counts()
        assert erasure.erase_conversation(s, None, "rest:new") == erasure.Counts()
        assert count_rows(s, Submission) == 1 and count_rows(s, UnansweredQuestion) == 1
