"""The Alembic history builds exactly the tables the code uses, on each backend, and runs once under a lock."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from sitejobs.engine.db import create_store_engine, migrate
from sitejobs.settings import Settings
from sitejobs.store_metadata import include_object, metadata


def test_migrated_schema_equals_the_model(settings: Settings) -> None:
    settings.ensure_dirs()
    engine = create_store_engine(settings.resolved_database_url)
    migrate(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_concurrent_migrations_wait_for_each_other(settings: Settings) -> None:
    settings.ensure_dirs()
    errors: list[BaseException] = []

    def run() -> None:
        engine = create_store_engine(settings.resolved_database_url)
        try:
            migrate(engine)
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine = create_store_engine(settings.resolved_database_url)
    assert {"executions", "execution_events", "workers"} <= set(inspect(engine).get_table_names())
    engine.dispose()
