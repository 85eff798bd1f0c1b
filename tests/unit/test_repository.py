"""The repository against a real SQLite database migrated by Alembic."""
import pytest
from sqlalchemy import inspect, select

from bot import flows
from bot.db import get_engine, session_scope
from bot.errors import StorageError
from bot.models import Answer, HandoffRequest, Submission, UnansweredQuestion
from bot.repository import (delete_respondent, previous_team_score, purge_older_than, record_handoff,
                            record_unanswered, save_submission, team_key)
from bot.views import count_rows, top_unanswered

NOW = "2026-11-23T10:00:00"


def staff_submission(team="Ward 4", rating="3"):
    state = flows.start("self_check", "rest", "staff", NOW).state
    out = flows.handle(state, team, None, 0, NOW)
    for _ in range(6):
        out = flows.handle(out.state, rating, None, 0, NOW)
        if out.state and flows.current_question(out.state).key.startswith("example_"):
            out = flows.handle(out.state, "skip", None, 0, NOW)
    out = flows.handle(out.state, "skip", None, 0, NOW)
    return flows.handle(out.state, "yes", None, 0, NOW).to_save


def test_alembic_schema_has_named_constraints(db_url):
    insp = inspect(get_engine(db_url))
    assert {"submission", "answer", "unanswered_question", "handoff_request", "alembic_version"} <= set(insp.get_table_names())
    assert insp.get_pk_constraint("submission")["name"] == "pk_submission"


def test_saving_twice_with_same_submission_id_stores_once(db_url):
    sub = staff_submission()
    with session_scope() as s:
        assert save_submission(s, sub, "r1") is True
    with session_scope() as s:
        assert save_submission(s, sub, "r1") is False
    with session_scope() as s:
        assert count_rows(s, Submission) == 1
        assert count_rows(s, Answer) == len(sub["answers"]) == 7  # 6 ratings + the skipped comment


def test_failed_transaction_leaves_no_half_written_rows(db_url):
    sub = staff_submission()
    sub["answers"][-1]["rating"] = 9  # violates the CHECK constraint on the last row
    with pytest.raises(StorageError):
        with session_scope() as s:
            save_submission(s, sub, "r1")
    with session_scope() as s:
        assert count_rows(s, Submission) == 0 and count_rows(s, Answer) == 0


def test_previous_team_score_matches_team_names_loosely(db_url):
    first, second = staff_submission("Ward 4", "2"), staff_submission("  ward 4 ", "4")
    with session_scope() as s:
        save_submission(s, first, "r1")
        save_submission(s, second, "r2")
    with session_scope() as s:
        mine = {"respondent_id": "r1", "verified": False}  # r1's own earlier check (tests/unit/test_team_results.py)
        assert previous_team_score(s, "WARD 4", second["submission_id"], **mine) == first["overall_score"]
        assert previous_team_score(s, "Ward 5", second["submission_id"], **mine) is None
    assert team_key(" Ward  4! ") == "ward 4"


def test_delete_respondent_removes_only_their_rows(db_url):
    with session_scope() as s:
        save_submission(s, staff_submission(), "mine")
        save_submission(s, staff_submission(), "theirs")
        record_handoff(s, "mine", "rest", "question")
    with session_scope() as s:
        counts = delete_respondent(s, "mine")
    assert counts == {"submissions": 1, "answers": 7, "handoffs": 1}
    with session_scope() as s:
        assert s.execute(select(Submission.respondent_id)).scalars().all() == ["theirs"]
        assert count_rows(s, Answer) == 7 and count_rows(s, HandoffRequest) == 0


def test_unanswered_questions_counted_and_purged(db_url):
    with session_scope() as s:
        for text in ("Can I bring my dog?", "can i bring my dog?", "What's the wifi password"):
            record_unanswered(s, text, "rest", "out_of_scope", None, None)
    with session_scope() as s:
        top = top_unanswered(s)
        assert top[0] == ("can i bring my dog?", 2)
        assert purge_older_than(s, 30) == {"unanswered": 0, "handoffs": 0, "conversation_events": 0}
    from datetime import datetime, timedelta
    with session_scope() as s:
        assert purge_older_than(s, 30, now=datetime.utcnow() + timedelta(days=31))["unanswered"] == 3
        assert count_rows(s, UnansweredQuestion) == 0
