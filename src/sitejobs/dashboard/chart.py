"""The workers page's chart: executions finished per minute over the last hour, failures overlaid, as the
geometry of an inline SVG (drawn by the template; no script, no library)."""

from __future__ import annotations

from dataclasses import dataclass

from sitejobs.engine.listing import MinuteCounts
from sitejobs.timefmt import iso_ms

WIDTH = 720
HEIGHT = 180
TOP = 16  # room for the scale's label
BAR_GAP = 2


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    failed_y: float
    failed_height: float
    title: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    peak: int
    total: int
    failed: int


def chart(minutes: list[MinuteCounts]) -> Chart:
    peak = max((m.finished for m in minutes), default=0)
    scale = (HEIGHT - TOP) / peak if peak else 0.0
    slot = WIDTH / max(1, len(minutes))
    bars = []
    for i, m in enumerate(minutes):
        height = m.finished * scale
        failed = m.failed * scale
        bars.append(
            Bar(
                x=round(i * slot, 2),
                width=round(max(1.0, slot - BAR_GAP), 2),
                y=round(HEIGHT - height, 2),
                height=round(height, 2),
                failed_y=round(HEIGHT - failed, 2),
                failed_height=round(failed, 2),
                title=f"{iso_ms(m.minute_ms)[11:16]} UTC: {m.finished} finished, {m.failed} failed",
            )
        )
    return Chart(
        WIDTH,
        HEIGHT,
        bars,
        peak,
        sum(m.finished for m in minutes),
        sum(m.failed for m in minutes),
    )
