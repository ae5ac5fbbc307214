"""An execution's log, read from an offset: the only place the dashboard reads logs, so that moving the logs
(from files into the database) changes this function alone."""

from __future__ import annotations

from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine

#: Most bytes one read returns; the rest comes with the next read.
CHUNK_BYTES = 256 * 1024


def read_log(engine: JobEngine, execution: Execution, offset: int) -> tuple[str, int]:
    """The log's text from byte `offset` on (whole lines only) and the offset to read from next time."""
    try:
        with engine.log_path(execution).open("rb") as handle:
            handle.seek(max(0, offset))
            data = handle.read(CHUNK_BYTES)
    except FileNotFoundError:
        return "", offset
    end = data.rfind(b"\n") + 1
    if end == 0 and len(data) < CHUNK_BYTES:
        return "", offset  # a line still being written
    if end == 0:
        end = len(data)
    return data[:end].decode("utf-8", errors="replace"), offset + end
