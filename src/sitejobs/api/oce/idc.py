"""The IDC (`/documents/integration?IdcService=…`) call and answer shapes the Content Toolkit reads.

A call names its service in the query string; its parameters come from the query string and, for a POST, from
the JSON body's `LocalData` (the toolkit posts `{"idcToken": …, "LocalData": {"IdcService": …, …}}`). An
answer is `{"LocalData": {"StatusCode": "0", …}, "ResultSets": {NAME: {"fields": [{"name"}…], "rows": [[…]]}}}`;
an error is the same document with a negative `StatusCode` and the `StatusMessage` the toolkit prints, under
the error's HTTP status.

Services that change something require the `idcToken` that `SCS_GET_TENANT_CONFIG` hands out: a signed token
naming the user, so a page on another origin cannot make a signed-in browser call them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from sitejobs.api.services import Services, services
from sitejobs.auth.tokens import SubjectKind
from sitejobs.auth.users import User
from sitejobs.errors import BadRequest, Forbidden, SitejobsError, Unauthorized

JSON = "application/json"
IDC_TOKEN_PREFIX = "idc:"
#: Parameters of every call that are not the service's own values.
CALL_PARAMS = frozenset({"IdcService", "IsJson", "idcToken", "item"})


@dataclass
class IdcCall:
    request: Request
    user: User
    service: str
    params: dict[str, str]
    token: str

    @property
    def state(self) -> Services:
        return services(self.request)

    def require(self, name: str) -> str:
        value = self.params.get(name, "").strip()
        if not value:
            raise BadRequest(f"The service {self.service} needs the parameter '{name}'.", property=name)
        return value

    def item(self) -> str:
        """The folder id of `item=fFolderGUID:ID`, how the metadata services name a site, theme or component."""
        item = self.require("item")
        prefix, _, folder = item.partition(":")
        if prefix != "fFolderGUID" or not folder:
            raise BadRequest(f"The item '{item}' is not of the form fFolderGUID:<id>.", property="item")
        return folder

    def check_token(self) -> None:
        """Services that change something: the token must be the caller's own."""
        if not self.token:
            raise Forbidden(f"The service {self.service} needs the idcToken of SCS_GET_TENANT_CONFIG.")
        try:
            subject = self.state.tokens.verify(self.token, SubjectKind.USER)
        except Unauthorized:
            raise Forbidden(
                "The idcToken is not valid or has expired: ask SCS_GET_TENANT_CONFIG for a new one."
            ) from None
        if subject != IDC_TOKEN_PREFIX + self.user.name:
            raise Forbidden("The idcToken belongs to another user.")


@dataclass
class IdcAnswer:
    local: dict[str, str] = field(default_factory=dict)
    result_sets: dict[str, Any] = field(default_factory=dict)
    #: A few services answer plain JSON rather than an IDC document (SCS_BROWSE_LAYOUTS).
    raw: Any = None


Service = Callable[[IdcCall], Awaitable[IdcAnswer]]


def issue_token(state: Services, user: User) -> str:
    token: str = state.tokens.issue(IDC_TOKEN_PREFIX + user.name, SubjectKind.USER)
    return token


async def read_call(request: Request, user: User) -> IdcCall:
    params = dict(request.query_params.items())
    token = params.get("idcToken", "")
    if request.method == "POST":
        raw = await request.body()
        if raw.strip():
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise BadRequest("The request body is not well-formed JSON.") from None
            if not isinstance(body, dict) or not isinstance(body.get("LocalData", {}), dict):
                raise BadRequest('The request body must be {"idcToken": …, "LocalData": {…}}.')
            local = body.get("LocalData", {})
            params.update({str(k): v if isinstance(v, str) else _text(v) for k, v in local.items()})
            given = body.get("idcToken") or local.get("idcToken") or token
            # siteUpdate.js posts what `getIdcToken` resolves to, `{"idcToken": …}`, as the token itself.
            if isinstance(given, dict):
                given = given.get("idcToken", "")
            token = str(given)
    service = params.get("IdcService", "")
    return IdcCall(request, user, service, params, token)


def _text(value: Any) -> str:
    return (
        ""
        if value is None
        else orjson.dumps(value).decode()
        if isinstance(value, dict | list)
        else str(value)
    )


def result_set(rows: Iterable[Mapping[str, Any]], fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Rows as an IDC result set: the column names once in `fields`, each row's values in that order."""
    listed = list(rows)
    names = list(fields) if fields is not None else list(listed[0]) if listed else []
    return {
        "fields": [{"name": name} for name in names],
        "rows": [[_text(row.get(name)) for name in names] for row in listed],
    }


def answer(call_service: str, result: IdcAnswer) -> Response:
    if result.raw is not None:
        return Response(orjson.dumps(result.raw), media_type=JSON)
    local = {"StatusCode": "0", "StatusMessage": "OK", "IdcService": call_service, **result.local}
    return Response(orjson.dumps({"LocalData": local, "ResultSets": result.result_sets}), media_type=JSON)


def error_answer(service: str, error: SitejobsError) -> Response:
    local = {
        "StatusCode": "-1",
        "StatusMessage": error.message,
        "StatusMessageKey": error.code,
        "IdcService": service,
    }
    return Response(
        orjson.dumps({"LocalData": local, "ResultSets": {}}), status_code=error.status, media_type=JSON
    )
