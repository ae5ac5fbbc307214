"""Content Management users: a name, a hashed password, and whether they administer the server.

Users call the OCE surface with HTTP Basic (as `cec` does for a `dev_ec` server) or with a bearer token from the
token endpoint's password grant. Verifying a scrypt hash costs tens of milliseconds, so a successful Basic check
is remembered for a short while, keyed by a digest of the credentials (never the password itself).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select

from sitejobs.auth.rereads import Reread
from sitejobs.auth.schema import ui_sessions, users
from sitejobs.auth.secrets import hash_secret, verify_secret_or_decoy
from sitejobs.engine.db import write_transaction
from sitejobs.engine.models import now_ms

BASIC_CACHE_SECONDS = 60.0
#: How often each server re-reads the users to forget credentials changed on another node (`UserStore.watch`).
USERS_CHECK_SECONDS = 2.0
#: How long a wrong password is remembered as wrong: a client retrying bad credentials in a loop then costs no
#: scrypt (tens of milliseconds of CPU each) until this passes.
FAILED_CACHE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    display_name: str
    is_admin: bool

    @property
    def roles(self) -> list[str]:
        """Roles as the toolkit reads them from GET_USER_INFO."""
        base = [
            "CECStandardUser",
            "CECContributor",
            "CECSitesAdministrator" if self.is_admin else "CECSiteUser",
        ]
        return [*base, "CECServiceAdministrator"] if self.is_admin else base


def user_reference(login: str) -> dict[str, str]:
    """A user as OCE documents embed one (`createdBy`, `ownedBy`, …), from the login name stored with it."""
    return {"id": login, "displayName": login, "loginName": login, "type": "user"}


def new_guid(prefix: str = "") -> str:
    """An opaque upper-case id shaped like OCE's GUIDs."""
    return prefix + secrets.token_hex(20).upper()


class UserStore:
    def __init__(self, db: Engine) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._verified: dict[bytes, tuple[User | None, float]] = {}
        #: The users and password hashes the remembered credentials were verified against (see `watch`).
        self._known: frozenset[tuple[str, str]] | None = None
        self._reread: Reread | None = None

    def watch(self, interval_seconds: float = USERS_CHECK_SECONDS) -> None:
        """Re-read the users every `interval_seconds` (on a thread of its own) and forget every remembered
        credential once any user or password changed: a password changed or a user removed on another node
        stops working here within the interval, not only when its memory here expires."""
        self._known = self._read_known()
        self._reread = Reread(
            self._forget_if_changed, interval_seconds, name="sitejobs-users", what="the users"
        )
        self._reread.start()

    def stop_watching(self) -> None:
        if self._reread is not None:
            self._reread.stop()

    def _forget_if_changed(self) -> None:
        known = self._read_known()
        if known != self._known:
            self._known = known
            with self._lock:
                self._verified.clear()

    def _read_known(self) -> frozenset[tuple[str, str]]:
        with self._db.connect() as conn:
            return frozenset(
                (r.name, r.password_hash) for r in conn.execute(select(users.c.name, users.c.password_hash))
            )

    def add(self, name: str, password: str, *, admin: bool = False, display_name: str | None = None) -> User:
        """Create the user, or give an existing one this password and role (which signs them out of the
        dashboard everywhere: whoever signed in with the old password is not still in)."""
        hashed = hash_secret(password)
        with write_transaction(self._db) as conn:
            row = conn.execute(select(users.c.id).where(users.c.name == name)).first()
            values = {"display_name": display_name or name, "password_hash": hashed, "is_admin": admin}
            if row is None:
                user_id = new_guid("U")
                conn.execute(users.insert().values(id=user_id, name=name, created_at=now_ms(), **values))
            else:
                user_id = row.id
                conn.execute(users.update().where(users.c.id == user_id).values(**values))
                conn.execute(delete(ui_sessions).where(ui_sessions.c.user_name == name))
        with self._lock:
            self._verified.clear()
        return User(user_id, name, display_name or name, admin)

    def password_stamp(self, name: str) -> str | None:
        """A short digest of the user's stored password hash (a new password, even the same one, gets a new
        salt, so a new stamp): user tokens carry it, and end with the password they were issued for."""
        with self._db.connect() as conn:
            stored = conn.execute(select(users.c.password_hash).where(users.c.name == name)).scalar()
        return None if stored is None else _stamp(stored)

    def get_stamped(self, name: str, stamp: str | None) -> User | None:
        """The user, if `stamp` is that of their current password."""
        with self._db.connect() as conn:
            row = conn.execute(
                select(
                    users.c.id, users.c.name, users.c.display_name, users.c.is_admin, users.c.password_hash
                ).where(users.c.name == name)
            ).first()
        if row is None or stamp is None or not hmac.compare_digest(stamp, _stamp(row.password_hash)):
            return None
        return User(row.id, row.name, row.display_name, bool(row.is_admin))

    def get(self, name: str) -> User | None:
        with self._db.connect() as conn:
            row = conn.execute(
                select(users.c.id, users.c.name, users.c.display_name, users.c.is_admin).where(
                    users.c.name == name
                )
            ).first()
        return None if row is None else User(row.id, row.name, row.display_name, bool(row.is_admin))

    def list(self) -> list[User]:
        with self._db.connect() as conn:
            rows = conn.execute(
                select(users.c.id, users.c.name, users.c.display_name, users.c.is_admin).order_by(
                    users.c.name
                )
            ).all()
        return [User(r.id, r.name, r.display_name, bool(r.is_admin)) for r in rows]

    def remembered(self, name: str, password: str) -> User | None:
        """The user, if these credentials were verified a moment ago (no scrypt: safe on an event loop)."""
        cached = self._cached(name, password)
        return cached[0] if cached is not None else None

    def remembered_header(self, header: str) -> User | None:
        """The user of an `Authorization: Basic …` header whose credentials were verified a moment ago, known by
        the header itself (`remember_header`): a poller's repeated requests skip decoding it."""
        cached = self._verified.get(_header_key(header))  # one dict read: atomic, no lock needed
        return cached[0] if cached is not None and cached[1] > time.monotonic() else None

    def remember_header(self, header: str, name: str, password: str) -> None:
        """Let `remembered_header` know `header` for as long as its credentials are remembered."""
        key = credentials_digest(name, password)
        with self._lock:
            cached = self._verified.get(key)
            if cached is not None and cached[0] is not None:
                self._verified[_header_key(header)] = cached

    def _cached(self, name: str, password: str) -> tuple[User | None, float] | None:
        with self._lock:
            cached = self._verified.get(credentials_digest(name, password))
        return cached if cached is not None and cached[1] > time.monotonic() else None

    def authenticate(self, name: str, password: str) -> User | None:
        """The user these credentials name, or None; an unknown name costs as much as a wrong password."""
        cached = self._cached(name, password)
        if cached is not None:
            return cached[0]
        key = credentials_digest(name, password)
        now = time.monotonic()
        with self._db.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        user = None
        if (
            verify_secret_or_decoy(password, row.password_hash if row is not None else None)
            and row is not None
        ):
            user = User(row.id, row.name, row.display_name, bool(row.is_admin))
        with self._lock:
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[key] = (user, now + (BASIC_CACHE_SECONDS if user else FAILED_CACHE_SECONDS))
        return user


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(b"stamp\0" + password_hash.encode()).hexdigest()[:16]


def credentials_digest(name: str, password: str) -> bytes:
    """What stands for a name and password wherever they are remembered (never the password itself)."""
    return hashlib.sha256(f"{name}\0{password}".encode()).digest()


def _header_key(header: str) -> bytes:
    return hashlib.sha256(b"header\0" + header.encode()).digest()
