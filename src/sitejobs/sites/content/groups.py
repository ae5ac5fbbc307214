"""Groups of users, as `cec create-group` / `add-member-to-group` make them and `set-site-security -g` admits them.

A group has a unique name (compared without case), a type (`PUBLIC_OPEN`: anyone may join; `PUBLIC_CLOSED` and
`PRIVATE_CLOSED`: only its managers add members) and members: users, or other groups, each a `GROUP_MANAGER` or
a `GROUP_MEMBER`. Its creator is its first manager. A secure site that admits `group:NAME` admits every user
in the group, and in the groups it holds (`admitted_users`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Row, func, select

from sitejobs.auth.users import new_guid
from sitejobs.engine.db import write_transaction
from sitejobs.engine.models import now_ms
from sitejobs.sites.content import schema

TYPES = ("PUBLIC_OPEN", "PUBLIC_CLOSED", "PRIVATE_CLOSED")
ROLES = ("GROUP_MANAGER", "GROUP_MEMBER")
MANAGER = "GROUP_MANAGER"
#: Groups nested deeper than this are not followed (a loop of groups ends here too).
MAX_NESTING = 16


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    name: str
    group_type: str
    owner: str
    created_at: int


@dataclass(frozen=True, slots=True)
class Member:
    name: str  # a user's login name, or a group's name
    is_group: bool
    role: str


class GroupStore:
    def __init__(self, db: Engine) -> None:
        self.db = db

    def all(self) -> list[Group]:
        g = schema.groups
        with self.db.connect() as conn:
            rows = conn.execute(select(g).order_by(g.c.name_key)).all()
        return [_group(r) for r in rows]

    def get(self, ref: str) -> Group | None:
        """A group by id, or else by name (without case)."""
        g = schema.groups
        with self.db.connect() as conn:
            row = conn.execute(select(g).where(g.c.id == ref)).first()
            if row is None:
                row = conn.execute(select(g).where(g.c.name_key == ref.lower())).first()
        return None if row is None else _group(row)

    def create(self, name: str, group_type: str, owner: str) -> Group | None:
        """A new group with its creator as manager; None (and nothing written) when the name is taken."""
        g = schema.groups
        group_id = new_guid("G")
        with write_transaction(self.db) as conn:
            if conn.execute(select(g.c.id).where(g.c.name_key == name.lower())).first():
                return None
            conn.execute(
                g.insert().values(
                    id=group_id,
                    name=name,
                    name_key=name.lower(),
                    group_type=group_type,
                    owner=owner,
                    created_at=now_ms(),
                )
            )
            conn.execute(
                schema.group_members.insert().values(
                    group_id=group_id, member=owner, is_group=False, role=MANAGER
                )
            )
        return self.get(group_id)

    def delete(self, group_id: str) -> bool:
        """Delete the group, its memberships and its place in other groups."""
        group = self.get(group_id)
        if group is None:
            return False
        m = schema.group_members
        with write_transaction(self.db) as conn:
            conn.execute(m.delete().where(m.c.group_id == group.id))
            conn.execute(
                m.delete().where(m.c.is_group.is_(True), func.lower(m.c.member) == group.name.lower())
            )
            a = schema.site_access  # no site admits a group that is gone (nor one made later with its name)
            conn.execute(a.delete().where(a.c.member == f"group:{group.name}"))
            conn.execute(schema.groups.delete().where(schema.groups.c.id == group.id))
        return True

    def members(self, group_id: str) -> list[Member]:
        m = schema.group_members
        with self.db.connect() as conn:
            rows = conn.execute(
                select(m.c.member, m.c.is_group, m.c.role)
                .where(m.c.group_id == group_id)
                .order_by(m.c.member)
            ).all()
        return [Member(r.member, bool(r.is_group), r.role) for r in rows]

    def add_member(self, group_id: str, member: Member) -> None:
        """Add the member, or change its role when it is one already."""
        m = schema.group_members
        key = (m.c.group_id == group_id, m.c.member == member.name, m.c.is_group.is_(member.is_group))
        with write_transaction(self.db) as conn:
            if conn.execute(select(m.c.role).where(*key)).first():
                conn.execute(m.update().where(*key).values(role=member.role))
            else:
                conn.execute(
                    m.insert().values(
                        group_id=group_id, member=member.name, is_group=member.is_group, role=member.role
                    )
                )

    def remove_member(self, group_id: str, name: str, is_group: bool) -> bool:
        m = schema.group_members
        with write_transaction(self.db) as conn:
            gone: int = conn.execute(
                m.delete().where(m.c.group_id == group_id, m.c.member == name, m.c.is_group.is_(is_group))
            ).rowcount
        return gone == 1

    def is_manager(self, group: Group, user_name: str) -> bool:
        return any(
            not m.is_group and m.name == user_name and m.role == MANAGER for m in self.members(group.id)
        )

    def users_of(self, group: Group) -> set[str]:
        """The users in the group and in the groups it holds, however deep (up to MAX_NESTING)."""
        users: set[str] = set()
        seen = {group.id}
        level = [group]
        for _ in range(MAX_NESTING):
            nested: list[Group] = []
            for current in level:
                for member in self.members(current.id):
                    if not member.is_group:
                        users.add(member.name)
                    elif (inner := self.get(member.name)) is not None and inner.id not in seen:
                        seen.add(inner.id)
                        nested.append(inner)
            if not nested:
                break
            level = nested
        return users


def admitted_users(db: Engine, access_members: list[str]) -> set[str]:
    """The users a secure site's access list (`user:NAME`, `group:NAME`) admits."""
    groups = GroupStore(db)
    users: set[str] = set()
    for entry in access_members:
        kind, _, name = entry.partition(":")
        if kind == "user":
            users.add(name)
        elif kind == "group" and (group := groups.get(name)) is not None:
            users |= groups.users_of(group)
    return users


def _group(row: Row[Any]) -> Group:
    return Group(row.id, row.name, row.group_type, row.owner, row.created_at)
