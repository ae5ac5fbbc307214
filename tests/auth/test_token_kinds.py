"""A Data API client's token never passes for a Content Management user's, whatever the names (issue 13, item 5)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from sitejobs.auth.tokens import StaticKey, SubjectKind, TokenIssuer
from sitejobs.auth.users import UserStore
from sitejobs.engine.service import JobEngine
from sitejobs.errors import Unauthorized
from sitejobs.jobs.builtin import default_registry
from sitejobs.server import create_app
from sitejobs.settings import Settings
from tests.conftest import add_client, token_for

API = "/sites/management/api/v1"
V = "/s/-/dw/data/v23_2"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    for name in ("user:root", "root", "client:root"):
        add_client(settings, name, "client-secret")
    engine = JobEngine.open(settings, default_registry())
    try:
        UserStore(engine.db).add("root", "root-password", admin=True)
        UserStore(engine.db).add("user:root", "other-password")
    finally:
        engine.close()
    with TestClient(create_app(settings, executor=False)) as client:
        yield client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("client_id", ["user:root", "root", "client:root"])
def test_a_client_token_is_not_accepted_by_sites_management(app: TestClient, client_id: str) -> None:
    # RFC 6749 2.3.1: Basic credentials are form-encoded first (a ':' in a user-id must be).
    token = token_for(app, quote(client_id, safe=""), "client-secret")
    assert app.get(f"{V}/jobs/noop/executions/1", headers=_bearer(token)).status_code == 404  # a valid token
    answer = app.get(f"{API}/sites", headers=_bearer(token))
    assert answer.status_code == 401
    assert answer.json()["status"] == "401"


@pytest.mark.parametrize("user", ["root", "user:root"])
def test_a_user_token_is_not_accepted_by_the_data_api(app: TestClient, user: str) -> None:
    password = "root-password" if user == "root" else "other-password"
    answer = app.post(
        "/oauth2/v1/token", data={"grant_type": "password", "username": user, "password": password}
    )
    token = answer.json()["access_token"]
    assert app.get(f"{API}/sites", headers=_bearer(token)).status_code == 200
    refused = app.get(f"{V}/jobs/noop/executions/1", headers=_bearer(token))
    assert refused.status_code == 401
    assert refused.json()["fault"]["type"] == "InvalidAccessTokenException"


def test_the_kind_is_checked_by_the_issuer() -> None:
    tokens = TokenIssuer(StaticKey(b"k" * 32), 60)
    token = tokens.issue("root", SubjectKind.CLIENT)
    assert tokens.verify(token, SubjectKind.CLIENT) == "root"
    with pytest.raises(Unauthorized):
        tokens.verify(token, SubjectKind.USER)
    with pytest.raises(Unauthorized):  # also once the token is in the issuer's cache of verified tokens
        tokens.verify(token, SubjectKind.USER)
