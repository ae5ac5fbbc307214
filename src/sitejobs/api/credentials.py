"""Checking passwords and client secrets without stalling the server.

A scrypt check costs tens of milliseconds of CPU, so it never runs on the event loop: it runs on a small pool of
threads of its own (`auth_threads`), and only after the throttles let it. Attempts that fail are counted per account
and per client address (`FailureThrottle`); once either has failed too often the answer is 429 with
`Retry-After`, at the price of a dictionary lookup. Credentials that succeeded a moment ago are recognised
without scrypt and without consulting the throttles, so a user already working is not shut out by an attacker
guessing at their name.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Sequence

import anyio
import anyio.to_thread

from sitejobs.auth.clients import Client, ClientStore
from sitejobs.auth.throttle import FailureThrottle, Limit
from sitejobs.auth.users import User, UserStore, credentials_digest
from sitejobs.errors import TooManyRequests

#: How long a client's verified secret is remembered (it is forgotten at once when the stored hash changes).
CLIENT_CACHE_SECONDS = 60.0
#: How long a throttled attempt waits for its 429.
THROTTLED_DELAY_SECONDS = 0.5
#: Checks that may wait for a thread before new ones are turned away with 429.
MAX_WAITING = 64


class CredentialChecker:
    def __init__(
        self,
        clients: ClientStore,
        users: UserStore,
        *,
        threads: int,
        per_account: Limit,
        per_address: Limit,
    ) -> None:
        self.clients = clients
        self.users = users
        self._limiter = anyio.CapacityLimiter(threads)
        self._accounts = FailureThrottle(per_account)
        self._addresses = FailureThrottle(per_address)
        self._lock = threading.Lock()
        self._clients_ok: dict[bytes, float] = {}
        #: Checks of user credentials under way, by credentials (touched on the event loop only).
        self._user_checks: dict[bytes, _SharedCheck] = {}

    async def user(self, name: str, password: str, address: str) -> User | None:
        """The user these credentials name, or None; TooManyRequests while the account or address is throttled.

        Requests with the same credentials that arrive while they are being checked wait for that check's
        answer: a poller's concurrent requests, when its remembered credentials expire, cost one check and
        one charge against the throttles, not one each (which turned most of them into 429s)."""
        user = self.users.remembered(name, password)
        if user is not None:
            return user
        key = credentials_digest(name, password)
        running = self._user_checks.get(key)
        if running is not None:
            answer = await running.answer()
            if answer is not _CANCELLED:
                return answer
            return await self.user(name, password, address)  # that request went away: check anew
        account = "user\0" + name
        await self._admit(account, address)
        check = self._user_checks[key] = _SharedCheck()
        try:
            user = await anyio.to_thread.run_sync(
                self.users.authenticate, name, password, limiter=self._limiter
            )
        except Exception as exc:
            check.failed(exc)
            raise
        except BaseException:
            check.done(_CANCELLED)
            raise
        finally:
            del self._user_checks[key]
        check.done(user)
        self._record(account, address, ok=user is not None)
        return user

    async def client(self, candidates: Sequence[tuple[str, str]], address: str) -> Client | None:
        """The client of the first (id, secret) pair that authenticates (a secret may arrive in more than one
        encoding), or None; TooManyRequests while the client id or the address is throttled."""
        if not candidates:
            return None
        for client_id, secret in candidates:
            known = self.clients.get(client_id)
            if known is not None and self._client_remembered(known, secret):
                return known
        account = "client\0" + candidates[0][0]
        await self._admit(account, address)

        def check() -> Client | None:
            for client_id, secret in candidates:
                client = self.clients.authenticate(client_id, secret)
                if client is not None:
                    self._remember_client(client, secret)
                    return client
            return None

        client = await anyio.to_thread.run_sync(check, limiter=self._limiter)
        self._record(account, address, ok=client is not None)
        return client

    async def _admit(self, account: str, address: str) -> None:
        wait = max(self._accounts.retry_after(account), self._addresses.retry_after(address))
        if wait:
            # Held a moment before the answer (a sleeping task costs the server nothing): a client guessing in
            # a loop then makes a few attempts a second, not thousands.
            await anyio.sleep(THROTTLED_DELAY_SECONDS)
            raise TooManyRequests(wait)
        if self._limiter.statistics().tasks_waiting >= MAX_WAITING:
            raise TooManyRequests(1)
        # Charged before the check, so a burst of concurrent attempts is counted as it arrives.
        self._accounts.failed(account)
        self._addresses.failed(address)

    def _record(self, account: str, address: str, *, ok: bool) -> None:
        if ok:
            self._accounts.forgive(account)
            self._addresses.refund(address)

    @staticmethod
    def _client_key(client: Client, secret: str) -> bytes:
        return hashlib.sha256(f"{client.client_id}\0{secret}\0{client.secret_hash}".encode()).digest()

    def _client_remembered(self, client: Client, secret: str) -> bool:
        with self._lock:
            until = self._clients_ok.get(self._client_key(client, secret), 0.0)
        return until > time.monotonic()

    def _remember_client(self, client: Client, secret: str) -> None:
        with self._lock:
            if len(self._clients_ok) > 10_000:
                self._clients_ok.clear()
            self._clients_ok[self._client_key(client, secret)] = time.monotonic() + CLIENT_CACHE_SECONDS


#: Where a request came from, as the ASGI scope's "client" gives it.
ScopeClient = tuple[str, int] | list[object] | None


def client_address(scope_client: ScopeClient) -> str:
    """The address a request came from, as the ASGI scope gives it."""
    return str(scope_client[0]) if scope_client else "-"


#: What waiting requests get when the request checking for them was cancelled (they then check themselves).
_CANCELLED = User("", "", "", False)


class _SharedCheck:
    """The answer of one credential check, for the requests that wait for it."""

    def __init__(self) -> None:
        self._event = anyio.Event()
        self._user: User | None = None
        self._error: Exception | None = None

    def done(self, user: User | None) -> None:
        self._user = user
        self._event.set()

    def failed(self, error: Exception) -> None:
        self._error = error
        self._event.set()

    async def answer(self) -> User | None:
        await self._event.wait()
        if self._error is not None:
            raise self._error
        return self._user
