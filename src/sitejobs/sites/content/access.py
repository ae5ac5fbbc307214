"""Who may see an execution of a site job: the one rule of the Sites Management API and the dashboard.

`may_see_execution` decides for one execution; `visible_executions` is the same rule as a condition on the
executions table, for figures counted in the store (the dashboard's workers page). A test holds the two to
the same answers.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_

from sitejobs.auth.users import User
from sitejobs.engine.models import Execution
from sitejobs.engine.schema import executions
from sitejobs.sites.content.store import ContentStore

#: How a request names a site by name rather than by id (`ContentStore.site`).
BY_NAME = "name:"


def may_see_execution(store: ContentStore, user: User, execution: Execution) -> bool:
    """Administrators see every execution; other users their own and those of the sites shared with them."""
    if user.is_admin or execution.client_id == user.name:
        return True
    site_ref = (execution.request or {}).get("target_site")
    site = store.site(site_ref, include_deleted=True) if site_ref else None
    return site is not None and store.role_of(site, user) is not None


def visible_executions(store: ContentStore, user: User) -> ColumnElement[bool] | None:
    """The executions `user` may see, as a WHERE condition (None for an administrator: all of them). Reads the
    sites shared with the user (those they have a role on, in the trash too) once; the condition then matches a
    request's `target_site` against their ids and, for a `name:NAME` reference, their names without case."""
    if user.is_admin:
        return None
    e = executions.c
    own = e.client_id == user.name
    sites = store.sites(visible_to=user, include_deleted=True)
    if not sites:
        return own
    target = e.request["target_site"].as_string()
    by_name = and_(
        func.substr(target, 1, len(BY_NAME)) == BY_NAME,
        func.lower(func.substr(target, len(BY_NAME) + 1)).in_(sorted({s.name.lower() for s in sites})),
    )
    return or_(own, target.in_(sorted(s.id for s in sites)), by_name)
