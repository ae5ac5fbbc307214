"""How many requests a user may make: a token bucket per user."""

from __future__ import annotations

import threading
import time

from sitejobs.errors import TooManyRequests


class RateLimiter:
    """A token bucket per user: `rate` requests a second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Take a token from `key`'s bucket; TooManyRequests (with the seconds until the next) when empty."""
        now = time.monotonic()
        burst = self._burst
        with self._lock:
            bucket = self._buckets.get(key)
            tokens = burst if bucket is None else bucket[0] + (now - bucket[1]) * self.rate
            if tokens > burst:
                tokens = burst
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise TooManyRequests(max(1, int((1.0 - tokens) / self.rate + 0.999)))
            self._buckets[key] = (tokens - 1.0, now)
