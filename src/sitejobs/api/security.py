"""Who is calling: bearer tokens for the Data API and WebDAV, checked against the client's grants; and the
parsing of HTTP Basic credentials, which the token endpoint and the Content Management surface take."""

from __future__ import annotations

import base64
import binascii

from starlette.requests import HTTPConnection

from sitejobs.api.services import services
from sitejobs.auth.clients import Client, ClientStore
from sitejobs.auth.tokens import SubjectKind, TokenIssuer
from sitejobs.errors import Forbidden, Unauthorized


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(user, secret) of an HTTP Basic Authorization header; None when it is not one."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, secret) if sep else None


def bearer_token(header: str) -> str:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("An access token is required: send 'Authorization: Bearer <token>'.")
    return token.strip()


def authorize(conn: HTTPConnection, resource: str, method: str) -> Client:
    """The calling client, if its token is valid and its grants cover `method` on `resource`."""
    svc = services(conn)
    return authorize_header(svc.tokens, svc.clients, conn.headers.get("authorization", ""), resource, method)


def authorize_header(
    tokens: TokenIssuer, clients: ClientStore, authorization: str, resource: str, method: str
) -> Client:
    subject = tokens.verify(bearer_token(authorization), SubjectKind.CLIENT)
    client = clients.get(subject)
    if client is None:
        raise Unauthorized("The access token's client no longer exists.")
    if not client.allows(resource, method):
        raise Forbidden(
            f"Client '{client.client_id}' may not {method.upper()} '{resource}'.",
            clientId=client.client_id,
            resource=resource,
            method=method.lower(),
        )
    return client
