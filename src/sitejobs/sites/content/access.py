"""Who may see an execution of a site job: the one rule of the Sites Management API and the dashboard."""

from __future__ import annotations

from sitejobs.auth.users import User
from sitejobs.engine.models import Execution
from sitejobs.sites.content.store import ContentStore


def may_see_execution(store: ContentStore, user: User, execution: Execution) -> bool:
    """Administrators see every execution; other users their own and those of the sites shared with them."""
    if user.is_admin or execution.client_id == user.name:
        return True
    site_ref = (execution.request or {}).get("target_site")
    site = store.site(site_ref, include_deleted=True) if site_ref else None
    return site is not None and store.role_of(site, user) is not None
