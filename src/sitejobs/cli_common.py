"""What every `sitejobs` command shares: the options naming the store, opening it, the consoles, and failing
with one clear line."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Column, Table
from sqlalchemy.exc import SQLAlchemyError

from sitejobs.cli_checks import data_dir_problem, database_problem, missing_store
from sitejobs.engine.service import JobEngine
from sitejobs.errors import SitejobsError
from sitejobs.settings import Settings

#: Piped output (no terminal) gets a wide layout, so that tables keep each row on one line for grep and awk.
PIPE_WIDTH = 250
console = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else PIPE_WIDTH)
err = Console(stderr=True)


def fold_table(*headers: str, **kw: Any) -> Table:
    """A table whose cells wrap (fold) when the terminal is narrow, except ids ("id", "job id", …), which keep
    their whole width on one line: an id is never cut short with "…" nor broken in two."""
    return Table(*(Column(h, overflow="fold", no_wrap=h == "id" or h.endswith(" id")) for h in headers), **kw)


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="SITEJOBS_DATA_DIR", help="Data directory (default ./var)."),
]
FilesDir = Annotated[
    Path | None,
    typer.Option(
        "--files-dir",
        envvar="SITEJOBS_FILES_DIR",
        help="Files all nodes share: Impex area, content sites' files (default: the data dir).",
    ),
]
Database = Annotated[
    str | None,
    typer.Option(
        "--database", envvar="SITEJOBS_DATABASE_URL", help="Database URL (default SQLite in the data dir)."
    ),
]


def settings_for(
    data_dir: Path | None, database: str | None, files_dir: Path | None = None, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    if files_dir is not None:
        values["files_dir"] = files_dir
    if database is not None:
        values["database_url"] = database
    return Settings(**values)


@contextlib.contextmanager
def opened(settings: Settings, *, existing: bool = False) -> Iterator[JobEngine]:
    """The store's engine; with `existing` (read commands), a store that is not there is an error, never
    created. A database or data directory that cannot be used is one clear line, not a traceback."""
    if existing and (problem := missing_store(settings)):
        fail(problem)
    from sitejobs.jobs.builtin import default_registry

    try:
        engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    except SitejobsError as exc:
        fail(exc.message)
    except SQLAlchemyError as exc:
        fail(database_problem(exc, settings))
    except OSError as exc:
        fail(data_dir_problem(exc, settings))
    try:
        yield engine
    finally:
        engine.close()


def fail(message: str, code: int = 2) -> Any:
    err.print(f"[red]error:[/red] {message}", soft_wrap=True)
    raise typer.Exit(code)


def parse_id(raw: str) -> int:
    if not raw.isdigit():
        fail(f"'{raw}' is not an execution id.")
    return int(raw)
