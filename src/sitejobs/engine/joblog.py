"""Execution log files. One thread appends the lines of all running jobs, so a job's `log()` is a queue put
rather than a handful of system calls (each of which would hand the GIL around under load).

A run's lines are all in its file before the run is recorded as finished: `close()` answers an event that is
set once the file is written and closed, and the executor waits for it.
"""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Literal, TextIO

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
                    self._handle(path).write(payload)
                else:
                    handle = self._open.pop(path, None)
                    if handle is not None:
                        handle.close()
                    assert isinstance(payload, threading.Event)
                    payload.set()
            for handle in self._open.values():
                handle.flush()

    def _handle(self, path: Path) -> TextIO:
        handle = self._open.get(path)
        if handle is None:
            if len(self._open) >= MAX_OPEN_FILES:
                _, oldest = self._open.popitem(last=False)
                oldest.close()
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
        for handle in self._open.values():
            handle.close()
        self._open.clear()
