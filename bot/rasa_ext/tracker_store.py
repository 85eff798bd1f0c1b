"""Rasa's SQL tracker store on our DATABASE_URL, with connections checked before use.

Configured in endpoints.yml as `type: bot.rasa_ext.tracker_store.CoprodTrackerStore`,
so the conversation state (and an unfinished self-check) survives a server restart
and is shared by several Rasa servers pointing at the same PostgreSQL.

Rasa's SQL store makes its blocking database calls on the event loop, so one locked SQLite
file or one slow PostgreSQL query froze every conversation. Ours runs them in a small thread
pool, with short busy and lock timeouts (bot.db), so a turn that cannot reach the database
fails within seconds (the person is asked to try again) while the server keeps answering.
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db import BUSY_TIMEOUT_S, create_engine
from bot.rasa_ext.group_commit import GroupCommit, commit
from bot.rasa_ext.patches import not_applied
from bot.settings import settings

COMPACT_AFTER_EVENTS = 40
DB_THREADS = 12  # database calls in flight at once per Rasa process (below the pool of 15 connections)
RECENT_CONVERSATIONS = 128  # trackers kept in memory between turns (per process); bounded so memory stays flat
log = logging.getLogger("coprod.tracker_store")
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

    engine: Any  # set by SQLTrackerStore, replaced in __init__

    def __init__(self, domain: Optional[Domain] = None, event_broker: Optional[EventBroker] = None, **kwargs: Any) -> None:
        url = kwargs.get("url") or settings().database_url
        for key in _IGNORED:
            kwargs.pop(key, None)
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        self.engine.dispose()  # Rasa's own engine for the URL: replaced by ours
        overrides = {} if url.startswith("sqlite") else {"pool_size": 10, "max_overflow": 20}
        self.engine = create_engine(url, future=False, sqlite_synchronous="NORMAL", **overrides)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._recent: "OrderedDict[str, _Recent]" = OrderedDict()
        self._recent_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="tracker-db")
        # SQLite has one writer at a time. Left to themselves, the pool's threads each wait for the
        # file lock by sleeping and retrying, and with 100 users one could lose every retry for
        # the whole busy timeout ("database is locked", the turn failed: make bench). So on SQLite
        # this process's writes all go through one writer thread, which commits the turns that
        # queued up meanwhile together (bot/rasa_ext/group_commit.py); only the action server's
        # writes still compete for the file. PostgreSQL takes concurrent writes from the pool.
        self._writer: Optional[GroupCommit] = GroupCommit(self.session_scope) if url.startswith("sqlite") else None
        # plain driver SQL: building and cache-keying a SQLAlchemy statement on every turn cost
        # more than the query itself (py-spy, 20 users)
        self._qmark = self.engine.dialect.paramstyle == "qmark"
        table = self.engine.dialect.identifier_preparer.quote(self.SQLEvent.__tablename__)
        marker = "?" if self._qmark else "%(sender_id)s"
        self._head_sql = f"SELECT COUNT(id), MAX(id) FROM {table} WHERE sender_id = {marker}"
        # new events go in with one multi-row INSERT ... RETURNING id (SQLite >= 3.35, PostgreSQL)
        # instead of ORM objects and a flush, which were a tenth of a turn's CPU
        self._returning = self.engine.dialect.name in ("sqlite", "postgresql")
        self._insert_head = f"INSERT INTO {table} (sender_id, type_name, timestamp, intent_name, action_name, data) VALUES "
        self._insert_row = "(?, ?, ?, ?, ?, ?)" if self._qmark else "(%s, %s, %s, %s, %s, %s)"
        _warn_if_unpatched()

    def _head(self, session: Any, sender_id: str) -> Tuple[int, Optional[int]]:
        """(rows, highest row id) of a sender: one query on the sender_id index."""
        params: Any = (sender_id,) if self._qmark else {"sender_id": sender_id}
        count, top = session.connection().exec_driver_sql(self._head_sql, params).one()
        return int(count or 0), top

    def _remember(self, sender_id: str, entry: _Recent) -> None:
        with self._recent_lock:
            self._recent[sender_id] = entry
            self._recent.move_to_end(sender_id)
            while len(self._recent) > RECENT_CONVERSATIONS:
                self._recent.popitem(last=False)

    def _forget(self, sender_id: str) -> Optional[_Recent]:
        with self._recent_lock:
            return self._recent.pop(sender_id, None)

    async def _off_loop(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def retrieve(self, sender_id: str) -> Any:
        """The tracker of the latest session; from memory when the database shows no change."""
        return await self._off_loop(self._retrieve_now, sender_id)

    async def save(self, tracker: Any) -> None:
        """Store the new events (`_write_events`): on SQLite through the group-committing writer,
        which a turn waits for at most the busy timeout (then it fails as a locked file would);
        otherwise in a transaction of their own in the thread pool."""
        await self.stream_events(tracker)
        recent = self._forget(tracker.sender_id)
        write = functools.partial(self._write_events, tracker=tracker, recent=recent)
        if self._writer is None:
            keep, head = (await self._off_loop(commit, self.session_scope, [write]))[0]
        else:
            try:
                keep, head = await asyncio.wait_for(asyncio.wrap_future(self._writer.submit(write)), BUSY_TIMEOUT_S)
            except asyncio.TimeoutError:
                raise sa.exc.OperationalError("waiting for this process's turn to write", None,
                                              Exception("database is locked")) from None
        if keep:
            self._remember(tracker.sender_id, _Recent(tracker, len(tracker.events), head))

    def _retrieve_now(self, sender_id: str) -> Any:
        with self.session_scope() as session:
            head = self._head(session, sender_id)
            with self._recent_lock:
                recent = self._recent.get(sender_id)
                if recent is not None and recent.head == head and len(recent.tracker.events) == recent.length:
                    self._recent.move_to_end(sender_id)
                    return recent.tracker
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all() if head[0] else []
        self._forget(sender_id)
        if not rows or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(r.data) for r in rows], self.domain.slots)
        self._remember(sender_id, _Recent(tracker, len(tracker.events), head))
        return tracker

    def _write_events(self, session: Any, tracker: Any, recent: Optional[_Recent]) -> Tuple[bool, Tuple[int, Optional[int]]]:
        """Write a turn's new events in `session` (not committed); returns whether to keep the
        tracker in memory, and the sender's head after the write. After `action_delete_my_data`
        also forget the whole transcript, so "delete my data" removes what the person typed, not
        only their saved answers; after COMPACT_AFTER_EVENTS events start a compact session."""
        sender_id = tracker.sender_id
        if recent is not None and recent.tracker is tracker:
            # the tracker this store handed out: its events past `length` are new. If another
            # writer changed the sender's rows meanwhile, the head stored here will not match
            # the database's at the next retrieve, which then reloads.
            ids = self._insert(session, sender_id, list(tracker.events)[recent.length:])
            head = (recent.head[0] + len(ids), max(ids) if ids else recent.head[1])
        else:  # a tracker from elsewhere (a new conversation, the HTTP API): compare with the database
            stored = self._head(session, sender_id)
            new_events = list(tracker.events) if stored[0] == 0 else list(self._additional_events(session, tracker))
            ids = self._insert(session, sender_id, new_events)
            head = (len(ids), max(ids)) if stored[0] == 0 and ids else self._head(session, sender_id)
        if _deleted_this_turn(tracker):
            session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            return False, head
        if len(tracker.events) > COMPACT_AFTER_EVENTS and tracker.latest_action_name == "action_listen":
            self._insert(session, sender_id, _compact_session(tracker))
            return False, head
        return True, head

    def _values(self, sender_id: str, event: Any) -> Tuple[Any, ...]:
        """The column values of one event's row (as Rasa's SQLTrackerStore writes them)."""
        data = event.as_dict()
        intent = (data.get("parse_data") or {}).get("intent", {}).get("name")
        return (sender_id, event.type_name, data.get("timestamp"), intent, data.get("name"), json.dumps(data))

    def _insert(self, session: Any, sender_id: str, events: List[Any], batch: int = 500) -> List[int]:
        """Insert the events' rows in order; returns their row ids."""
        rows = [self._values(sender_id, event) for event in events]
        if not self._returning:  # another database: Rasa's ORM rows
            objects = [self.SQLEvent(sender_id=r[0], type_name=r[1], timestamp=r[2], intent_name=r[3],
                                     action_name=r[4], data=r[5]) for r in rows]
            session.add_all(objects)
            session.flush()
            return [o.id for o in objects]
        ids: List[int] = []
        connection = session.connection()
        for start in range(0, len(rows), batch):
            chunk = rows[start:start + batch]
            sql = self._insert_head + ", ".join([self._insert_row] * len(chunk)) + " RETURNING id"
            ids += [row[0] for row in connection.exec_driver_sql(sql, tuple(v for r in chunk for v in r))]
        return ids


def _warn_if_unpatched() -> None:
    """A plain `rasa run` (or an unsupported Rasa version) runs without our patches: say so, loudly."""
    missing = not_applied()
    if not missing:
        return
    risk = (" A failed database read will silently start a new conversation, and a failed write keep the turn in "
            "memory only." if "no_silent_tracker_fallback" in missing else "")
    log.warning("The Rasa server runs without %d of our patches of Rasa internals (%s).%s Start it with "
                "`python -m bot.rasa_ext.server run ...` (the flags of `rasa run`) to apply them.",
                len(missing), ", ".join(missing), risk)


def _compact_session(tracker: Any) -> List[Any]:
    """Every message replays the events since the last session start, so a long conversation
    gets slower with each turn (RasaHQ/rasa#11313). After COMPACT_AFTER_EVENTS events we store a
    new session start carrying the slots over, then the assistant's side of the last turn (its
    actions and messages, not what the person typed): the conversation (and any self-check)
    carries on, "tell me more" still refers to the last answer, and the next turn reads a
    handful of events instead of hundreds."""
    last_turn = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, (ActionExecuted, BotUttered)):
            last_turn.append(event)
    last_turn.reverse()
    if not (last_turn and isinstance(last_turn[-1], ActionExecuted) and last_turn[-1].action_name == "action_listen"):
        last_turn.append(ActionExecuted("action_listen"))
    now = time.time()
    events = [ActionExecuted("action_session_start", timestamp=now), SessionStarted(timestamp=now + 1e-6)]
    for i, (name, slot) in enumerate(tracker.slots.items()):
        if slot.value is not None and name != "session_started_metadata":
            events.append(SlotSet(name, slot.value, timestamp=now + 2e-6 + i * 1e-7))
    for j, event in enumerate(last_turn):  # later than the session start, so they belong to it
        events.append(Event.from_parameters({**event.as_dict(), "timestamp": now + 1e-4 + j * 1e-6}))
    return events


def _deleted_this_turn(tracker: Any) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == "action_delete_my_data":
            return True
    return False
