"""Engines, sessions and schema migration.

One engine per database URL per process (engines pool connections, so they are
shared); one session per unit of work: `with session_scope() as s:` commits on
success and rolls back everything on error, so no half-written rows remain.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator, Optional

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import StorageError
from bot.settings import ROOT, settings


BUSY_TIMEOUT_S = 3  # a write waits this long for a locked SQLite file, then fails (try again)
PG_LOCK_TIMEOUT_MS = 2000  # the same for a locked PostgreSQL row or table
PG_STATEMENT_TIMEOUT_MS = 15000  # no statement runs longer


def engine_options(url: str) -> dict:
    """Options that keep connections healthy (pre-ping after a database restart), short waits for
    locks and connections, and no SQL parameters (what people typed) in error messages or logs."""
    common = {"hide_parameters": True, "pool_timeout": 5}
    if url.startswith("sqlite"):
        # pooled (SQLAlchemy 1.4 would open a new SQLite connection for every session)
        return {**common, "connect_args": {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
                "poolclass": sa.pool.QueuePool, "pool_size": 5, "max_overflow": 10}
    connect_args = {}
    if url.startswith("postgresql"):
        connect_args = {"connect_timeout": 3, "options": f"-c lock_timeout={PG_LOCK_TIMEOUT_MS} "
                                                         f"-c statement_timeout={PG_STATEMENT_TIMEOUT_MS}"}
    return {**common, "pool_pre_ping": True, "pool_size": 5, "max_overflow": 10, "connect_args": connect_args}


def _sqlite_pragmas(synchronous: str):
    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()
    return on_connect


def create_engine(url: str, future: bool = True, sqlite_synchronous: str = "FULL", **overrides) -> Engine:
    """A new engine with our pool options and SQLite pragmas (WAL, busy timeout). Rasa's tracker
    store uses it too, with `future=False` because Rasa's queries are 1.x style.

    `sqlite_synchronous`: FULL (default) syncs every commit to disk, which is what saved answers
    get. NORMAL, which the tracker store uses, syncs at WAL checkpoints: the file cannot be
    corrupted and a crashed process loses nothing, only a power cut can lose the last few
    conversation events. It removes an fsync from every chat turn."""
    if sqlite_synchronous not in ("FULL", "NORMAL"):
        raise ValueError(f"sqlite_synchronous must be FULL or NORMAL, not {sqlite_synchronous!r}")
    engine = sa.create_engine(url, future=future, **{**engine_options(url), **overrides})
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_synchronous))
    return engine


@lru_cache(maxsize=8)
def get_engine(url: Optional[str] = None) -> Engine:
    """The shared engine for `url` (default: DATABASE_URL)."""
    url = url or settings().database_url
    if url.startswith("sqlite:///"):
        (ROOT / "var").mkdir(exist_ok=True)
    return create_engine(url)


@lru_cache(maxsize=8)
def _factory(url: Optional[str]) -> sessionmaker:
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """One transaction: commit if the block succeeds, roll back if anything fails.

    Database errors are re-raised as `StorageError` so callers can tell the person
    "couldn't save, nothing was lost" without knowing about SQLAlchemy.
    """
    factory = _factory(url)
    try:
        with factory.begin() as session:
            yield session
    except sa.exc.SQLAlchemyError as exc:
        raise StorageError(f"database error: {type(exc).__name__}") from exc


def migrate(url: Optional[str] = None) -> None:
    """Bring the schema up to date with Alembic (creates the SQLite file if needed)."""
    from alembic import command
    from alembic.config import Config

    url = url or settings().database_url
    if url.startswith("sqlite:///"):
        (ROOT / "var").mkdir(exist_ok=True)
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "bot" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
