"""Reliability under concurrency and faults, on loopback, bounded in time."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.conftest import start_bot
from tests.self_check import RATINGS
from tests.self_check import begin_over_rest as begin_staff_check
from tests.self_check import complete_over_rest as complete_staff_check


def test_100_concurrent_self_checks_store_exactly_100(bot):
    batch = uuid.uuid4().hex[:8]
    with ThreadPoolExecutor(max_workers=25) as pool:
        results = list(pool.map(lambda i: complete_staff_check(bot, f"load-{batch}-{i}", f"team {batch} {i}"),
                                range(100)))
    assert all("Overall" in r for r in results), [r for r in results if "Overall" not in r][:3]
    rows = bot.rows("SELECT team, COUNT(*) FROM submission WHERE team LIKE :p GROUP BY team", p=f"team {batch} %")
    assert len(rows) == 100 and all(n == 1 for _, n in rows)
    answers = bot.rows("SELECT COUNT(*) FROM answer a JOIN submission s ON a.submission_pk = s.id WHERE s.team LIKE :p",
                       p=f"team {batch} %")[0][0]
    assert answers == 100 * 7


@pytest.fixture
def own_bot(tmp_path):
    b = start_bot(f"sqlite:///{tmp_path / 'coprod.db'}")
    yield b
    b.stack.stop()


def test_rasa_restart_mid_self_check_resumes(own_bot):
    bot, sender = own_bot, "restart-1"
    begin_staff_check(bot, sender, "Day centre")
    assert "Statement 2 of 6" in bot.text(sender, "2")
    bot.stack.stop("rasa")
    bot.stack.start_rasa(bot.env)
    bot.stack.wait_ready(timeout=180)
    assert "Statement 3 of 6" in bot.text(sender, "3")


def test_action_server_down_gives_friendly_message_then_continues(own_bot):
    bot, sender = own_bot, "actions-down-1"
    begin_staff_check(bot, sender, "Home care")
    bot.stack.stop("actions")
    reply = bot.text(sender, "2")
    assert "try again in a moment" in reply
    bot.stack.start_actions(bot.env)
    bot.stack.wait_ready(timeout=60)
    assert "Statement 2 of 6" in bot.text(sender, "2")  # the lost turn is simply answered again
    assert bot.rows("SELECT COUNT(*) FROM submission")[0][0] == 0


def test_database_error_on_save_loses_nothing_and_can_be_retried(own_bot):
    bot, sender = own_bot, "db-down-1"
    begin_staff_check(bot, sender, "Night team")
    for r in RATINGS:
        bot.text(sender, r)
    assert "Shall I save" in bot.text(sender, "skip")
    with bot.engine().begin() as conn:  # a real failure: the answers table is gone for a moment
        conn.exec_driver_sql("ALTER TABLE answer RENAME TO answer_away")
    assert "couldn't save" in bot.text(sender, "yes")
    with bot.engine().begin() as conn:
        conn.exec_driver_sql("ALTER TABLE answer_away RENAME TO answer")
    assert bot.rows("SELECT COUNT(*) FROM submission")[0][0] == 0  # no half-written rows
    assert "Overall" in bot.text(sender, "yes")
    assert bot.rows("SELECT COUNT(*) FROM submission")[0][0] == 1
    assert bot.rows("SELECT COUNT(*) FROM answer")[0][0] == 7


def test_tracker_store_failure_is_not_hidden_and_the_conversation_survives(own_bot):
    bot, sender = own_bot, "tracker-down-1"
    begin_staff_check(bot, sender, "Reablement")
    assert "Statement 2 of 6" in bot.text(sender, "2")
    with bot.engine().begin() as conn:  # the conversation table is unavailable for a moment
        conn.exec_driver_sql("ALTER TABLE events RENAME TO events_away")
    assert "try again in a moment" in bot.text(sender, "3")
    with bot.engine().begin() as conn:
        conn.exec_driver_sql("ALTER TABLE events_away RENAME TO events")
    # not silently restarted in memory: the self-check carries on where it was
    assert "Statement 3 of 6" in bot.text(sender, "3")
