"""All tables of every store, in one MetaData, for Alembic and the schema test."""

from sitejobs.auth import schema as _auth_schema  # noqa: F401  (registers the auth_* tables and oce_users)
from sitejobs.engine.schema import metadata
from sitejobs.sites.commerce import schema as _commerce_schema  # noqa: F401  (registers the cc_* tables)
from sitejobs.sites.commerce.search_index.tables import include_object
from sitejobs.sites.content import schema as _content_schema  # noqa: F401  (registers the oce_* tables)

__all__ = ["include_object", "metadata"]
