"""The tracker store's in-memory copies never hide what is in the database (real SQLite).

Two store objects on one database stand for two Rasa servers behind a load balancer.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot import db
from tests.integration.conftest import _fresh_postgres, backends, run_coroutine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(params=backends() + ["sqlite-orm-inserts"])
def stores(request, tmp_path, domain):
    from bot.rasa_ext.tracker_store import CoprodTrackerStore

    if request.param.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'trackers.db'}"
    else:
        url = _fresh_postgres(os.environ["TEST_POSTGRES_URL"])
    db.migrate(url)
    pair = CoprodTrackerStore(domain=domain, url=url), CoprodTrackerStore(domain=domain, url=url)
    if request.param == "sqlite-orm-inserts":  # the path for databases without INSERT ... RETURNING
        for store in pair:
            store._returning = False
    return pair



def user(text: str, intent: str):
    from rasa.shared.core.events import UserUttered

    return UserUttered(text, {"name": intent, "confidence": 0.9})


def turn(tracker, text: str, intent: str, answer: str) -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered

    for event in (user(text, intent), ActionExecuted(answer), BotUttered("..."), ActionExecuted("action_listen")):
        tracker.update(event)


def texts(tracker) -> list:
    return [e.text for e in tracker.events if getattr(e, "type_name", "") == "user"]


def test_a_turn_saved_by_one_server_is_seen_by_the_other(stores):
    a, b = stores
    tracker = run_coroutine(a.create_tracker("alex"))
    turn(tracker, "hi", "greet", "utter_greet")
    run_coroutine(a.save(tracker))
    assert texts(run_coroutine(a.retrieve("alex"))) == ["hi"]

    on_b = run_coroutine(b.retrieve("alex"))
    turn(on_b, "what is co-production?", "what_is_coproduction", "utter_what_is_coproduction")
    run_coroutine(b.save(on_b))

    back_on_a = run_coroutine(a.retrieve("alex"))
    assert texts(back_on_a) == ["hi", "what is co-production?"]
    turn(back_on_a, "thanks", "thank", "utter_thank")
    run_coroutine(a.save(back_on_a))
    assert texts(run_coroutine(b.retrieve("alex"))) == ["hi", "what is co-production?", "thanks"]


def test_events_of_a_turn_that_failed_before_saving_are_not_served(stores):
    a, _ = stores
    tracker = run_coroutine(a.create_tracker("sam"))
    turn(tracker, "hi", "greet", "utter_greet")
    run_coroutine(a.save(tracker))
    handed_out = run_coroutine(a.retrieve("sam"))
    turn(handed_out, "this turn crashes", "benefits", "utter_benefits")  # never saved
    again = run_coroutine(a.retrieve("sam"))
    assert texts(again) == ["hi"]
    turn(again, "next try", "benefits", "utter_benefits")
    run_coroutine(a.save(again))
    assert texts(run_coroutine(a.retrieve("sam"))) == ["hi", "next try"]


def test_each_event_is_stored_once_however_often_a_tracker_is_saved(stores):
    a, b = stores
    tracker = run_coroutine(a.create_tracker("kim"))
    for i in range(3):
        turn(tracker, f"question {i}", "benefits", "utter_benefits")
        run_coroutine(a.save(tracker))
        run_coroutine(a.save(tracker))  # a second save of the same state adds nothing
    fresh = run_coroutine(b.retrieve("kim"))
    assert texts(fresh) == ["question 0", "question 1", "question 2"]
    assert len(fresh.events) == len(tracker.events)


def test_rows_deleted_behind_the_store_are_not_served_from_memory(stores):
    import sqlalchemy as sa

    a, _ = stores
    tracker = run_coroutine(a.create_tracker("lee"))
    turn(tracker, "hi", "greet", "utter_greet")
    run_coroutine(a.save(tracker))
    assert run_coroutine(a.retrieve("lee")) is not None
    with a.engine.begin() as conn:  # what the retention job does
        conn.execute(sa.text("DELETE FROM events WHERE sender_id = 'lee'"))
    assert run_coroutine(a.retrieve("lee")) is None


def test_only_a_bounded_number_of_conversations_is_kept_in_memory(stores, monkeypatch):
    from bot.rasa_ext import tracker_store

    monkeypatch.setattr(tracker_store, "RECENT_CONVERSATIONS", 3)
    a, b = stores
    for i in range(6):
        tracker = run_coroutine(a.create_tracker(f"visitor-{i}"))
        turn(tracker, f"hello {i}", "greet", "utter_greet")
        run_coroutine(a.save(tracker))
    assert len(a._recent) == 3
    # the oldest ones come back from the database, complete
    assert texts(run_coroutine(a.retrieve("visitor-0"))) == ["hello 0"]
    assert texts(run_coroutine(b.retrieve("visitor-5"))) == ["hello 5"]


def test_a_compact_session_keeps_the_slots_and_the_assistants_side_of_the_last_turn(stores):
    from rasa.shared.core.events import SlotSet

    from bot.rasa_ext.tracker_store import COMPACT_AFTER_EVENTS

    a, b = stores
    tracker = run_coroutine(a.create_tracker("robin"))
    tracker.update(SlotSet("role", "staff"))
    i = 0
    while len(tracker.events) <= COMPACT_AFTER_EVENTS:
        turn(tracker, f"private question {i}", "benefits", "utter_benefits")
        run_coroutine(a.save(tracker))
        i += 1
    compact = run_coroutine(b.retrieve("robin"))
    assert len(compact.events) < 15
    assert compact.get_slot("role") == "staff"
    assert texts(compact) == []  # nothing the person typed is copied
    actions = [e.action_name for e in compact.events if e.type_name == "action"]
    assert actions[-2:] == ["utter_benefits", "action_listen"]  # "tell me more" rules still see the answer
    assert [e.type_name for e in compact.events].count("bot") == 1
    # the whole transcript stays stored (until the retention job or "delete my data")
    full = run_coroutine(b.retrieve_full_tracker("robin"))
    assert texts(full)[-1] == f"private question {i - 1}"


def _sqlite_store(tmp_path, domain):
    from bot.rasa_ext.tracker_store import CoprodTrackerStore

    url = f"sqlite:///{tmp_path / 'trackers.db'}"
    db.migrate(url)
    return CoprodTrackerStore(domain=domain, url=url)


def test_on_sqlite_the_writes_take_turns_and_every_one_is_stored(tmp_path, domain):
    """Many conversations saved at once: one write transaction of the process at a time (left to
    SQLite, the threads competed for the file lock and, with 100 users, one lost for the whole
    busy timeout), and each conversation is stored complete."""
    import asyncio
    import threading

    from sqlalchemy import event

    store = _sqlite_store(tmp_path, domain)
    open_writes, most = set(), [0]
    guard = threading.Lock()

    def on_execute(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "DELETE")):
            with guard:
                open_writes.add(id(conn.connection))
                most[0] = max(most[0], len(open_writes))

    def on_end(conn):
        with guard:
            open_writes.discard(id(conn.connection))

    event.listen(store.engine, "before_cursor_execute", on_execute)
    event.listen(store.engine, "commit", on_end)
    event.listen(store.engine, "rollback", on_end)

    async def many():
        trackers = []
        for i in range(48):
            tracker = await store.create_tracker(f"crowd-{i}")
            for j in range(3):
                turn(tracker, f"question {i}.{j}", "benefits", "utter_benefits")
            trackers.append(tracker)
        await asyncio.gather(*(store.save(t) for t in trackers))

    run_coroutine(many())
    assert most[0] == 1
    reader = _sqlite_store(tmp_path, domain)
    for i in (0, 23, 47):
        assert texts(run_coroutine(reader.retrieve(f"crowd-{i}"))) == [f"question {i}.{j}" for j in range(3)]


def test_on_sqlite_a_write_that_cannot_get_its_turn_fails_within_the_busy_timeout(tmp_path, domain, monkeypatch):
    import threading

    import sqlalchemy as sa

    from bot.rasa_ext import tracker_store

    monkeypatch.setattr(tracker_store, "BUSY_TIMEOUT_S", 0.3)
    store = _sqlite_store(tmp_path, domain)
    tracker = run_coroutine(store.create_tracker("waiting"))
    turn(tracker, "hi", "greet", "utter_greet")
    other_write_done = threading.Event()
    store._writer.submit(lambda session: other_write_done.wait(10))  # a write that does not finish
    try:
        with pytest.raises(sa.exc.OperationalError, match="database is locked"):
            run_coroutine(store.save(tracker))
    finally:
        other_write_done.set()
    assert texts(run_coroutine(_sqlite_store(tmp_path, domain).retrieve("waiting"))) == []  # nothing half-written
    run_coroutine(store.save(tracker))  # its turn comes once the other write is done
    assert texts(run_coroutine(_sqlite_store(tmp_path, domain).retrieve("waiting"))) == ["hi"]
