"""Who is calling the Content Management surface: a user, by HTTP Basic (as `cec` does for a `dev_ec`
server) or by a bearer token from the token endpoint's password grant. Also the per-user request rate."""

from __future__ import annotations

import threading
import time
from typing import Any

from starlette.requests import HTTPConnection

from sitejobs.api.credentials import CredentialChecker, client_address
from sitejobs.api.security import basic_credentials
from sitejobs.auth.tokens import SubjectKind
from sitejobs.auth.users import User, UserStore
from sitejobs.errors import TooManyRequests, Unauthorized


async def current_user(conn: HTTPConnection) -> User:
    return await user_from_header(
        conn.app.state, conn.headers.get("authorization", ""), client_address(conn.scope.get("client"))
    )


async def user_from_header(state: Any, header: str, address: str) -> User:
    """The user an Authorization header names (checked off the event loop, throttled per account and per
    address), counted against that user's request rate."""
    users: UserStore = state.users
    scheme = header.partition(" ")[0].lower()
    user: User | None = None
    if scheme == "basic":
        credentials = basic_credentials(header)
        checker: CredentialChecker = state.credentials
        user = await checker.user(*credentials, address) if credentials else None
        if user is None:
            raise Unauthorized("The user name or password is not correct.")
    elif scheme == "bearer":
        subject = state.tokens.verify(header.partition(" ")[2].strip(), SubjectKind.USER)
        user = await state.database.read_now(lambda: users.get(subject))
        if user is None:
            raise Unauthorized("The access token does not belong to a user.")
    else:
        raise Unauthorized("Authentication is required: HTTP Basic or 'Authorization: Bearer <token>'.")
    state.rate_limiter.check(user.name)
    return user


class RateLimiter:
    """A token bucket per user: `rate` requests a second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                retry_after = max(1, int((1.0 - tokens) / self.rate + 0.999))
                raise TooManyRequests(retry_after)
            self._buckets[key] = (tokens - 1.0, now)
