"""Rendered answers to status reads, kept until the database changes.

Clients poll a status far more often than it changes (a CI pipeline every few seconds, a dashboard, many
pipelines on one execution). While the store is unchanged, a document rendered from it is still the store's
answer, so the bytes are served again. Two signals say the store changed:
- this process's writer committed (its commit counter moved): seen at once, so a client that was just
  answered by a write reads that write;
- another process or connection committed (SQLite's `PRAGMA data_version` moved): checked at most every
  `RECHECK_NS`, so a worker's progress shows within a couple of milliseconds.
Either empties the cache. On PostgreSQL there is no commit counter to ask, so nothing is cached there.

Callers check who is asking before they look here: entries are answers, not permissions. Each thread has its
own entries, because each has its own connection and `data_version` is per connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from sitejobs.engine.reader import PointReader
from sitejobs.engine.service import JobEngine

MAX_ENTRIES = 8192
RECHECK_NS = 2_000_000


class ReadCache:
    def __init__(self, reader: PointReader, commits: Callable[[], int]) -> None:
        self._reader = reader
        self._commits = commits
        self._local = threading.local()
        self.enabled = reader.data_version() is not None

    @classmethod
    def of(cls, engine: JobEngine) -> ReadCache:
        """The cache of answers rendered from `engine`'s store."""
        return cls(engine.reader, lambda: engine.writer.commits)

    def get(self, key: Hashable, render: Callable[..., bytes], *args: Any) -> bytes:
        """The cached answer for `key` if the store has not changed since it was rendered, else
        `render(*args)` (arguments rather than a closure: the hot callers then build nothing on a hit)."""
        if not self.enabled:
            return render(*args)
        local = self._local
        entries: dict[Hashable, bytes] | None = getattr(local, "entries", None)
        commits = self._commits()
        now = time.monotonic_ns()
        if entries is None or commits != local.commits or now - local.checked_at >= RECHECK_NS:
            version = self._reader.data_version()
            if entries is None or commits != local.commits or version != local.version:
                entries = local.entries = {}
                local.commits, local.version = commits, version
            local.checked_at = now
        hit = entries.get(key)
        if hit is not None:
            return hit
        payload = render(*args)
        if len(entries) >= MAX_ENTRIES:
            entries.clear()
        entries[key] = payload
        return payload
