"""The dashboard's signed-in sessions in the store every API node shares (`auth_ui_sessions`).

The signed cookie names a random session key; the row, keyed by the key's SHA-256, is what makes it a session.
Sign-out deletes the row: from then on every node refuses the cookie, however long it had left. Checking a
request costs nothing extra: the one statement that looks the signed-in user up (needed anyway, so that a
deleted user is signed out at once) joins the session row. Each function works on a connection the caller
holds; writes go through the engine's writer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection

from sqlalchemy import Connection, delete, or_, select

from sitejobs.auth.schema import ui_sessions, users
from sitejobs.auth.users import User
from sitejobs.dashboard.session import Session

S = ui_sessions.c
U = users.c


def digest(key: str) -> str:
    """The row id of the session whose cookie carries `key`."""
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(conn: Connection, session: Session, *, now_ms: int, replaces: str | None = None) -> None:
    """Record a new signed-in session; end the one it `replaces` (the browser's previous session, when it signs
    in again), and forget the sessions that expired (sign-ins are rare; this keeps the table to the sessions
    that may still be used)."""
    if session.user is None or session.key is None:
        raise ValueError("only a signed-in session is recorded")
    gone = S.expires_at <= now_ms
    conn.execute(delete(ui_sessions).where(gone if replaces is None else or_(gone, S.id == digest(replaces))))
    conn.execute(
        ui_sessions.insert().values(
            id=digest(session.key),
            user_name=session.user,
            created_at=now_ms,
            expires_at=int(session.expires_at * 1000),
        )
    )


def close_session(conn: Connection, key: str) -> None:
    """Sign the session out on every node."""
    conn.execute(delete(ui_sessions).where(S.id == digest(key)))


def signed_in_user(conn: Connection, key: str, user_name: str, *, now_ms: int) -> User | None:
    """The user of the live session `key`, or None when the session was signed out, has expired, belongs to
    someone else, or its user is gone."""
    row = conn.execute(
        select(U.id, U.name, U.display_name, U.is_admin)
        .join(ui_sessions, S.user_name == U.name)
        .where(S.id == digest(key), S.user_name == user_name, S.expires_at > now_ms)
    ).first()
    return None if row is None else User(row.id, row.name, row.display_name, bool(row.is_admin))


def still_signed_in(conn: Connection, keys: Collection[str], *, now_ms: int) -> set[str]:
    """Which of `keys` are live sessions of existing users (the live feed's check of its open streams)."""
    if not keys:
        return set()
    by_digest = {digest(k): k for k in keys}
    rows = conn.execute(
        select(S.id)
        .join(users, S.user_name == U.name)
        .where(S.id.in_(list(by_digest)), S.expires_at > now_ms)
    ).scalars()
    return {by_digest[d] for d in rows}
