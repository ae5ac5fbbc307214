"""Bearer tokens: HS256 JWTs with an expiry, signed with a key every API node reads from the database.

Keys are kept in `auth_signing_keys`, each with a `kid` that the token's header names. The newest key signs;
`rotate_key` adds a newer one and gives the older ones an expiry after which no token they signed can still be
valid, so tokens issued before a rotation keep working until they expire. `SITEJOBS_TOKEN_SECRET` replaces all
of this with one fixed key (tokens then carry no `kid`).

A token names its subject and, in a claim of its own (`knd`), the kind of subject: a Data API client or a
Content Management user. A surface accepts only its own kind, so no client name (`user:root` included) can pass
for a user, nor the other way round.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import jwt
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from sitejobs.auth.schema import signing_keys
from sitejobs.engine.db import write_transaction
from sitejobs.engine.models import now_ms
from sitejobs.errors import Unauthorized
from sitejobs.settings import Settings

ISSUER = "sitejobs"
_CACHE_SIZE = 10_000
#: How long a node trusts what it read about a key (a rotation elsewhere sets the old key's expiry).
KEY_CACHE_SECONDS = 60.0
_KID = re.compile(r"[0-9a-f]{16}")
#: Added to a rotated key's life: for a token another node signed with it while the rotation was committing, and
#: so that no node's cached copy of the key (KEY_CACHE_SECONDS) outlives the expiry it does not know of yet.
ROTATION_MARGIN_SECONDS = KEY_CACHE_SECONDS
KIND_CLAIM = "knd"
#: A user token's password stamp (`UserStore.password_stamp`): the token ends with the password it was issued for.
STAMP_CLAIM = "pws"


class SubjectKind(StrEnum):
    CLIENT = "client"
    USER = "user"


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str | None
    secret: bytes
    #: Milliseconds since the epoch after which the key verifies nothing; None while it is the signing key.
    expires_at: int | None = None

    def usable(self, now: int) -> bool:
        return self.expires_at is None or now < self.expires_at


class KeyRing(Protocol):
    def signing_key(self) -> SigningKey: ...

    def verification_key(self, kid: str | None) -> SigningKey | None: ...


class StaticKey:
    """The one key of `SITEJOBS_TOKEN_SECRET`."""

    def __init__(self, secret: bytes) -> None:
        self._key = SigningKey(None, secret)

    def signing_key(self) -> SigningKey:
        return self._key

    def verification_key(self, kid: str | None) -> SigningKey | None:
        return self._key if kid is None else None


class DatabaseKeys:
    """The keys in the shared database, the first made on first use by whichever node gets there first."""

    def __init__(self, db: Engine) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[SigningKey, float]] = {}

    def signing_key(self) -> SigningKey:
        """The newest key, read each time (tokens are issued rarely), so a rotation on any node applies at once."""
        key = self._newest()
        if key is None:
            ensure_key(self._db)
            key = self._newest()
        assert key is not None
        return key

    def verification_key(self, kid: str | None) -> SigningKey | None:
        if kid is None or not _KID.fullmatch(kid):
            return None
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(kid)
        if cached is not None and cached[1] > now:
            return cached[0]
        with self._db.connect() as conn:
            row = conn.execute(select(signing_keys).where(signing_keys.c.kid == kid)).first()
        if row is None:
            return None
        key = SigningKey(row.kid, bytes(row.secret), row.expires_at)
        with self._lock:
            if len(self._cache) > 1000:
                self._cache.clear()
            self._cache[kid] = (key, now + KEY_CACHE_SECONDS)
        return key

    def _newest(self) -> SigningKey | None:
        with self._db.connect() as conn:
            row = conn.execute(
                select(signing_keys).order_by(signing_keys.c.generation.desc()).limit(1)
            ).first()
        return None if row is None else SigningKey(row.kid, bytes(row.secret), row.expires_at)


def _insert_key(db: Engine, generation: int) -> None:
    """Insert key number `generation` unless another node just did (the unique generation decides)."""
    with write_transaction(db) as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(
            dialect.insert(signing_keys)
            .values(
                kid=secrets.token_hex(8),
                generation=generation,
                secret=secrets.token_bytes(32),
                created_at=now_ms(),
                expires_at=None,
            )
            .on_conflict_do_nothing()
        )


def ensure_key(db: Engine) -> None:
    """Make the first signing key unless there is one; several nodes starting at once make exactly one."""
    with db.connect() as conn:
        exists = conn.execute(select(signing_keys.c.kid).limit(1)).first() is not None
    if not exists:
        _insert_key(db, 1)


def rotate_key(db: Engine, grace_seconds: float) -> str:
    """Add a newer signing key; older keys verify for `grace_seconds` more (the longest a token they signed may
    still live, plus a margin), and keys whose time is over are deleted. Returns the new key's kid."""
    with db.connect() as conn:
        newest = conn.execute(select(func.max(signing_keys.c.generation))).scalar()
    _insert_key(db, (newest or 0) + 1)
    now = now_ms()
    with write_transaction(db) as conn:
        kid, generation = conn.execute(
            select(signing_keys.c.kid, signing_keys.c.generation)
            .order_by(signing_keys.c.generation.desc())
            .limit(1)
        ).one()
        conn.execute(
            update(signing_keys)
            .where(signing_keys.c.generation < generation, signing_keys.c.expires_at.is_(None))
            .values(expires_at=now + int((grace_seconds + ROTATION_MARGIN_SECONDS) * 1000))
        )
        conn.execute(delete(signing_keys).where(signing_keys.c.expires_at <= now))
    return str(kid)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    kid: str
    generation: int
    created_at: int
    expires_at: int | None


def list_keys(db: Engine) -> list[KeyInfo]:
    """The keys, newest first, without their secrets."""
    with db.connect() as conn:
        rows = conn.execute(
            select(
                signing_keys.c.kid,
                signing_keys.c.generation,
                signing_keys.c.created_at,
                signing_keys.c.expires_at,
            ).order_by(signing_keys.c.generation.desc())
        ).all()
    return [KeyInfo(r.kid, r.generation, r.created_at, r.expires_at) for r in rows]


def key_ring(settings: Settings, db: Engine) -> KeyRing:
    if settings.token_secret:
        return StaticKey(settings.token_secret.encode())
    ensure_key(db)
    return DatabaseKeys(db)


class TokenIssuer:
    def __init__(self, keys: KeyRing, ttl_seconds: int) -> None:
        self._keys = keys
        self.ttl_seconds = ttl_seconds
        # Verified tokens, so the hot path pays for one HMAC per token rather than per request.
        self._verified: OrderedDict[str, tuple[SubjectKind, str, str | None, float]] = OrderedDict()

    def issue(self, subject: str, kind: SubjectKind, *, stamp: str | None = None) -> str:
        """A signed token for `subject`; `stamp` (a user's `UserStore.password_stamp`) makes it stop working
        when that user's password changes."""
        now = int(time.time())
        claims = {
            "sub": subject,
            KIND_CLAIM: kind.value,
            "iss": ISSUER,
            "iat": now,
            "exp": now + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        if stamp is not None:
            claims[STAMP_CLAIM] = stamp
        key = self._keys.signing_key()
        headers = None if key.kid is None else {"kid": key.kid}
        return jwt.encode(claims, key.secret, algorithm="HS256", headers=headers)

    def signing_secret(self) -> bytes:
        """The key tokens are signed with now, for keys derived from it (the dashboard's session cookies)."""
        return self._keys.signing_key().secret

    def verify(self, token: str, kind: SubjectKind) -> str:
        """The token's subject, or Unauthorized when it is forged, malformed, expired or of another kind, or its
        key is expired."""
        return self.verify_stamped(token, kind)[0]

    def verify_stamped(self, token: str, kind: SubjectKind) -> tuple[str, str | None]:
        """`verify`, with the password stamp the token was issued with (None: without one)."""
        found, subject, stamp = self._verify(token)
        if found is not kind:
            raise Unauthorized(f"The access token does not belong to a {kind.value}.")
        return subject, stamp

    def _verify(self, token: str) -> tuple[SubjectKind, str, str | None]:
        cached = self._verified.get(token)
        now = time.time()
        if cached is not None:
            kind, subject, stamp, expires = cached
            if now < expires:
                return kind, subject, stamp
            self._verified.pop(token, None)
            raise Unauthorized("The access token has expired.")
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise Unauthorized("The access token is not valid.") from None
        key = self._keys.verification_key(kid if isinstance(kid, str) else None)
        if key is None:
            raise Unauthorized("The access token is not valid.")
        if not key.usable(int(now * 1000)):
            raise Unauthorized("The access token has expired.")
        try:
            claims = jwt.decode(
                token,
                key.secret,
                algorithms=["HS256"],
                issuer=ISSUER,
                options={"require": ["exp", "sub", KIND_CLAIM]},
            )
            kind = SubjectKind(claims[KIND_CLAIM])
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired.") from None
        except (jwt.PyJWTError, ValueError):
            raise Unauthorized("The access token is not valid.") from None
        subject = str(claims["sub"])
        stamp = claims.get(STAMP_CLAIM)
        stamp = stamp if isinstance(stamp, str) else None
        expires = float(claims["exp"])
        if key.expires_at is not None:
            expires = min(expires, key.expires_at / 1000)
        self._verified[token] = (kind, subject, stamp, expires)
        if len(self._verified) > _CACHE_SIZE:
            self._verified.popitem(last=False)
        return kind, subject, stamp
