"""Timestamps as both APIs write them: `yyyy-MM-ddTHH:mm:ss.SSSZ`, UTC."""

from __future__ import annotations

import functools
import time
from datetime import datetime


@functools.lru_cache(maxsize=4096)
def _second(seconds: int, fmt: str) -> str:
    return time.strftime(fmt, time.gmtime(seconds))


def iso_ms(ms: int) -> str:
    return f"{_second(ms // 1000, '%Y-%m-%dT%H:%M:%S')}.{ms % 1000:03d}Z"


def compact_ms(ms: int) -> str:
    """`yyyyMMddHHmmssSSS`, as Commerce Cloud stamps log file names."""
    return f"{_second(ms // 1000, '%Y%m%d%H%M%S')}{ms % 1000:03d}"


def parse_iso(text: str) -> int:
    """Milliseconds since the epoch of an ISO 8601 time; ValueError when it is not one."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"'{text}' has no time zone")
    return int(value.timestamp() * 1000)
