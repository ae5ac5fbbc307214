"""Bearer tokens: HS256 JWTs with an expiry, signed with a key kept in the data directory.

A token names its subject and, in a claim of its own (`knd`), the kind of subject: a Data API client or a
Content Management user. A surface accepts only its own kind, so no client name (`user:root` included) can pass
for a user, nor the other way round.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections import OrderedDict
from enum import StrEnum
from pathlib import Path

import jwt

from sitejobs.errors import Unauthorized

ISSUER = "sitejobs"
_CACHE_SIZE = 10_000
KIND_CLAIM = "knd"


class SubjectKind(StrEnum):
    CLIENT = "client"
    USER = "user"


def load_or_create_key(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key


class TokenIssuer:
    def __init__(self, key: bytes, ttl_seconds: int) -> None:
        self._key = key
        self.ttl_seconds = ttl_seconds
        # Verified tokens, so the hot path pays for one HMAC per token rather than per request.
        self._verified: OrderedDict[str, tuple[SubjectKind, str, float]] = OrderedDict()

    def issue(self, subject: str, kind: SubjectKind) -> str:
        now = int(time.time())
        claims = {
            "sub": subject,
            KIND_CLAIM: kind.value,
            "iss": ISSUER,
            "iat": now,
            "exp": now + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm="HS256")

    def verify(self, token: str, kind: SubjectKind) -> str:
        """The token's subject, or Unauthorized when it is forged, malformed, expired or of another kind."""
        found, subject = self._verify(token)
        if found is not kind:
            raise Unauthorized(f"The access token does not belong to a {kind.value}.")
        return subject

    def _verify(self, token: str) -> tuple[SubjectKind, str]:
        cached = self._verified.get(token)
        now = time.time()
        if cached is not None:
            kind, subject, expires = cached
            if now < expires:
                return kind, subject
            self._verified.pop(token, None)
            raise Unauthorized("The access token has expired.")
        try:
            claims = jwt.decode(
                token,
                self._key,
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
        self._verified[token] = (kind, subject, float(claims["exp"]))
        if len(self._verified) > _CACHE_SIZE:
            self._verified.popitem(last=False)
        return kind, subject
