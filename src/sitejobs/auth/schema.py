"""The tables every API node shares for authentication, in the engine's MetaData so Alembic sees them.

The Content Management users (`oce_users`, named as when the content store held them), the Data API's clients,
the keys that sign bearer tokens and the dashboard's signed-in sessions. Times are integer milliseconds since the epoch, as in the execution store.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, LargeBinary, String, Table

from sitejobs.engine.schema import metadata

CLIENT_ID = 200
USER_NAME = 256
GUID = 64

users = Table(
    "oce_users",
    metadata,
    Column("id", String(GUID), primary_key=True),
    Column("name", String(USER_NAME), nullable=False, unique=True),
    Column("display_name", String(USER_NAME), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("created_at", BigInteger, nullable=False),
)

clients = Table(
    "auth_clients",
    metadata,
    Column("client_id", String(CLIENT_ID), primary_key=True),
    Column("secret_hash", String(256), nullable=False),
    # The client's `resources` list in the OCAPI settings form.
    Column("resources", JSON, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

signing_keys = Table(
    "auth_signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    # 1 for the first key, one more for each rotation: the unique number makes concurrent inserts race-safe.
    Column("generation", Integer, nullable=False, unique=True),
    Column("secret", LargeBinary, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    # NULL while the key signs; once a newer key replaced it, when the last token it signed has expired.
    Column("expires_at", BigInteger, nullable=True),
)

#: The dashboard's signed-in sessions (`dashboard.session_store`). A session lives while its row does: sign-out
#: deletes it, so a copied cookie stops working on every node at once.
ui_sessions = Table(
    "auth_ui_sessions",
    metadata,
    # SHA-256 (hex) of the session key the signed cookie carries: the table alone opens no session.
    Column("id", String(64), primary_key=True),
    Column("user_name", String(256), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Index("ix_auth_ui_sessions_user_name", "user_name"),
    Index("ix_auth_ui_sessions_expires_at", "expires_at"),
)
