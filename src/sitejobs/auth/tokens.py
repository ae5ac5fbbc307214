"""Bearer tokens: HS256 JWTs with an expiry, signed with a key kept in the data directory."""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections import OrderedDict
from pathlib import Path

import jwt

from sitejobs.errors import Unauthorized

ISSUER = "sitejobs"
_CACHE_SIZE = 10_000


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
        self._verified: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def issue(self, subject: str) -> str:
        now = int(time.time())
        claims = {
            "sub": subject,
            "iss": ISSUER,
            "iat": now,
            "exp": now + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm="HS256")

    def verify(self, token: str) -> str:
        """The token's subject, or Unauthorized when it is forged, malformed or expired."""
        cached = self._verified.get(token)
        now = time.time()
        if cached is not None:
            subject, expires = cached
            if now < expires:
                return subject
            self._verified.pop(token, None)
            raise Unauthorized("The access token has expired.")
        try:
            claims = jwt.decode(
                token, self._key, algorithms=["HS256"], issuer=ISSUER, options={"require": ["exp", "sub"]}
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired.") from None
        except jwt.PyJWTError:
            raise Unauthorized("The access token is not valid.") from None
        subject = str(claims["sub"])
        self._verified[token] = (subject, float(claims["exp"]))
        if len(self._verified) > _CACHE_SIZE:
            self._verified.popitem(last=False)
        return subject
