"""The staff insight report against a real SQLite database migrated by Alembic (no mocks)."""
import csv
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import flows, report
from bot.db import session_scope
from bot.models import Answer, Submission
from bot.principles import PRINCIPLES
from bot.repository import record_unanswered, save_submission
from bot.report.page import css
from bot.report.style import LEVEL_COLOURS, LEVEL_TINTS
from bot.scoring import LEVEL_NAMES, LEVELS, band_text
from bot.topics import TOPIC_TITLES
from bot.sample_data import seed_sample

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-23T10:00:00"
SCRIPT = "<script>alert(1)</script>"
EXPECTED_HEADERS = {
    "principles.csv": ["principle_key", "principle", "staff_mean_score", "staff_ratings", "consumer_mean_score",
                       "consumer_ratings", "gap"],
    "levels.csv": ["month", *LEVEL_NAMES, "total", "mean_overall"],
    "matters_most.csv": ["choice", "count", "percent"],
    "contribute.csv": ["choice", "count", "percent"],
    "feedback_comments.csv": ["created_at", "kind", "question", "label", "text"],
    "unanswered.csv": ["question", "count"],
    "unanswered_themes.csv": ["theme", "questions"],
}


def feedback_submission(works="skip", better="skip", own_part="skip", rating="4"):
    """A feedback submission exactly as the conversation produces it."""
    out = flows.start("feedback", "rest", None, NOW)
    for text in (rating, works, better, own_part, "yes"):
        out = flows.handle(out.state, text, None, 0, NOW)
    assert out.to_save is not None
    return out.to_save


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.fixture
def sample(db_url):
    with session_scope() as s:
        added = seed_sample(s, n_staff=12, n_consumer=20, n_feedback=10, seed=1)
    assert added["staff_check"] == 12 and added["consumer_check"] == 20 and added["feedback"] == 10
    return db_url


def test_empty_database_renders_gracefully(db_url, tmp_path):
    html = report.render_html()
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html
    assert "No self-checks yet" in html
    assert "<script" not in html.lower()
    assert "Staff and consumer views side by side" in html
    path = report.write(tmp_path / "out")
    assert path == tmp_path / "out" / "report.html" and path.is_file()
    for name, header in EXPECTED_HEADERS.items():
        assert read_csv(tmp_path / "out" / name)[0] == header


def test_the_levels_on_the_page_are_the_ones_in_scoring(sample):
    assert set(LEVEL_COLOURS) == set(LEVEL_TINTS) == set(LEVEL_NAMES)
    html = report.render_html()
    for level in LEVELS:
        assert f"<dt>{level.name.capitalize()} ({band_text(level)})</dt>" in html
    starts = " and ".join(f"{level.name} ({level.low:.0f})" for level in LEVELS[1:])
    assert f"Dashed lines mark where the {starts} levels start." in html
    assert css() in html and "@media print" in css()  # the style sheet, bot/report/report.css, inlined


def test_side_by_side_numbers_equal_means_of_stored_answers(sample):
    with session_scope() as s:
        rows = s.execute(
            select(Submission.kind, Answer.question, Answer.rating)
            .join(Answer, Answer.submission_pk == Submission.id)
            .where(Answer.rating.is_not(None))
        ).all()
        data = report.build(s)
    percents = defaultdict(list)
    for kind, question, rating in rows:
        percents[(kind, question)].append((rating - 1) / 4 * 100)

    by_key = {r["key"]: r for r in data["principles"]}
    for p in PRINCIPLES:
        staff = percents[("staff_check", f"p_{p.key}")]
        consumer = percents[("consumer_check", f"c_{p.key}")]
        assert len(staff) == 12 and len(consumer) == 20
        row = by_key[p.key]
        assert row["staff"] == pytest.approx(sum(staff) / len(staff), abs=0.051)
        assert row["consumer"] == pytest.approx(sum(consumer) / len(consumer), abs=0.051)
        assert row["gap"] == pytest.approx(row["staff"] - row["consumer"], abs=0.051)
        assert row["highlight"] == (abs(row["gap"]) >= 15)
        assert (row["staff_n"], row["consumer_n"]) == (12, 20)

    biggest = max(data["principles"], key=lambda r: abs(r["gap"]))
    html = report.render_html()
    assert f"The biggest gap is in {biggest['title']}" in html
    # the table behind the chart shows the same means
    for p in PRINCIPLES:
        row = by_key[p.key]
        assert f'<th scope="row">{p.title}</th><td class="num">{row["staff"]:.0f}</td>' in html


def test_counts_levels_choices_and_feedback(sample):
    with session_scope() as s:
        data = report.build(s)
        subs = s.execute(select(Submission)).scalars().all()
        answers = s.execute(select(Answer.question, Answer.choice, Answer.rating)).all()
    assert data["counts"]["staff_check"] == 12 and data["counts"]["consumer_check"] == 20
    assert data["counts"]["feedback"] == 10
    assert sum(m["total"] for m in data["levels_by_month"]) == 12
    for m in data["levels_by_month"]:
        assert sum(m["counts"].values()) == m["total"]
    staff_scores = [x.overall_score for x in subs if x.kind == "staff_check"]
    assert data["overall"]["staff"] == pytest.approx(sum(staff_scores) / len(staff_scores), abs=0.051)
    assert sum(r["count"] for r in data["matters_most"]) == 20
    assert sum(r["count"] for r in data["contribute"]) == 20
    matters = [c for q, c, _ in answers if q == "matters_most"]
    assert {r["choice"]: r["count"] for r in data["matters_most"] if r["count"]} == \
        {c: matters.count(c) for c in set(matters)}
    experience = [r for q, _, r in answers if q == "experience" and r is not None]
    assert data["feedback"]["mean_experience"] == pytest.approx(sum(experience) / len(experience), abs=0.006)
    assert data["handoffs"] == 2 and data["unanswered"][0]["count"] >= data["unanswered"][-1]["count"]
    times = [c["created_at"] for c in data["comments"]]
    assert times == sorted(times, reverse=True) and 0 < len(times) <= 50


def test_questions_we_have_no_answer_for_are_counted_by_theme(db_url):
    with session_scope() as s:
        for text in ("a", "b", "c"):
            record_unanswered(s, f"payment question {text}", "rest", "not_covered", "payment_and_expenses", 0.3)
        record_unanswered(s, "which survey tool", "rest", "not_covered", "measuring_impact", 0.2)
        record_unanswered(s, "what's the weather", "rest", "out_of_scope", "other", None)
    with session_scope() as s:
        data = report.build(s)
    assert data["unanswered_themes"] == [{"theme": "Payment and expenses", "count": 3},
                                         {"theme": TOPIC_TITLES["measuring_impact"], "count": 1}]
    assert "by the closest topic" in report.render_html()


def test_sample_data_is_deterministic_and_not_added_twice(db_url):
    with session_scope() as s:
        first = seed_sample(s, n_staff=3, n_consumer=3, n_feedback=3, seed=7)
    with session_scope() as s:
        again = seed_sample(s, n_staff=3, n_consumer=3, n_feedback=3, seed=7)
    assert first["staff_check"] == 3 and again == {k: 0 for k in again}
    with session_scope() as s:
        kinds = [k for (k,) in s.execute(select(Submission.kind))]
    assert sorted(kinds) == ["consumer_check"] * 3 + ["feedback"] * 3 + ["staff_check"] * 3


def test_user_text_is_escaped_never_raw(db_url, tmp_path):
    with session_scope() as s:
        save_submission(s, feedback_submission(works=SCRIPT, better='"quoted" & <b>bold</b>'), "r1")
        record_unanswered(s, f"what about {SCRIPT}", "rest", "out_of_scope", None, None)
    html = report.render_html()
    assert SCRIPT not in html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    written = report.write(tmp_path).read_text(encoding="utf-8")
    assert SCRIPT not in written and "&lt;script&gt;" in written


def test_csvs_have_headers_and_guard_formulas(sample, tmp_path):
    with session_scope() as s:
        save_submission(s, feedback_submission(works="=HYPERLINK(\"http://x\")", better="+1 more staff"), "r1")
    out = tmp_path / "new" / "dir"
    path = report.write(out)
    assert path == out / "report.html"
    for name, header in EXPECTED_HEADERS.items():
        rows = read_csv(out / name)
        assert rows[0] == header, name
    principles = read_csv(out / "principles.csv")
    assert [r[0] for r in principles[1:]] == [p.key for p in PRINCIPLES]
    assert len(read_csv(out / "matters_most.csv")) == 1 + 5 and len(read_csv(out / "contribute.csv")) == 1 + 3
    texts = [r[4] for r in read_csv(out / "feedback_comments.csv")[1:]]
    assert "'=HYPERLINK(\"http://x\")" in texts and "'+1 more staff" in texts
    assert not any(t[:1] in "=+-@" for t in texts)
    unanswered = read_csv(out / "unanswered.csv")
    assert len(unanswered) == 1 + 7 and unanswered[1] == ["Can I bring my dog to the day centre?", "4"]


def run_cli(args, db_url):
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=str(ROOT), env=env,
                          capture_output=True, text=True, timeout=120)


def test_report_command_works_as_a_subprocess(db_url, tmp_path):
    done = run_cli(["seed-sample", "--staff", "4", "--consumer", "5", "--feedback", "3"], db_url)
    assert done.returncode == 0, done.stderr
    done = run_cli(["report", "--out", str(tmp_path / "report")], db_url)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "Staff and consumer views side by side" in html and "No self-checks yet" not in html
    assert read_csv(tmp_path / "report" / "principles.csv")[1][3] == "4"
    assert read_csv(tmp_path / "report" / "principles.csv")[1][5] == "5"
    assert "demos" in run_cli(["seed-sample", "--help"], db_url).stdout.lower()
