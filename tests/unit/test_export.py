"""`python -m bot export` for staff, on a real SQLite database."""
import csv
import io
import json

from bot.cli import main
from bot.db import session_scope
from bot.repository import record_unanswered, submissions
from bot.sample_data import seed_sample


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
