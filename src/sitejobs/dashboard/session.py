"""The dashboard's session: a signed cookie naming the signed-in user, with the CSRF token of its forms.

The cookie is `{"u": user name or null, "s": session key or null, "c": CSRF token, "t": issued at}`, signed with
an HMAC key derived from the server's token key (so every node that shares that key accepts it). A signed-in
session's key names its row in the store (`session_store`): the signature proves the cookie was issued here,
the row that it has not been signed out since. A session exists before sign-in too (without a key), so that the
sign-in form itself carries a CSRF token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from starlette.requests import HTTPConnection
from starlette.responses import Response

COOKIE = "sitejobs_ui"
#: A session older than this must sign in again.
MAX_AGE_SECONDS = 12 * 3600
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True, slots=True)
class Session:
    user: str | None
    csrf: str
    issued_at: float
    #: The signed-in session's key (its row in the store); None before sign-in.
    key: str | None = None

    @classmethod
    def new(cls, user: str | None = None) -> Session:
        return cls(user, secrets.token_urlsafe(24), time.time(), secrets.token_urlsafe(32) if user else None)

    @property
    def expires_at(self) -> float:
        return self.issued_at + MAX_AGE_SECONDS


class SessionSigner:
    def __init__(self, server_key: Callable[[], bytes], *, path: str) -> None:
        #: The server's token key, asked for on first use (it is in the database, open only once the app runs).
        self._server_key = server_key
        self._key: bytes | None = None
        self.path = path

    def _mac(self, payload: bytes) -> str:
        if self._key is None:
            self._key = hmac.new(self._server_key(), b"sitejobs dashboard session", hashlib.sha256).digest()
        digest = hmac.new(self._key, payload, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def dumps(self, session: Session) -> str:
        payload = orjson.dumps(
            {"u": session.user, "s": session.key, "c": session.csrf, "t": session.issued_at}
        )
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._mac(body.encode())}"

    def loads(self, value: str) -> Session | None:
        """The session in a cookie value, or None when it is forged, malformed or too old."""
        body, _, mac = value.partition(".")
        if not mac or not hmac.compare_digest(mac, self._mac(body.encode())):
            return None
        try:
            data = orjson.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            key = data.get("s")
            session = Session(data["u"], str(data["c"]), float(data["t"]), str(key) if key else None)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if time.time() > session.expires_at:
            return None
        return session

    def read(self, conn: HTTPConnection) -> Session | None:
        raw = conn.cookies.get(COOKIE)
        return self.loads(raw) if raw else None

    def write(self, response: Response, session: Session, *, secure: bool) -> None:
        """Set the cookie (`Secure` when the page came over HTTPS: it then never goes out in clear)."""
        response.set_cookie(
            COOKIE,
            self.dumps(session),
            max_age=MAX_AGE_SECONDS,
            path=self.path,
            httponly=True,
            samesite="strict",
            secure=secure,
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path=self.path)


def csrf_matches(session: Session | None, given: str | None) -> bool:
    return session is not None and bool(given) and hmac.compare_digest(session.csrf, given or "")
