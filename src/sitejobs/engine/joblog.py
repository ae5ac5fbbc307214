"""Execution log files. One thread appends the lines of all running jobs, so a job's `log()` is a queue put
rather than a handful of system calls (each of which would hand the GIL around under load)."""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TextIO

MAX_OPEN_FILES = 64


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
        self._queue: queue.SimpleQueue[tuple[Path, str] | tuple[Path, None] | None] = queue.SimpleQueue()
        self._open: OrderedDict[Path, TextIO] = OrderedDict()
        self._thread = threading.Thread(target=self._run, name="sitejobs-log", daemon=True)
        self._thread.start()

    def write(self, path: Path, text: str) -> None:
        self._queue.put((path, text))

    def done(self, path: Path) -> None:
        """The run writing to `path` ended: close its file."""
        self._queue.put((path, None))

    def flush(self) -> None:
        """Wait until everything written so far is in the files."""
        marker = threading.Event()
        self._queue.put((Path(), marker))  # type: ignore[arg-type]
        marker.wait()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch = [item]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for entry in batch:
                if entry is None:
                    self._close_all()
                    return
                path, text = entry
                if isinstance(text, threading.Event):
                    for handle in self._open.values():
                        handle.flush()
                    text.set()
                elif text is None:
                    handle = self._open.pop(path, None)
                    if handle is not None:
                        handle.close()
                else:
                    self._handle(path).write(text)
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
