"""Group commit: writes from many callers share one transaction and one fsync.

Two kinds of write go through it. A plain operation is a function of the connection, run under its own
savepoint so that one failing (a unique violation, say) is rolled back alone. A bulk operation names a handler
that takes all the payloads of its kind queued at that moment and writes them with a few statements; if it
fails, its payloads are retried one by one. A caller's future resolves only after the commit is durable.
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

from sitejobs.engine.db import write_transaction

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


_Item = tuple[Operation | _Bulk[Any], Future[Any]]


class WriteBatcher:
    def __init__(self, engine: Engine, *, name: str = "sitejobs-writer") -> None:
        self._engine = engine
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
        outcomes: list[tuple[Future[Any], bool, Any]] = []
        groups: dict[BulkHandler, list[tuple[Any, Future[Any]]]] = {}
        plain: list[tuple[Operation, Future[Any]]] = []
        for op, future in batch:
            if isinstance(op, _Bulk):
                groups.setdefault(op.handler, []).append((op.payload, future))
            else:
                plain.append((op, future))
        try:
            with write_transaction(self._engine) as conn:
                for handler, items in groups.items():
                    self._bulk(conn, handler, items, outcomes)
                for op, future in plain:
                    self._guarded(conn, op, future, outcomes)
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
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

    def _bulk(
        self,
        conn: Connection,
        handler: BulkHandler,
        items: list[tuple[Any, Future[Any]]],
        outcomes: list[tuple[Future[Any], bool, Any]],
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
        conn: Connection, op: Operation, future: Future[Any], outcomes: list[tuple[Future[Any], bool, Any]]
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
