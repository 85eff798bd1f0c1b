"""What the assistant says about data (bot.privacy) against what the code stores, exports and
deletes: a statement that stops being true fails here."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text as sql_text

from bot import flows, handoff, privacy, settings, views
from bot.cli import build_parser, main
from bot.db import session_scope
from bot.models import Base, HandoffRequest, Submission, UnansweredQuestion, utcnow
from bot.organisation import Organisation
from bot.repository import save_submission
from tests.self_check import run_flow

NOW = "2026-11-23T10:00:00"


@pytest.fixture
def days_30(monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "30")
    settings.settings.cache_clear()
    yield 30
    settings.settings.cache_clear()


def texts() -> dict:
    return {"privacy": privacy.privacy_info("Riverside", False), "privacy slack": privacy.privacy_info("Riverside", True),
            "consent": privacy.consent_prompt(), "no": privacy.not_saved(), "stop": privacy.stopped(),
            "handoff consent": handoff.consent_prompt(Organisation("Riverside"), ["Can my carer come?"])}


def test_every_text_gives_the_retention_setting_and_follows_it(days_30):
    for name, text in texts().items():
        assert "30 days" in text and "180" not in text, name
    settings.settings.cache_clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RETENTION_DAYS", "7")
        settings.settings.cache_clear()
        assert all("7 days" in text for text in texts().values())


def test_the_retention_job_deletes_what_the_texts_say_after_those_days(db_url, days_30):
    """The log, unanswered questions and handoff notes go after RETENTION_DAYS; saved answers stay."""
    with session_scope() as s:
        s.execute(sql_text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                           "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"))
        save_submission(s, run_flow("Ward 4")[0], "r1")
        for age in (29, 31):
            when = utcnow() - timedelta(days=age)
            s.add(UnansweredQuestion(text=f"asked {age} days ago", channel="rest", reason="out_of_scope", created_at=when))
            s.add(HandoffRequest(respondent_id="r1", channel="rest", question=f"noted {age} days ago", created_at=when))
            s.execute(sql_text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('rest:x', 'user', :t, '{}')"),
                      {"t": (when - datetime(1970, 1, 1)).total_seconds()})
    assert main(["retention"]) == 0  # the days come from RETENTION_DAYS, as in the texts
    with session_scope() as s:
        assert [u.text for u in s.query(UnansweredQuestion)] == ["asked 29 days ago"]
        assert [h.question for h in s.query(HandoffRequest)] == ["noted 29 days ago"]
        assert s.execute(sql_text("SELECT COUNT(*) FROM events")).scalar() == 1
        assert views.count_rows(s, Submission) == 1  # kept until deleted on request


def test_the_consent_names_every_column_kept_with_saved_answers():
    stored = {f"{t}.{c.name}" for t in ("submission", "answer") for c in Base.metadata.tables[t].columns}
    assert stored == set(privacy.STORED), "describe the new column in bot.privacy.STORED (and the consent)"
    consent = privacy.consent_prompt()
    for label in set(privacy.STORED.values()) - {""}:
        assert label in consent, label
    assert "Shall I save your answers?" in consent and "word for word" in consent


def test_what_staff_see_in_the_export_is_what_the_texts_say(db_url):
    sub, _ = run_flow("Ward 4")
    feedback = flows.start("feedback", "socketio", None, NOW).state
    for answer in ("4", "Friendly staff", "skip", "skip"):
        feedback = flows.handle(feedback, answer, None, 0, NOW).state
    with session_scope() as s:
        save_submission(s, sub, "r1")
        save_submission(s, flows.handle(feedback, "yes", None, 0, NOW).to_save, "r2")
    with session_scope() as s:
        rows = views.export_self_checks(s) + views.export_feedback(s)
    assert {"Friendly staff"} <= {r["text"] for r in rows}  # every answer, comments word for word
    assert set().union(*(r.keys() for r in rows)) == set(privacy.EXPORTED)
    info, consent = privacy.privacy_info("Riverside", False), privacy.consent_prompt()
    for label in set(privacy.EXPORTED.values()):
        assert label in info or label in consent, label
    for text in (info, consent):
        assert "Staff see each answer in their export and read comments word for word in their report" in text
    assert "It isn't in the staff report or export" in info  # the conversation log: the export has no transcripts
    with pytest.raises(SystemExit):
        build_parser().parse_args(["export", "--what", "conversations"])


def test_refusing_consent_keeps_no_answer_and_says_how_long_the_log_stays(days_30):
    state = flows.start("feedback", "rest", None, NOW).state
    for answer in ("good", "friendly staff", "skip", "skip"):
        out = flows.handle(state, answer, None, 0, NOW)
        state = out.state
    assert privacy.consent_prompt() in out.replies[0]["text"]
    out = flows.handle(state, "no", None, 0, NOW)
    assert out.to_save is None and out.state is None
    assert "haven't saved your answers" in out.replies[0]["text"] and "30 days" in out.replies[0]["text"]
    out = flows.handle(flows.start("feedback", "rest", None, NOW).state, "stop", None, 0, NOW)
    assert out.to_save is None and "30 days" in out.replies[0]["text"]
    assert "Nothing from this conversation has been saved" not in out.replies[0]["text"]


def test_the_handoff_consent_says_what_is_posted():
    org = Organisation("Riverside")
    prompt = handoff.consent_prompt(org, ["Can my carer come?"], retention_days=90)
    post = handoff.slack_post(["Can my carer come?"], "rest", datetime(2026, 11, 23, 10, 0), "H-7QKAX")
    assert "the words above, the time and which chat it came from, not who you are" in prompt
    assert "Can my carer come?" in post and "an app (REST)" in post and "23 Nov 2026 10:00" in post
    assert "90 days" in prompt and "Slack keeps its own copy" in prompt and "Shall I send it?" in prompt


def test_the_privacy_answer_follows_the_handoff_setting():
    off, on = privacy.privacy_info("Riverside", False), privacy.privacy_info("Riverside", True)
    assert "keep a note of the message you sent just before" in off and "Slack" not in off
    assert "to the team in Slack" in on and "Slack keeps its own copy" in on
    assert "Slack also keeps this chat" in privacy.privacy_info("Riverside", False, "slack")


@pytest.mark.parametrize("text, intent, understood, expected", [
    ("delete my data", None, True, True),
    ("Please delete what I told you.", None, True, True),
    ("/delete_my_data", "delete_my_data", False, True),
    ("forget me", None, True, True),
    ("can you erase the feedback I gave yesterday", "delete_my_data", False, True),  # unreadable as an answer
    ("can you erase the feedback I gave yesterday", "delete_my_data", True, False),  # a comment
    ("We delete old records every year", "delete_my_data", True, False),
    ("4", None, True, False),
])
def test_a_request_to_delete_is_recognised(text, intent, understood, expected):
    assert privacy.asks_to_delete(text, intent, 0.9, understood) is expected
