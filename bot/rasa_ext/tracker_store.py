"""Rasa's SQL tracker store on our DATABASE_URL, with connections checked before use.

Configured in endpoints.yml as `type: bot.rasa_ext.tracker_store.CoprodTrackerStore`,
so the conversation state (and an unfinished self-check) survives a server restart
and is shared by several Rasa servers pointing at the same PostgreSQL.
"""
from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional, Tuple

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db import create_engine
from bot.rasa_ext import fixes  # noqa: F401  (compiled action-reply schema; no silent fallback to memory)
from bot.settings import settings

COMPACT_AFTER_EVENTS = 80
RECENT_CONVERSATIONS = 128  # trackers kept in memory between turns (per process); bounded so memory stays flat
_IGNORED = ("dialect", "host", "port", "db", "username", "password", "login_db", "query", "url")


@dataclass
class _Recent:
    tracker: Any
    length: int  # events of the tracker that are stored
    head: Tuple[int, Optional[int]]  # (rows, highest row id) of the sender when we last read or wrote


class CoprodTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose URL comes from our settings and whose pool pre-pings.

    It also keeps the trackers of recent conversations in memory. Rasa's store reloads and
    replays every event of the session on each message (json, ORM rows, Event classes), and
    counts the stored events again before each save; profiling showed that as the largest
    cost of a short turn. The database stays the truth: before reusing a tracker we check
    the sender's row count and highest row id in one indexed query, so a write by another
    Rasa server, the retention job or a failed turn (events added but never saved) means a
    fresh load.
    """

    def __init__(self, domain: Optional[Domain] = None, event_broker: Optional[EventBroker] = None, **kwargs: Any) -> None:
        url = kwargs.get("url") or settings().database_url
        for key in _IGNORED:
            kwargs.pop(key, None)
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        self.engine.dispose()
        overrides = {} if url.startswith("sqlite") else {"pool_size": 10, "max_overflow": 20}
        self.engine = create_engine(url, future=False, sqlite_synchronous="NORMAL", **overrides)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._recent: "OrderedDict[str, _Recent]" = OrderedDict()
        # plain driver SQL: building and cache-keying a SQLAlchemy statement on every turn cost
        # more than the query itself (py-spy, 20 users)
        self._qmark = self.engine.dialect.paramstyle == "qmark"
        table = self.engine.dialect.identifier_preparer.quote(self.SQLEvent.__tablename__)
        marker = "?" if self._qmark else "%(sender_id)s"
        self._head_sql = f"SELECT COUNT(id), MAX(id) FROM {table} WHERE sender_id = {marker}"

    def _head(self, session: Any, sender_id: str) -> Tuple[int, Optional[int]]:
        """(rows, highest row id) of a sender: one query on the sender_id index."""
        params: Any = (sender_id,) if self._qmark else {"sender_id": sender_id}
        count, top = session.connection().exec_driver_sql(self._head_sql, params).one()
        return int(count or 0), top

    def _remember(self, sender_id: str, entry: _Recent) -> None:
        self._recent[sender_id] = entry
        self._recent.move_to_end(sender_id)
        while len(self._recent) > RECENT_CONVERSATIONS:
            self._recent.popitem(last=False)

    async def retrieve(self, sender_id: str) -> Any:
        """The tracker of the latest session; from memory when the database shows no change."""
        with self.session_scope() as session:
            head = self._head(session, sender_id)
            recent = self._recent.get(sender_id)
            if recent is not None and recent.head == head and len(recent.tracker.events) == recent.length:
                self._recent.move_to_end(sender_id)
                return recent.tracker
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        self._recent.pop(sender_id, None)
        if not rows or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(r.data) for r in rows], self.domain.slots)
        self._remember(sender_id, _Recent(tracker, len(tracker.events), head))
        return tracker

    async def save(self, tracker: Any) -> None:
        """Store the new events. After `action_delete_my_data` also forget the whole transcript, so
        "delete my data" removes what the person typed, not only their saved answers; after
        COMPACT_AFTER_EVENTS events start a compact session."""
        sender_id = tracker.sender_id
        recent = self._recent.pop(sender_id, None)
        await self.stream_events(tracker)
        with self.session_scope() as session:
            known = recent is not None and recent.tracker is tracker and self._head(session, sender_id) == recent.head
            if known:
                new_events = list(tracker.events)[recent.length:]
            else:  # not the tracker we handed out, or the database changed: count what is stored
                new_events = list(self._additional_events(session, tracker))
            rows = [self._row(sender_id, event) for event in new_events]
            session.add_all(rows)
            session.flush()  # assigns the row ids
            if known:
                head = (recent.head[0] + len(rows), rows[-1].id if rows else recent.head[1])
            else:
                head = self._head(session, sender_id)
            session.commit()
        if _deleted_this_turn(tracker):
            with self.session_scope() as session:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
                session.commit()
        elif len(tracker.events) > COMPACT_AFTER_EVENTS and tracker.latest_action_name == "action_listen":
            self._start_compact_session(tracker)
        else:
            self._remember(sender_id, _Recent(tracker, len(tracker.events), head))

    def _row(self, sender_id: str, event: Any) -> Any:
        """The table row for one event (as Rasa's SQLTrackerStore writes it)."""
        data = event.as_dict()
        intent = (data.get("parse_data") or {}).get("intent", {}).get("name")
        return self.SQLEvent(sender_id=sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
                             intent_name=intent, action_name=data.get("name"), data=json.dumps(data))

    def _start_compact_session(self, tracker: Any) -> None:
        """Every message replays the events since the last session start, so a long conversation
        gets slower with each turn (RasaHQ/rasa#11313). After COMPACT_AFTER_EVENTS events we store a
        new session start carrying the slots over: the conversation (and any self-check) carries on,
        and the next turn reads a handful of events instead of hundreds."""
        now = time.time()
        events = [ActionExecuted("action_session_start", timestamp=now), SessionStarted(timestamp=now + 1e-6)]
        for i, (name, slot) in enumerate(tracker.slots.items()):
            if slot.value is not None and name != "session_started_metadata":
                events.append(SlotSet(name, slot.value, timestamp=now + 2e-6 + i * 1e-7))
        events.append(ActionExecuted("action_listen", timestamp=now + 1e-4))
        with self.session_scope() as session:
            for event in events:
                session.add(self._row(tracker.sender_id, event))
            session.commit()


def _deleted_this_turn(tracker: Any) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == "action_delete_my_data":
            return True
    return False
