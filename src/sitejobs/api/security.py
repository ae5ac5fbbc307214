"""Who is calling: bearer tokens for the Data API and WebDAV, checked against the client's grants."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from sitejobs.auth.clients import Client, ClientStore
from sitejobs.auth.tokens import TokenIssuer
from sitejobs.errors import Forbidden, Unauthorized


def bearer_token(header: str) -> str:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("An access token is required: send 'Authorization: Bearer <token>'.")
    return token.strip()


def authorize(conn: HTTPConnection, resource: str, method: str) -> Client:
    """The calling client, if its token is valid and its grants cover `method` on `resource`."""
    return authorize_header(
        conn.app.state.tokens, conn.app.state.clients, conn.headers.get("authorization", ""), resource, method
    )


def authorize_header(
    tokens: TokenIssuer, clients: ClientStore, authorization: str, resource: str, method: str
) -> Client:
    subject = tokens.verify(bearer_token(authorization))
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
