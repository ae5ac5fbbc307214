"""The Account Manager token endpoint: client credentials in, a bearer token out."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote_plus

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.credentials import CredentialChecker, client_address
from sitejobs.api.faults import json_response
from sitejobs.api.security import basic_credentials
from sitejobs.api.services import services
from sitejobs.auth.tokens import SubjectKind, TokenIssuer
from sitejobs.errors import TooManyRequests

MAX_FORM_BYTES = 8192


def _oauth_error(
    error: str, status: int, description: str, headers: dict[str, str] | None = None
) -> Response:
    if status == 401:
        headers = {"WWW-Authenticate": 'Basic realm="sitejobs"'}
    return json_response({"error": error, "error_description": description}, status, headers)


def _throttled(exc: TooManyRequests) -> Response:
    return _oauth_error(
        "temporarily_unavailable",
        429,
        f"Too many failed attempts; try again in {exc.retry_after} seconds.",
        {"Retry-After": str(exc.retry_after)},
    )


async def _form(request: Request) -> dict[str, str] | Response:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return _oauth_error("invalid_request", 400, "The request body is too large.")
    try:
        return {k: v[0] for k, v in parse_qs(body.decode(), strict_parsing=False).items()}
    except UnicodeDecodeError:
        return _oauth_error("invalid_request", 400, "The form body is not valid UTF-8.")


async def user_access_token(request: Request) -> Response:
    """`/oauth2/v1/token`, as IDCS answers it: the resource-owner password grant of a Content Management user
    (the Content Toolkit gets a token this way for a server registered with IDCS settings)."""
    form = await _form(request)
    if isinstance(form, Response):
        return form
    if form.get("grant_type") != "password":
        return _oauth_error("unsupported_grant_type", 400, "Only grant_type=password is supported here.")
    return await _user_token(request, form, services(request).tokens)


async def access_token(request: Request) -> Response:
    form = await _form(request)
    if isinstance(form, Response):
        return form
    tokens: TokenIssuer = services(request).tokens
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", 400, "Only grant_type=client_credentials is supported.")
    credentials = basic_credentials(request.headers.get("authorization", ""))
    if credentials is None and "client_id" in form:
        credentials = (form["client_id"], form.get("client_secret", ""))
    if credentials is None:
        return _oauth_error("invalid_client", 401, "Client credentials are required (HTTP Basic).")
    candidates = [credentials]
    if any("%" in c or "+" in c for c in credentials):
        # RFC 6749 2.3.1: Basic credentials are form-encoded first (sfcc-ci does this to the secret).
        client_id, secret = credentials
        candidates.append((unquote_plus(client_id), unquote_plus(secret)))
    checker: CredentialChecker = services(request).credentials
    try:
        client = await checker.client(candidates, client_address(request.scope.get("client")))
    except TooManyRequests as exc:
        return _throttled(exc)
    if client is None:
        return _oauth_error("invalid_client", 401, "Client authentication failed.")
    return _token_response(tokens, client.client_id, SubjectKind.CLIENT, "mail")


async def _user_token(request: Request, form: dict[str, str], tokens: TokenIssuer) -> Response:
    checker: CredentialChecker = services(request).credentials
    address = client_address(request.scope.get("client"))
    try:
        user = await checker.user(form.get("username", ""), form.get("password", ""), address)
    except TooManyRequests as exc:
        return _throttled(exc)
    if user is None:
        return _oauth_error("invalid_grant", 400, "The user name or password is not correct.")
    stamp = await services(request).database.run(checker.users.password_stamp, user.name)
    return _token_response(tokens, user.name, SubjectKind.USER, form.get("scope", ""), stamp)


def _token_response(
    tokens: TokenIssuer, subject: str, kind: SubjectKind, scope: str, stamp: str | None = None
) -> Response:
    return json_response(
        {
            "access_token": tokens.issue(subject, kind, stamp=stamp),
            "scope": scope,
            "token_type": "Bearer",
            "expires_in": tokens.ttl_seconds,
        },
        headers={"Cache-Control": "no-store"},
    )


routes = [
    Route("/dwsso/oauth2/access_token", access_token, methods=["POST"]),
    Route("/oauth2/v1/token", user_access_token, methods=["POST"]),
]
