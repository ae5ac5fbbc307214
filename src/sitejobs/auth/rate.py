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
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                retry_after = max(1, int((1.0 - tokens) / self.rate + 0.999))
                raise TooManyRequests(retry_after)
            self._buckets[key] = (tokens - 1.0, now)
