"""The store writes an import will make, spooled to an anonymous temporary file while the archive is read.

Used on SQLite: reading the whole archive before touching the store keeps the write transaction (which holds
the one write lock the engine's own writes — progress, heartbeats — wait for) as short as the writes
themselves. The file is unlinked from the start, so nothing is left behind whatever happens to the process. A full disk
(or quota, or file size limit) ends the import with ScratchFull, which says where the space ran out.
"""

from __future__ import annotations

import contextlib
import errno
import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol

from sitejobs.sites.commerce.errors import ScratchFull

Verb = Literal["upsert", "merge", "delete", "prune"]
Op = tuple[Verb, str, Any]  # upsert, merge: a packed row (rows.Layout); delete, prune: {column: value}

BATCH = 512
NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class OpSink(Protocol):
    """Where a plan sends its writes: a Staging file, or a StreamingApplier."""

    count: int

    def add(self, verb: Verb, table: str, values: Any) -> None: ...


class Staging:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or Path(tempfile.gettempdir())
        # Closed by close() / __exit__; unlinked at once, so never left behind.
        self._file: BinaryIO = tempfile.TemporaryFile(dir=directory, prefix="sitejobs-import-")  # noqa: SIM115
        self._batch: list[Op] = []
        self.count = 0

    def add(self, verb: Verb, table: str, values: Any) -> None:
        self._batch.append((verb, table, values))
        self.count += 1
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            with self._writing():
                pickle.dump(self._batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            if exc.errno not in NO_SPACE:
                raise
            raise ScratchFull(
                f"The scratch folder '{self.directory}' ran out of space ({exc.strerror}) after {self.count} "
                "changes were spooled; nothing was imported. Free space there, or point SITEJOBS_SCRATCH_DIR "
                "at a larger disk."
            ) from None

    @property
    def size(self) -> int:
        """Bytes spooled so far."""
        return self._file.tell()

    def __iter__(self) -> Iterator[Op]:
        """Every op in the order it was added (the file is our own, written just now)."""
        self._flush()
        with self._writing():
            self._file.seek(0)  # writes out what is still buffered
        while True:
            try:
                batch: list[Op] = pickle.load(self._file)
            except EOFError:
                return
            yield from batch

    def close(self) -> None:
        with contextlib.suppress(OSError):  # what is still buffered is of no use: the file is discarded
            self._file.close()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
