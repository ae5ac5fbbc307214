"""The visibility rule of site jobs' executions: `visible_executions` (the rule as a condition in the store,
for counts) selects exactly the executions `may_see_execution` lets each user see."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sitejobs.auth.users import User, UserStore
from sitejobs.engine.schema import executions
from sitejobs.engine.service import JobEngine
from sitejobs.sites.content.access import may_see_execution, visible_executions
from sitejobs.sites.content.store import ContentStore
from tests.sites.content.helpers import make_site


@pytest.fixture
def store(engine: JobEngine, tmp_path: Path) -> ContentStore:
    return ContentStore(engine.db, tmp_path / "content")


def test_the_condition_in_the_store_selects_what_the_rule_lets_each_user_see(
    engine: JobEngine, store: ContentStore
) -> None:
    users = UserStore(engine.db)
    everyone = [users.add("ada", "pw", admin=True), users.add("bob", "pw"), users.add("carol", "pw")]
    shared = make_site(store, "Shared", "alice")
    store.share(shared.id, "bob", "viewer")
    private = make_site(store, "Private", "alice")
    owned = make_site(store, "Owned", "bob")
    trashed = make_site(store, "Trashed", "alice")
    store.share(trashed.id, "bob", "contributor")
    assert store.trash_site(trashed.id)

    def site_job(target: str, client: str = "alice") -> int:
        return engine.submit("oce-refresh-site", request={"target_site": target}, client_id=client).id

    bobs = {
        site_job(shared.id),
        site_job("name:shared"),  # by name, without case
        site_job(owned.id),
        site_job(trashed.id),  # a site in the trash still shows its jobs
        engine.submit("noop", client_id="bob").id,
    }
    others = {
        site_job(private.id),
        site_job("name:Private"),
        site_job("NAME:Shared"),  # not a name reference: an id no site has
        site_job(""),
        site_job("F-no-such-site"),
        engine.submit("noop", client_id="alice").id,
        engine.submit("hello-world", client_id="test-client").id,  # an OCAPI client's
        engine.submit("noop").id,
    }
    every = engine.list_executions(limit=100)
    assert {e.id for e in every} == bobs | others

    def selected(user: User) -> set[int]:
        condition = visible_executions(store, user)
        query = select(executions.c.id)
        with engine.db.connect() as conn:
            return set(conn.execute(query if condition is None else query.where(condition)).scalars())

    for user in everyone:
        assert selected(user) == {e.id for e in every if may_see_execution(store, user, e)}, user.name
    bob = everyone[1]
    assert selected(bob) == bobs
    assert selected(everyone[0]) == bobs | others
    assert selected(everyone[2]) == set()
