"""Content Management users: a name, a hashed password, and whether they administer the server.

Users call the OCE surface with HTTP Basic (as `cec` does for a `dev_ec` server) or with a bearer token from the
token endpoint's password grant. Verifying a scrypt hash costs tens of milliseconds, so a successful Basic check
is remembered for a short while, keyed by a digest of the credentials (never the password itself).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, select

from sitejobs.auth.secrets import hash_secret, verify_secret
from sitejobs.engine.models import now_ms
from sitejobs.sites.content.schema import users

BASIC_CACHE_SECONDS = 60.0
#: How long a wrong password is remembered as wrong: a client retrying bad credentials in a loop then costs no
#: scrypt (tens of milliseconds of CPU each) until this passes.
FAILED_CACHE_SECONDS = 5.0
#: The prefix that tells a user's bearer token from a Data API client's (both are signed by the same issuer).
TOKEN_SUBJECT_PREFIX = "user:"


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

    def add(self, name: str, password: str, *, admin: bool = False, display_name: str | None = None) -> User:
        """Create the user, or give an existing one this password and role."""
        hashed = hash_secret(password)
        with self._db.begin() as conn:
            row = conn.execute(select(users.c.id).where(users.c.name == name)).first()
            values = {"display_name": display_name or name, "password_hash": hashed, "is_admin": admin}
            if row is None:
                user_id = new_guid("U")
                conn.execute(users.insert().values(id=user_id, name=name, created_at=now_ms(), **values))
            else:
                user_id = row.id
                conn.execute(users.update().where(users.c.id == user_id).values(**values))
        with self._lock:
            self._verified.clear()
        return User(user_id, name, display_name or name, admin)

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

    def authenticate(self, name: str, password: str) -> User | None:
        key = hashlib.sha256(f"{name}\0{password}".encode()).digest()
        now = time.monotonic()
        with self._lock:
            cached = self._verified.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        with self._db.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        user = None
        if row is not None and verify_secret(password, row.password_hash):
            user = User(row.id, row.name, row.display_name, bool(row.is_admin))
        with self._lock:
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[key] = (user, now + (BASIC_CACHE_SECONDS if user else FAILED_CACHE_SECONDS))
        return user
