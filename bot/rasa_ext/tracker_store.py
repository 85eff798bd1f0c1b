"""Rasa's SQL tracker store on our DATABASE_URL, with connections checked before use.

Configured in endpoints.yml as `type: bot.rasa_ext.tracker_store.CoprodTrackerStore`,
so the conversation state (and an unfinished self-check) survives a server restart
and is shared by several Rasa servers pointing at the same PostgreSQL.
"""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from bot.settings import settings

_IGNORED = ("dialect", "host", "port", "db", "username", "password", "login_db", "query", "url")


class CoprodTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose URL comes from our settings and whose pool pre-pings."""

    def __init__(self, domain: Optional[Domain] = None, event_broker: Optional[EventBroker] = None, **kwargs: Any) -> None:
        url = kwargs.get("url") or settings().database_url
        for key in _IGNORED:
            kwargs.pop(key, None)
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        self.engine.dispose()
        if url.startswith("sqlite"):
            self.engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

            @sa.event.listens_for(self.engine, "connect")
            def _pragmas(dbapi_connection, _record):  # noqa: ANN001
                cur = dbapi_connection.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: Any) -> None:
        """Store new events; after `action_delete_my_data` also forget the whole transcript, so
        "delete my data" removes what the person typed, not only their saved answers."""
        await super().save(tracker)
        if _deleted_this_turn(tracker):
            with self.session_scope() as session:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()


def _deleted_this_turn(tracker: Any) -> bool:
    from rasa.shared.core.events import ActionExecuted, UserUttered

    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == "action_delete_my_data":
            return True
    return False
