"""All tables of every store, in one MetaData, for Alembic and the schema test."""

from sitejobs.engine.schema import metadata

__all__ = ["metadata"]
