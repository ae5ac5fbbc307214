"""Who sees what, and every bad request answered in the seed's error shape: 401, 403, 404 (a job of
another user is indistinguishable from no job), 400 on bad query parameters, 406, 429 with Retry-After."""

from __future__ import annotations

import httpx
import pytest
from starlette.testclient import TestClient

from sitejobs.auth.users import UserStore
from sitejobs.server import create_app
from sitejobs.settings import Settings
from sitejobs.sites.content.store import ContentStore
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import (
    API,
    basic_auth,
    create_site,
    poll_like_the_toolkit,
    prepare,
    sites_app,
    start,
    wait_status,
)

ALICE, BOB = basic_auth("alice"), basic_auth("bob")
ERROR_KEYS = {"type", "title", "status", "detail", "o:errorCode"}


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, object] = response.json()
    assert set(body) >= ERROR_KEYS, body
    assert body["status"] == str(status)
    assert "Traceback" not in response.text
    if code is not None:
        assert body["o:errorCode"] == code
    return body


def test_another_users_job_is_indistinguishable_from_a_missing_one(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "AliceSite")
        location = start(client, "/sites/name:AliceSite/publish", None, ALICE)
        poll_like_the_toolkit(client, location, ALICE)
        job_id = location.rsplit("/", 1)[1]
        hidden = assert_error(client.get(location, headers=BOB), 404, "OCE-SITEMGMT-009024")
        missing_id = str(int(job_id) + 1000)
        missing = assert_error(client.get(f"{API}/sites/_status/{missing_id}", headers=BOB), 404)
        assert hidden == {**missing, "jobStatus": {"context": job_id}}
        assert client.get(f"{API}/sites/_status/{missing_id}", headers=ALICE).json() == missing
        assert_error(client.get(f"{API}/sites/name:AliceSite", headers=BOB), 404)
        assert "AliceSite" not in [s["name"] for s in client.get(f"{API}/sites", headers=BOB).json()["items"]]
        assert client.get(location, headers=basic_auth("admin")).status_code == 200


def test_sharing_a_site_shows_its_jobs_and_roles_limit_what_may_be_done(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Shared")
        location = start(client, "/sites/name:Shared/publish", None, ALICE)
        poll_like_the_toolkit(client, location, ALICE)
        engine = app_engine(client)
        store = ContentStore(engine.db, settings.content_dir)
        site = store.site("name:Shared")
        assert site is not None
        store.share(site.id, "bob", "viewer")
        assert client.get(location, headers=BOB).status_code == 200
        assert client.get(f"{API}/sites/name:Shared?links=none", headers=BOB).status_code == 200
        assert_error(
            client.post(f"{API}/sites/name:Shared/publish", headers={**BOB, "Prefer": "respond-async"}), 403
        )
        assert_error(client.post(f"{API}/sites/name:Shared/hardDelete", headers=BOB), 403)
        store.share(site.id, "bob", "contributor")
        location = start(client, "/sites/name:Shared/publish", None, BOB)
        poll_like_the_toolkit(client, location, BOB)
        assert_error(client.post(f"{API}/sites/name:Shared/hardDelete", headers=BOB), 403)


def test_authentication_errors(settings: Settings) -> None:
    with sites_app(settings) as client:
        no_auth = assert_error(client.get(f"{API}/sites"), 401)
        assert "WWW-Authenticate" in client.get(f"{API}/sites").headers
        assert no_auth["o:errorCode"]
        assert_error(client.get(f"{API}/sites", headers=basic_auth("alice", "wrong-password")), 401)
        assert_error(client.get(f"{API}/sites", headers={"Authorization": "Bearer not-a-token"}), 401)
        token = client.post(
            "/oauth2/v1/token", data={"grant_type": "password", "username": "alice", "password": "secret-pw"}
        )
        assert token.status_code == 200, token.text
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        user_info = client.get("/documents/integration?IdcService=GET_USER_INFO&IsJson=1", headers=bearer)
        assert user_info.json()["LocalData"]["dUser"] == "alice"
        assert client.get(f"{API}/sites", headers=bearer).status_code == 200


def test_a_user_token_ends_with_the_password_it_was_issued_for(settings: Settings) -> None:
    with sites_app(settings) as client:
        token = client.post(
            "/oauth2/v1/token", data={"grant_type": "password", "username": "alice", "password": "secret-pw"}
        )
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert client.get(f"{API}/sites", headers=bearer).status_code == 200
        UserStore(app_engine(client).db).add(
            "alice", "a-new-secret"
        )  # `sitejobs users add alice --password …`
        refused = assert_error(client.get(f"{API}/sites", headers=bearer), 401)
        assert "new password" in refused["detail"]
        again = client.post(
            "/oauth2/v1/token",
            data={"grant_type": "password", "username": "alice", "password": "a-new-secret"},
        )
        renewed = {"Authorization": f"Bearer {again.json()['access_token']}"}
        assert client.get(f"{API}/sites", headers=renewed).status_code == 200


def test_bad_requests_get_400_and_leave_nothing_behind(settings: Settings) -> None:
    with sites_app(settings) as client:
        site_id = create_site(client, "Stable")
        engine = app_engine(client)
        before = sum(engine.count_by_state().values())
        cases = [
            client.get(f"{API}/sites/_status/1?return=everything", headers=ALICE),
            client.get(f"{API}/sites/_status/1?expand=nonsense", headers=ALICE),
            client.get(f"{API}/sites/_status/1/pages?limit=0", headers=ALICE),
            client.get(f"{API}/sites/_status/1/pages?q=status%20eq", headers=ALICE),
            client.get(f"{API}/sites?offset=-1", headers=ALICE),
            client.post(
                f"{API}/sites", content=b"{not json", headers={**ALICE, "Content-Type": "application/json"}
            ),
            client.post(f"{API}/sites", json={"name": "X"}, headers=ALICE),
            client.post(f"{API}/sites", json={"name": "../evil", "template": "T"}, headers=ALICE),
            client.post(f"{API}/sites", json={"name": "Y", "template": "T", "extra": 1}, headers=ALICE),
            client.post(
                f"{API}/sites/{site_id}/translate", json={"name": "t", "targetLanguages": "fr"}, headers=ALICE
            ),
            client.post(f"{API}/sites/{site_id}/publish", json={"type": "sideways"}, headers=ALICE),
        ]
        for response in cases:
            assert_error(response, 400)
        assert sum(engine.count_by_state().values()) == before
        assert_error(client.post(f"{API}/sites", json={"name": "Z", "template": "nope"}, headers=ALICE), 404)


def test_non_json_accept_is_406(settings: Settings) -> None:
    with sites_app(settings) as client:
        assert_error(client.get(f"{API}/sites", headers={**ALICE, "Accept": "text/html"}), 406)
        assert client.get(f"{API}/sites", headers={**ALICE, "Accept": "application/json"}).status_code == 200
        assert client.get(f"{API}/sites", headers={**ALICE, "Accept": "*/*"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "served"),
    [
        (f"{API}/sites", 200),
        # After the first poll, the status read knows the caller by the header alone: it must still count it.
        (f"{API}/sites/_status/4242", 404),
    ],
    ids=["sites", "status-polls"],
)
def test_too_many_requests_is_429_with_retry_after(settings: Settings, path: str, served: int) -> None:
    prepare(settings)
    settings.oce_rate_per_second = 0.5
    settings.oce_rate_burst = 3
    with TestClient(create_app(settings, executor=False)) as client:
        answers = [client.get(path, headers=ALICE) for _ in range(5)]
        assert [a.status_code for a in answers[:3]] == [served] * 3
        limited = assert_error(answers[3], 429)
        assert int(answers[3].headers["Retry-After"]) >= 1
        assert limited["o:errorCode"]
        # The limit is per user: another user is still served.
        assert client.get(path, headers=BOB).status_code == served


def test_only_the_owner_of_an_uploaded_file_may_import_it(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Translated")
        uploaded = client.post(
            "/documents/api/1.2/files/data",
            files={"primaryFile": ("t.zip", b"PK\x05\x06" + b"\0" * 18, "application/zip")},
            headers=ALICE,
        )
        assert uploaded.status_code == 201, uploaded.text
        file_id = uploaded.json()["id"]
        store = ContentStore(app_engine(client).db, settings.content_dir)
        site = store.site("name:Translated")
        assert site is not None
        store.share(site.id, "bob", "contributor")
        for path in ("/sites/_importTranslations", "/sites/name:Translated/importTranslations"):
            refused = client.post(f"{API}{path}", json={"translationImportFile": file_id},
                                  headers={**BOB, "Prefer": "respond-async"})  # fmt: skip
            assert_error(refused, 404)
        # Its owner may: the job then judges the (empty) zip and fails with a clear error.
        location = start(
            client, "/sites/name:Translated/importTranslations", {"translationImportFile": file_id}, ALICE
        )
        ended = wait_status(client, location, ALICE)
        assert ended["progress"] == "failed"
        assert ended["error"]["o:errorCode"] == "OCE-SITEMGMT-009909"
        assert "translation zip" in ended["error"]["detail"]
