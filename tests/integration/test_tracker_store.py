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
