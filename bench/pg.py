"""A PostgreSQL schema of a benchmark's own on the local server, dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

from sqlalchemy import create_engine, text

ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _execute(admin_url: str, sql: str) -> None:
    engine = create_engine(_psycopg(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@contextlib.contextmanager
def pg_schema(admin_url: str = ADMIN_URL, *, driver: bool = False) -> Iterator[str]:
    """Yield a database URL whose search_path is a fresh schema (with `+psycopg` when `driver`)."""
    schema = f"bench_{secrets.token_hex(4)}"
    _execute(admin_url, f'CREATE SCHEMA "{schema}"')
    try:
        url = f"{admin_url}?options=-csearch_path%3D{schema}"
        yield _psycopg(url) if driver else url
    finally:
        _execute(admin_url, f'DROP SCHEMA "{schema}" CASCADE')
