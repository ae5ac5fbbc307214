"""How many failed logins an account or an address may make: a token bucket of failures per key.

Each key may fail `burst` times in a row; after that one more failure is allowed every `1 / rate` seconds, and
the bucket fills back up by itself when the failures stop. Nobody is locked out for good: an attacker who stops
(or an owner who waits `Retry-After` seconds) gets their attempts back.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Most keys remembered; past this the fullest buckets (the least suspicious) are forgotten first.
MAX_KEYS = 50_000


@dataclass(frozen=True, slots=True)
class Limit:
    burst: int
    per_second: float


class FailureThrottle:
    def __init__(self, limit: Limit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (float(self.limit.burst), now))
        return min(float(self.limit.burst), tokens + (now - at) * self.limit.per_second)

    def retry_after(self, key: str) -> int:
        """Seconds before `key` may try again (0: it may try now)."""
        now = self._clock()
        with self._lock:
            tokens = self._level(key, now)
        if tokens >= 1.0:
            return 0
        return max(1, math.ceil((1.0 - tokens) / self.limit.per_second))

    def failed(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            self._buckets[key] = (max(0.0, self._level(key, now) - 1.0), now)
            if len(self._buckets) > MAX_KEYS:
                self._forget_full(now)

    def refund(self, key: str) -> None:
        """Give back one failure charged to `key` (the attempt succeeded after all)."""
        now = self._clock()
        with self._lock:
            if key in self._buckets:
                self._buckets[key] = (min(float(self.limit.burst), self._level(key, now) + 1.0), now)

    def forgive(self, key: str) -> None:
        with self._lock:
            self._buckets.pop(key, None)

    def _forget_full(self, now: float) -> None:
        by_level = sorted(self._buckets, key=lambda k: self._level(k, now), reverse=True)
        for key in by_level[: len(by_level) // 2]:
            del self._buckets[key]
