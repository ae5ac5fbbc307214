"""The Account Manager token endpoint: client credentials in, a bearer token out."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote_plus

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.faults import json_response
from sitejobs.api.security import basic_credentials
from sitejobs.auth.clients import ClientStore
from sitejobs.auth.tokens import TokenIssuer
from sitejobs.auth.users import TOKEN_SUBJECT_PREFIX, UserStore

MAX_FORM_BYTES = 8192


def _oauth_error(error: str, status: int, description: str) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="sitejobs"'} if status == 401 else None
    return json_response({"error": error, "error_description": description}, status, headers)


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
    return _user_token(request, form, request.app.state.tokens)


async def access_token(request: Request) -> Response:
    form = await _form(request)
    if isinstance(form, Response):
        return form
    tokens: TokenIssuer = request.app.state.tokens
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", 400, "Only grant_type=client_credentials is supported.")
    credentials = basic_credentials(request.headers.get("authorization", ""))
    if credentials is None and "client_id" in form:
        credentials = (form["client_id"], form.get("client_secret", ""))
    if credentials is None:
        return _oauth_error("invalid_client", 401, "Client credentials are required (HTTP Basic).")
    clients: ClientStore = request.app.state.clients
    client = clients.authenticate(*credentials)
    if client is None and any("%" in c or "+" in c for c in credentials):
        # RFC 6749 2.3.1: Basic credentials are form-encoded first (sfcc-ci does this to the secret).
        client = clients.authenticate(*(unquote_plus(c) for c in credentials))
    if client is None:
        return _oauth_error("invalid_client", 401, "Client authentication failed.")
    return _token_response(tokens, client.client_id, "mail")


def _user_token(request: Request, form: dict[str, str], tokens: TokenIssuer) -> Response:
    users: UserStore = request.app.state.users
    user = users.authenticate(form.get("username", ""), form.get("password", ""))
    if user is None:
        return _oauth_error("invalid_grant", 400, "The user name or password is not correct.")
    return _token_response(tokens, TOKEN_SUBJECT_PREFIX + user.name, form.get("scope", ""))


def _token_response(tokens: TokenIssuer, subject: str, scope: str) -> Response:
    return json_response(
        {
            "access_token": tokens.issue(subject),
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
