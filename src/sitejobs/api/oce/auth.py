"""Who is calling the Content Management surface: a user, by HTTP Basic (as `cec` does for a `dev_ec`
server) or by a bearer token from the token endpoint's password grant, counted against the user's request rate."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from sitejobs.api.credentials import ScopeClient, client_address
from sitejobs.api.security import basic_credentials
from sitejobs.api.services import Services, services
from sitejobs.auth.tokens import SubjectKind
from sitejobs.auth.users import User
from sitejobs.errors import Unauthorized


async def current_user(conn: HTTPConnection) -> User:
    return await user_from_header(
        services(conn), conn.headers.get("authorization", ""), conn.scope.get("client")
    )


def known_user(svc: Services, header: str) -> User | None:
    """The user of a Basic header verified a moment ago (a poller's repeated request), counted against that
    user's request rate; None when the header must go through `user_from_header`. Cheap: no coroutine, no
    decoding, no database."""
    user = svc.users.remembered_header(header)
    if user is not None:
        svc.rate_limiter.check(user.name)
    return user


async def user_from_header(svc: Services, header: str, client: ScopeClient) -> User:
    """The user an Authorization header names (checked off the event loop, throttled per account and per
    client address), counted against that user's request rate."""
    users = svc.users
    scheme = header.partition(" ")[0].lower()
    user: User | None = None
    if scheme == "basic":
        user = users.remembered_header(header)
        if user is None:
            credentials = basic_credentials(header)
            user = await svc.credentials.user(*credentials, client_address(client)) if credentials else None
            if credentials is None or user is None:
                raise Unauthorized("The user name or password is not correct.")
            users.remember_header(header, *credentials)
    elif scheme == "bearer":
        subject, stamp = svc.tokens.verify_stamped(header.partition(" ")[2].strip(), SubjectKind.USER)
        user = await svc.database.read_now(users.get_stamped, subject, stamp)
        if user is None:
            raise Unauthorized("The access token's user is gone or has a new password: ask for a new token.")
    else:
        raise Unauthorized("Authentication is required: HTTP Basic or 'Authorization: Bearer <token>'.")
    svc.rate_limiter.check(user.name)
    return user
