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

from bot.db import create_engine
from bot.rasa_ext import fixes  # noqa: F401  (compiled action-reply schema; no silent fallback to memory)
from bot.settings import settings

COMPACT_AFTER_EVENTS = 80
_IGNORED = ("dialect", "host", "port", "db", "username", "password", "login_db", "query", "url")


class CoprodTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose URL comes from our settings and whose pool pre-pings."""

    def __init__(self, domain: Optional[Domain] = None, event_broker: Optional[EventBroker] = None, **kwargs: Any) -> None:
        url = kwargs.get("url") or settings().database_url
        for key in _IGNORED:
            kwargs.pop(key, None)
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        self.engine.dispose()
        overrides = {} if url.startswith("sqlite") else {"pool_size": 10, "max_overflow": 20}
        self.engine = create_engine(url, future=False, **overrides)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: Any) -> None:
        """Store new events; after `action_delete_my_data` also forget the whole transcript, so
        "delete my data" removes what the person typed, not only their saved answers."""
        await super().save(tracker)
        if _deleted_this_turn(tracker):
            with self.session_scope() as session:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()
        elif len(tracker.events) > COMPACT_AFTER_EVENTS and tracker.latest_action_name == "action_listen":
            self._start_compact_session(tracker)

    def _start_compact_session(self, tracker: Any) -> None:
        """Every message replays the events since the last session start, so a long conversation
        gets slower with each turn (RasaHQ/rasa#11313). After COMPACT_AFTER_EVENTS events we store a
        new session start carrying the slots over: the conversation (and any self-check) carries on,
        and the next turn reads a handful of events instead of hundreds."""
        import json
        import time

        from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet

        now = time.time()
        events = [ActionExecuted("action_session_start", timestamp=now), SessionStarted(timestamp=now + 1e-6)]
        for i, (name, slot) in enumerate(tracker.slots.items()):
            if slot.value is not None and name != "session_started_metadata":
                events.append(SlotSet(name, slot.value, timestamp=now + 2e-6 + i * 1e-7))
        events.append(ActionExecuted("action_listen", timestamp=now + 1e-4))
        with self.session_scope() as session:
            for event in events:
                data = event.as_dict()
                session.add(self.SQLEvent(sender_id=tracker.sender_id, type_name=event.type_name,
                                          timestamp=data.get("timestamp"), intent_name=None,
                                          action_name=data.get("name"), data=json.dumps(data)))
            session.commit()


def _deleted_this_turn(tracker: Any) -> bool:
    from rasa.shared.core.events import ActionExecuted, UserUttered

    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == "action_delete_my_data":
            return True
    return False
