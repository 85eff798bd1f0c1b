"""bot/rasa_ext/group_commit.py on a real SQLite file: writes that queue up while one commits go
in together, a bad write fails only itself, and a locked file fails the waiting writes at once."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from bot import db
from bot.rasa_ext.group_commit import GroupCommit


@pytest.fixture
def engine(tmp_path):
    engine = db.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE t (v TEXT NOT NULL)")
    yield engine
    engine.dispose()


@pytest.fixture
def writer(engine):
    sessions = sa.orm.sessionmaker(bind=engine, future=True)
    commits = []
    sa.event.listen(sessions, "after_commit", lambda session: commits.append(1))
    w = GroupCommit(sessions)
    w.commits = commits
    yield w
    w.close()


def insert(value):
    def job(session):
        session.execute(sa.text("INSERT INTO t (v) VALUES (:v)"), {"v": value})
        return value
    return job


def hold(writer, release):
    """Submit a write that holds the writer until `release` is set; return once it is running, so
    what is submitted next queues behind it."""
    running = threading.Event()

    def job(session):
        running.set()
        return release.wait(10)
    future = writer.submit(job)
    assert running.wait(10)
    return future


def stored(engine):
    with engine.connect() as c:
        return sorted(r[0] for r in c.exec_driver_sql("SELECT v FROM t"))


def test_writes_queued_while_one_is_written_are_committed_together(engine, writer):
    release = threading.Event()
    first = hold(writer, release)
    queued = [writer.submit(insert(f"turn {i}")) for i in range(10)]
    release.set()
    assert first.result(10) is True
    assert [f.result(10) for f in queued] == [f"turn {i}" for i in range(10)]
    assert stored(engine) == sorted(f"turn {i}" for i in range(10))
    assert len(writer.commits) == 2  # the one that was running, then the ten queued behind it


def test_a_write_that_fails_fails_alone_and_the_others_of_its_group_are_stored(engine, writer):
    release = threading.Event()
    hold(writer, release)
    good = [writer.submit(insert("a")), writer.submit(insert(None)), writer.submit(insert("b"))]
    release.set()
    assert good[0].result(10) == "a" and good[2].result(10) == "b"
    with pytest.raises(sa.exc.IntegrityError):
        good[1].result(10)
    assert stored(engine) == ["a", "b"]


def test_a_write_cancelled_before_its_turn_is_not_made(engine, writer):
    release = threading.Event()
    hold(writer, release)
    cancelled, kept = writer.submit(insert("gone")), writer.submit(insert("kept"))
    assert cancelled.cancel()
    release.set()
    assert kept.result(10) == "kept"
    assert stored(engine) == ["kept"]


def test_a_locked_database_fails_every_waiting_write_at_once(engine, writer):
    def locked(session):
        raise sa.exc.OperationalError("INSERT", None, Exception("database is locked"))

    release = threading.Event()
    hold(writer, release)
    waiting = [writer.submit(locked), writer.submit(insert("x"))]
    release.set()
    for f in waiting:
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            f.result(10)
    assert stored(engine) == []
    assert writer.submit(insert("later")).result(10) == "later"  # the writer carries on
