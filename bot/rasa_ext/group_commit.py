"""Group commit: one writer thread, and the writes that queue up while it commits go into the
next transaction together.

SQLite has one writer at a time. With a thread per write (and a lock so they take turns), every
chat turn paid for its own transaction and commit, and the threads' hand-overs of the lock and
of Python's GIL became the queue at 20 users (py-spy: about six threads waiting for their turn
while the event loop used 84% of a core). Here the writer takes every job waiting when it is
free, runs them in one session and commits once.

A job is a function of the session that returns a value; `submit` returns a Future of it, set
after the commit. If a transaction of several jobs fails, each job is run again alone, so one bad
write fails only its own turn; a locked database (another process holding SQLite's write lock
past the busy timeout) fails them all at once instead of waiting once per job.
"""
from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable, ContextManager, List, Optional, Tuple

import sqlalchemy as sa

log = logging.getLogger("coprod.group_commit")

Job = Callable[[Any], Any]
_Item = Tuple[Job, "Future[Any]"]


class GroupCommit:
    def __init__(self, session_scope: Callable[[], ContextManager[Any]], max_batch: int = 32,
                 name: str = "tracker-writer") -> None:
        self._session_scope = session_scope
        self._max_batch = max_batch
        self._queue: "queue.SimpleQueue[Optional[_Item]]" = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True, name=name)
        self._thread.start()

    def submit(self, job: Job) -> "Future[Any]":
        """Queue a write; the Future gets the job's result once its transaction is committed, or
        the exception. A Future cancelled before the writer reaches it is skipped."""
        future: "Future[Any]" = Future()
        self._queue.put((job, future))
        return future

    def close(self, timeout: float = 5.0) -> None:
        """Finish the queued writes, then stop the writer."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._write([i for i in batch if i[1].set_running_or_notify_cancel()])
            if stop:
                return

    def _write(self, batch: List[_Item]) -> None:
        if not batch:
            return
        try:
            results = self._commit([job for job, _ in batch])
        except Exception as error:  # noqa: BLE001 - every failure goes to the waiting turns
            if len(batch) == 1 or _is_locked(error):
                for _, future in batch:
                    future.set_exception(error)
                return
            log.warning("a group of %d writes failed (%s); writing each alone", len(batch), type(error).__name__)
            for item in batch:
                self._write_alone(item)
            return
        for (_, future), result in zip(batch, results):
            future.set_result(result)

    def _write_alone(self, item: _Item) -> None:
        job, future = item
        try:
            future.set_result(self._commit([job])[0])
        except Exception as error:  # noqa: BLE001
            future.set_exception(error)

    def _commit(self, jobs: List[Job]) -> List[Any]:
        return commit(self._session_scope, jobs)


def commit(session_scope: Callable[[], ContextManager[Any]], jobs: List[Job]) -> List[Any]:
    """Run the jobs in one session and commit; their results. On an exception nothing is
    committed (closing the session rolls back)."""
    with session_scope() as session:
        results = [job(session) for job in jobs]
        session.commit()
    return results


def _is_locked(error: BaseException) -> bool:
    return isinstance(error, sa.exc.OperationalError) and "locked" in str(error).lower()
