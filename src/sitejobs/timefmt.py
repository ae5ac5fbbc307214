"""Timestamps as both APIs write them: `yyyy-MM-ddTHH:mm:ss.SSSZ`, UTC."""

from __future__ import annotations

import time
from datetime import datetime


def iso_ms(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def parse_iso(text: str) -> int:
    """Milliseconds since the epoch of an ISO 8601 time; ValueError when it is not one."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"'{text}' has no time zone")
    return int(value.timestamp() * 1000)
