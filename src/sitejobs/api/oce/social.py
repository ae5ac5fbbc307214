"""The social API's groups (`/osn/social/api/v1`), as the toolkit's group commands and `set-site-security -g`
call them (serverRest.js `_createConnection`, `_getGroup`, `_getGroups`, `_createGroup`, `_deleteGroup`,
`_getGroupMembers`, `_addMemberToGroup`, `_removeMemberFromGroup`).

A change needs the connection's `apiRandomID` in `X-Waggle-RandomID` (`POST /connections` hands it out: the
caller's own signed token, as the IDC token is). Every signed-in user sees every group; a group's managers and
administrators change it, and anyone may join a `PUBLIC_OPEN` group themselves. The toolkit wants 200 for
every successful call, creation included.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sitejobs.api.oce.idc import IDC_TOKEN_PREFIX, issue_token
from sitejobs.api.oce.routes import _body, _caller, _json, _store
from sitejobs.api.services import services
from sitejobs.auth.tokens import SubjectKind
from sitejobs.auth.users import User
from sitejobs.errors import BadRequest, Forbidden, ResourceAlreadyExists, ResourceNotFound, Unauthorized
from sitejobs.sites.content.groups import MANAGER, ROLES, TYPES, Group, GroupStore, Member
from sitejobs.timefmt import iso_ms

OSN = "/osn/social/api/v1"
GROUP_NAME = r"^[^/\\:*?\"<>|,]{1,100}$"
MAX_PAGE = 500


class NewGroup(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(pattern=GROUP_NAME)
    groupType: str = Field(default="PUBLIC_OPEN", max_length=32)


class NewMember(BaseModel):
    model_config = ConfigDict(extra="ignore")
    member: str = Field(min_length=1, max_length=256)
    role: str = Field(default="GROUP_MEMBER", max_length=32)
    isGroup: bool = False


class GroupNotFound(ResourceNotFound):
    kind = "group"


def group_document(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "displayName": group.name,
        "groupType": group.group_type,
        "groupOriginType": "CEC",
        "createdByUserName": group.owner,
        "createdByUserDisplayName": group.owner,
        "createdDateInISO8601Format": iso_ms(group.created_at),
    }


def member_document(member: Member, groups: GroupStore) -> dict[str, Any]:
    inner = groups.get(member.name) if member.is_group else None
    return {
        "id": inner.id if inner is not None else member.name,
        "name": member.name,
        "displayName": member.name,
        "isGroup": member.is_group,
        "role": member.role,
    }


def _groups(request: Request) -> GroupStore:
    return GroupStore(_store(request).db)


def _check_connection(request: Request, user: User) -> None:
    token = request.headers.get("x-waggle-randomid", "")
    if not token:
        raise Forbidden("A change needs the apiRandomID of POST /connections in X-Waggle-RandomID.")
    try:
        subject = services(request).tokens.verify(token, SubjectKind.USER)
    except Unauthorized:
        raise Forbidden("The X-Waggle-RandomID is not valid or has expired: connect again.") from None
    if subject != IDC_TOKEN_PREFIX + user.name:
        raise Forbidden("The X-Waggle-RandomID belongs to another user.")


async def _group(request: Request) -> Group:
    ref = request.path_params["id"]
    group = await run_in_threadpool(_groups(request).get, ref)
    if group is None:
        raise GroupNotFound(ref)
    return group


async def _managed(request: Request, user: User) -> Group:
    _check_connection(request, user)
    group = await _group(request)
    if not user.is_admin and not await run_in_threadpool(_groups(request).is_manager, group, user.name):
        raise Forbidden(f"Only the managers of group '{group.name}' may change it.")
    return group


async def connect(request: Request) -> Response:
    user = await _caller(request)
    who = {"id": user.name, "name": user.name, "displayName": user.display_name}
    return _json({"apiRandomID": issue_token(services(request), user), "user": who})


async def list_groups(request: Request) -> Response:
    await _caller(request)
    params = request.query_params
    count = params.get("count", "100")
    offset = params.get("offset", "0")
    if not count.isdigit() or not offset.isdigit() or len(count) > 9 or len(offset) > 9:
        raise BadRequest("count and offset must be whole numbers.")
    first, size = int(offset), min(int(count) or MAX_PAGE, MAX_PAGE)
    groups = await run_in_threadpool(_groups(request).all)
    page = groups[first : first + size]
    return _json(
        {
            "items": [group_document(g) for g in page],
            "count": len(page),
            "offset": first,
            "hasMore": first + len(page) < len(groups),
        }
    )


async def get_group(request: Request) -> Response:
    await _caller(request)
    return _json(group_document(await _group(request)))


async def create_group(request: Request) -> Response:
    user = await _caller(request)
    _check_connection(request, user)
    body = await _body(request, NewGroup)
    if body["groupType"] not in TYPES:
        raise BadRequest(f"groupType must be one of {', '.join(TYPES)}.", property="groupType")
    group = await run_in_threadpool(
        _groups(request).create, body["name"].strip(), body["groupType"], user.name
    )
    if group is None:
        raise ResourceAlreadyExists("group", body["name"])
    return _json(group_document(group))


async def delete_group(request: Request) -> Response:
    user = await _caller(request)
    group = await _managed(request, user)
    await run_in_threadpool(_groups(request).delete, group.id)
    return _json({})


async def list_members(request: Request) -> Response:
    await _caller(request)
    group = await _group(request)
    groups = _groups(request)

    def documents() -> list[dict[str, Any]]:
        return [member_document(m, groups) for m in groups.members(group.id)]

    items = await run_in_threadpool(documents)
    return _json({"items": items, "count": len(items), "offset": 0, "hasMore": False})


async def add_member(request: Request) -> Response:
    user = await _caller(request)
    body = await _body(request, NewMember)
    _check_connection(request, user)
    group = await _group(request)
    groups = _groups(request)
    if body["role"] not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}.", property="role")
    joining_open = (
        group.group_type == "PUBLIC_OPEN"
        and not body["isGroup"]
        and body["member"] == user.name
        and body["role"] != MANAGER
    )
    if not (user.is_admin or joining_open or await run_in_threadpool(groups.is_manager, group, user.name)):
        raise Forbidden(f"Only the managers of group '{group.name}' may add members to it.")
    if body["isGroup"]:
        inner = await run_in_threadpool(groups.get, body["member"])
        if inner is None:
            raise GroupNotFound(body["member"])
        if inner.id == group.id:
            raise BadRequest("A group cannot be a member of itself.", property="member")
        member = Member(inner.name, True, body["role"])
    else:
        if services(request).users.get(body["member"]) is None:
            raise ResourceNotFound(f"user:{body['member']}")
        member = Member(body["member"], False, body["role"])
    await run_in_threadpool(groups.add_member, group.id, member)
    return _json(member_document(member, groups))


async def remove_member(request: Request) -> Response:
    """`members/{memberId}`: a user by login name, a group by id (or name)."""
    user = await _caller(request)
    group = await _managed(request, user)
    groups = _groups(request)
    ref = request.path_params["member"]
    inner = await run_in_threadpool(groups.get, ref)
    removed = inner is not None and await run_in_threadpool(groups.remove_member, group.id, inner.name, True)
    if not removed and not await run_in_threadpool(groups.remove_member, group.id, ref, False):
        raise ResourceNotFound(ref)
    return _json({})


routes = [
    Route(f"{OSN}/connections", connect, methods=["POST"]),
    Route(f"{OSN}/groups", list_groups, methods=["GET"]),
    Route(f"{OSN}/groups", create_group, methods=["POST"]),
    Route(f"{OSN}/groups/{{id}}", get_group, methods=["GET"]),
    Route(f"{OSN}/groups/{{id}}", delete_group, methods=["DELETE"]),
    Route(f"{OSN}/groups/{{id}}/members", list_members, methods=["GET"]),
    Route(f"{OSN}/groups/{{id}}/members", add_member, methods=["POST"]),
    Route(f"{OSN}/groups/{{id}}/members/{{member}}", remove_member, methods=["DELETE"]),
]
