"""Group commit: writes from many callers share one transaction and one fsync.

Two kinds of write go through it. A plain operation is a function of the connection. A bulk operation names a
handler that takes all the payloads of its kind queued at that moment and writes them with a few statements.
A batch is first written in one transaction without savepoints (the common case: nothing fails). If anything
fails (a unique violation, say), that transaction is rolled back and the batch is written again with each
plain operation and each bulk group under a savepoint of its own, so that one failing write is rolled back
alone; a failing bulk group's payloads are then retried one by one. A caller's future resolves only after the
commit, which is durable unless every write in the batch is of a `relaxed` kind (see `WriteBatcher`).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from sitejobs.engine.db import is_relaxed_session, write_transaction_on

log = logging.getLogger(__name__)

T = TypeVar("T")
P = TypeVar("P")
R = TypeVar("R")
Operation = Callable[[Connection], Any]
BulkHandler = Callable[[Connection, Sequence[Any]], Sequence[Any]]

MAX_BATCH = 2048


@dataclass(slots=True)
class _Bulk(Generic[P]):
    handler: BulkHandler
    payload: P


class _Detached:
    """Stands in for the future of a write nobody waits for (a job's log line): a failure is logged."""

    __slots__ = ()

    def set_result(self, _value: Any) -> None:
        pass

    def set_exception(self, exc: BaseException) -> None:
        log.warning("a write nobody waited for failed", exc_info=exc)


_DETACHED = _Detached()
_Done = Future[Any] | _Detached
_Item = tuple[Operation | _Bulk[Any], _Done]


class WriteBatcher:
    """`relaxed`: bulk handlers whose writes are redone when lost (see db.write_transaction); a batch made only
    of them is committed without waiting for the disk. Any other write in the batch makes the commit durable."""

    def __init__(
        self,
        engine: Engine,
        *,
        name: str = "sitejobs-writer",
        relaxed: frozenset[Callable[..., Any]] = frozenset(),
    ) -> None:
        self._engine = engine
        self.relaxed = relaxed
        #: The writer thread's connection, kept between batches (a checkout pings the server first); given
        #: back after a failure, so that the next batch checks out a live one.
        self._conn: Connection | None = None
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._closed = False
        #: Transactions committed so far: readers compare it to know the store changed (see sitejobs.api.read_cache).
        self.commits = 0
        self._thread.start()

    def submit(self, op: Callable[[Connection], T]) -> Future[T]:
        return self._put(op)

    def submit_bulk(self, handler: Callable[[Connection, Sequence[P]], Sequence[R]], payload: P) -> Future[R]:
        return self._put(_Bulk(handler, payload))

    def submit_bulk_detached(
        self, handler: Callable[[Connection, Sequence[P]], Sequence[Any]], payload: P
    ) -> None:
        """Like submit_bulk for a write nobody waits for: no future to make and resolve; a failure is logged.
        Writes still commit in the order they were queued."""
        if self._closed:
            _DETACHED.set_exception(RuntimeError("the store writer is closed"))
        else:
            self._queue.put((_Bulk(handler, payload), _DETACHED))

    def run(self, op: Callable[[Connection], T], timeout: float | None = None) -> T:
        return self.submit(op).result(timeout)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()

    def _put(self, op: Operation | _Bulk[Any]) -> Future[Any]:
        future: Future[Any] = Future()
        if self._closed:
            future.set_exception(RuntimeError("the store writer is closed"))
        else:
            self._queue.put((op, future))
        return future

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self._release()

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[_Item]) -> None:
        groups: dict[BulkHandler, list[tuple[Any, _Done]]] = {}
        plain: list[tuple[Operation, _Done]] = []
        for op, future in batch:
            if isinstance(op, _Bulk):
                groups.setdefault(op.handler, []).append((op.payload, future))
            else:
                plain.append((op, future))
        try:
            outcomes = self._attempt(groups, plain, guarded=False)
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            # Something failed (a singleton's second run, a lost race): the transaction is rolled back; redo
            # it with each write under a savepoint of its own, so that only the failing ones fail.
            try:
                outcomes = self._attempt(groups, plain, guarded=True)
            except Exception:
                log.warning("batched commit failed; retrying each write alone", exc_info=True)
                for item in batch:
                    self._commit([item])
                return
        self.commits += 1
        for future, ok, value in outcomes:
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def _attempt(
        self,
        groups: dict[BulkHandler, list[tuple[Any, _Done]]],
        plain: list[tuple[Operation, _Done]],
        *,
        guarded: bool,
    ) -> list[tuple[_Done, bool, Any]]:
        """One transaction for the batch. Unguarded (the first try), any failure fails it all: no savepoints,
        which cost two statements a write. Guarded, each write runs under a savepoint and may fail alone."""
        outcomes: list[tuple[_Done, bool, Any]] = []
        relaxed = not plain and all(handler in self.relaxed for handler in groups)
        for last_try in (False, True):
            if self._conn is None:
                self._conn = self._engine.connect()
            conn = self._conn
            try:
                with write_transaction_on(conn, relaxed=relaxed):
                    self._write(conn, groups, plain, guarded, outcomes)
                return outcomes
            except DBAPIError as exc:
                self._release()
                if last_try or not exc.connection_invalidated:
                    raise
                outcomes.clear()  # the kept connection had gone stale (a restarted server): once more, anew
            except BaseException:
                self._release()
                raise
        raise AssertionError("unreachable")

    def _release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                if not conn.invalidated and is_relaxed_session(conn):
                    conn.invalidate()  # closed, never handed to another user of the pool
                conn.close()
            except Exception:
                log.warning("could not give the writer's connection back", exc_info=True)

    def _write(
        self,
        conn: Connection,
        groups: dict[BulkHandler, list[tuple[Any, _Done]]],
        plain: list[tuple[Operation, _Done]],
        guarded: bool,
        outcomes: list[tuple[_Done, bool, Any]],
    ) -> None:
        for handler, items in groups.items():
            if guarded:
                self._bulk(conn, handler, items, outcomes)
            else:
                results = handler(conn, [payload for payload, _ in items])
                outcomes.extend(
                    (future, True, result) for (_, future), result in zip(items, results, strict=True)
                )
        for op, future in plain:
            if guarded:
                self._guarded(conn, op, future, outcomes)
            else:
                outcomes.append((future, True, op(conn)))

    def _bulk(
        self,
        conn: Connection,
        handler: BulkHandler,
        items: list[tuple[Any, _Done]],
        outcomes: list[tuple[_Done, bool, Any]],
    ) -> None:
        savepoint = conn.begin_nested()
        try:
            results = handler(conn, [payload for payload, _ in items])
        except Exception:
            savepoint.rollback()
            for payload, future in items:
                self._guarded(conn, _single(handler, payload), future, outcomes)
            return
        savepoint.commit()
        outcomes.extend((future, True, result) for (_, future), result in zip(items, results, strict=True))

    @staticmethod
    def _guarded(
        conn: Connection, op: Operation, future: _Done, outcomes: list[tuple[_Done, bool, Any]]
    ) -> None:
        savepoint = conn.begin_nested()
        try:
            result = op(conn)
        except Exception as exc:
            savepoint.rollback()
            outcomes.append((future, False, exc))
        else:
            savepoint.commit()
            outcomes.append((future, True, result))


def _single(handler: BulkHandler, payload: Any) -> Operation:
    return lambda conn: handler(conn, [payload])[0]
