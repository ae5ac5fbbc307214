"""Execution log files. One thread appends the lines of all running jobs, so a job's `log()` is a queue put
rather than a handful of system calls (each of which would hand the GIL around under load).

A run's lines are all in its file before the run is recorded as finished: `close()` answers an event that is
set once the file is written and closed, and the executor waits for it.

Lines that cannot be written (a full disk, say) are dropped with one warning per file: the thread goes on, the
runs waiting for their files are answered, and once there is room again later lines are written.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Literal, TextIO

log = logging.getLogger(__name__)

MAX_OPEN_FILES = 64
_Entry = tuple[Literal["write", "close", "stop"], Path | None, str | threading.Event | None]


def append_lines(path: Path, text: str) -> None:
    try:
        handle = path.open("a", encoding="utf-8")
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a", encoding="utf-8")
    with handle:
        handle.write(text)


class LogWriter:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Entry] = queue.SimpleQueue()
        self._open: OrderedDict[Path, TextIO] = OrderedDict()
        self._failing: set[Path] = set()  # files whose lines are being dropped, warned about once
        self._thread = threading.Thread(target=self._run, name="sitejobs-log", daemon=True)
        self._thread.start()

    def write(self, path: Path, text: str) -> None:
        self._queue.put(("write", path, text))

    def close_file(self, path: Path) -> threading.Event:
        """The run writing to `path` ended: the event is set once its lines are on disk and the file closed."""
        written = threading.Event()
        self._queue.put(("close", path, written))
        return written

    def stop(self) -> None:
        self._queue.put(("stop", None, None))
        self._thread.join()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for kind, path, payload in batch:
                if kind == "stop":
                    self._close_all()
                    return
                assert path is not None
                if kind == "write":
                    assert isinstance(payload, str)
                    try:
                        self._handle(path).write(payload)
                    except OSError as exc:
                        self._dropped(path, exc)
                else:
                    self._close(path)
                    self._failing.discard(path)
                    assert isinstance(payload, threading.Event)
                    payload.set()
            for path, handle in list(self._open.items()):
                try:
                    handle.flush()
                except OSError as exc:
                    self._dropped(path, exc)

    def _dropped(self, path: Path, exc: OSError) -> None:
        """Give up the lines buffered for `path`; the next write reopens it."""
        handle = self._open.pop(path, None)
        if handle is not None:
            with contextlib.suppress(OSError):  # it still holds the lines that could not be written
                handle.close()
        if path not in self._failing:
            self._failing.add(path)
            log.warning("job log %s: lines dropped: %s", path, exc)

    def _close(self, path: Path) -> None:
        handle = self._open.pop(path, None)
        if handle is not None:
            try:
                handle.close()
            except OSError as exc:
                self._dropped(path, exc)

    def _handle(self, path: Path) -> TextIO:
        handle = self._open.get(path)
        if handle is None:
            if len(self._open) >= MAX_OPEN_FILES:
                self._close(next(iter(self._open)))
            try:
                handle = path.open("a", encoding="utf-8")
            except FileNotFoundError:
                path.parent.mkdir(parents=True, exist_ok=True)
                handle = path.open("a", encoding="utf-8")
            self._open[path] = handle
        else:
            self._open.move_to_end(path)
        return handle

    def _close_all(self) -> None:
        for path in list(self._open):
            self._close(path)
