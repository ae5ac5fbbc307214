"""The migrations build exactly the site store's tables, on SQLite and PostgreSQL, and revision 0002 undoes."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from sitejobs.engine.db import alembic_config
from sitejobs.engine.service import JobEngine
from sitejobs.sites.commerce import schema
from sitejobs.store_metadata import include_object, metadata


def test_migrated_schema_equals_the_model(engine: JobEngine) -> None:
    with engine.db.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, metadata)
    assert [d for d in diff if "cc_" in repr(d)] == []
    assert set(schema.TABLES) <= set(inspect(engine.db).get_table_names())


def test_revision_0002_downgrades_and_upgrades(engine: JobEngine) -> None:
    with engine.db.begin() as conn:
        cfg = alembic_config(engine.db.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        assert not {t for t in inspect(conn).get_table_names() if t.startswith("cc_")}
        command.upgrade(cfg, "head")
        assert set(schema.TABLES) <= set(inspect(conn).get_table_names())
