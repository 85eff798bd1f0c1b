"""`python -m bot export` for staff, on a real SQLite database."""
import csv
import io
import json

from bot.cli import main
from bot.db import session_scope
from bot.repository import record_unanswered, save_submission
from bot.sample_data import seed_sample
from bot.views import submissions
from tests.self_check import run_flow

NOW = "2026-11-23T10:00:00"


def staff_check(team="Ward 4"):
    """A staff self-check as the conversation produces it."""
    return run_flow(team)[0]


def test_export_self_checks_csv_and_json_match_the_database(db_url, capsys):
    with session_scope() as s:
        seed_sample(s, n_staff=3, n_consumer=2, n_feedback=2, seed=7)
    with session_scope() as s:
        checks = [x for x in submissions(s) if x.kind != "feedback"]
        expected = sum(len(x.answers) for x in checks)
    assert main(["export", "--what", "self-checks", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == expected
    assert {r["kind"] for r in rows} == {"staff_check", "consumer_check"}
    assert main(["export", "--what", "feedback", "--format", "json"]) == 0
    feedback = json.loads(capsys.readouterr().out)
    assert feedback and {r["kind"] for r in feedback} == {"feedback"}


def test_self_check_export_ends_with_team_verified(db_url, capsys, tmp_path):
    verified, unverified = staff_check(), staff_check()
    verified["team_verified"] = True  # as after typing the team's code (tests/unit/test_team_results.py)
    with session_scope() as s:
        save_submission(s, verified, "r1")
        save_submission(s, unverified, "r2")
        seed_sample(s, n_staff=0, n_consumer=1, n_feedback=1, seed=3)
    with session_scope() as s:
        expected = {x.submission_id: x.team_verified for x in submissions(s) if x.kind != "feedback"}
    assert expected[verified["submission_id"]] is True and list(expected.values()).count(True) == 1

    out = tmp_path / "checks.csv"
    assert main(["export", "--what", "self-checks", "--format", "csv", "--output", str(out)]) == 0
    with out.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames[-2:] == ["text", "team_verified"]
    assert {(r["submission_id"], r["team_verified"]) for r in rows} == {(k, str(v)) for k, v in expected.items()}

    assert main(["export", "--what", "self-checks", "--format", "json"]) == 0
    checks = json.loads(capsys.readouterr().out)
    assert len(checks) == len(rows) and list(checks[0])[-1] == "team_verified"
    assert {(r["submission_id"], r["team_verified"]) for r in checks} == set(expected.items())

    assert main(["export", "--what", "feedback", "--format", "json"]) == 0
    assert "team_verified" not in json.loads(capsys.readouterr().out)[0]  # feedback has no team


def test_export_unanswered_guards_spreadsheet_formulas(db_url, capsys, tmp_path):
    with session_scope() as s:
        record_unanswered(s, "=HYPERLINK(\"http://x\")", "rest", "out_of_scope", None, None)
    out = tmp_path / "u.csv"
    assert main(["export", "--what", "unanswered", "--format", "csv", "--output", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["text"].startswith("'=")


def test_retention_command_reports_what_it_deleted(db_url, capsys):
    with session_scope() as s:
        record_unanswered(s, "old question", "rest", "out_of_scope", None, None)
    assert main(["retention", "--days", "0"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["days"] == 0 and out["unanswered"] == 1


def test_export_and_report_list_handoffs_with_status_and_time_to_first_reply(db_url, capsys):
    from datetime import timedelta

    from bot import handoffs, report
    from bot.repository import record_handoff

    with session_scope() as s:
        record_handoff(s, "rid-1", "rest", "Who do I call about transport?")  # no Slack: a note
        handoffs.record_sent(s, "rid-2", "socketio", ["Can my carer come?"], "H-7QKAX", "socketio:abc", "C1", "1.5")
    with session_scope() as s:
        row = handoffs.by_thread(s, "C1", "1.5")
        row.created_at = row.created_at - timedelta(minutes=12)
        assert handoffs.add_message(s, row, "Yes, of course.", "Ev-1") is not None
        assert handoffs.add_message(s, row, "Yes, of course.", "Ev-1") is None  # Slack's retry
    with session_scope() as s:
        assert handoffs.end(s, handoffs.by_thread(s, "C1", "1.5").id, "staff")
        assert not handoffs.end(s, handoffs.by_thread(s, "C1", "1.5").id, "person")  # ends once
        assert handoffs.open_for(s, "socketio:abc") is None  # nothing routes to the thread any more
    assert main(["export", "--what", "handoffs", "--format", "json"]) == 0
    rows = {r["reference"]: r for r in json.loads(capsys.readouterr().out)}
    sent = rows["H-7QKAX"]
    assert sent["status"] == "ended" and sent["ended_by"] == "staff" and 11.9 <= sent["first_reply_minutes"] <= 12.1
    assert sent["question"] == "Can my carer come?" and "abc" not in json.dumps(rows)  # never the conversation
    assert rows[None]["status"] == "noted" and rows[None]["first_reply_minutes"] is None
    page = report.render_html()
    assert "H-7QKAX" in page and "Ended" in page and "Contact details given, note kept" in page
