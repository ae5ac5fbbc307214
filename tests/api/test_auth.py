"""The token endpoint, bearer tokens on the Data API, and per-client permissions in the OCAPI settings form."""

from __future__ import annotations

import base64
import json
import math
import re
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from sitejobs.auth.clients import JOB_RESOURCES, RELOAD_CHECK_SECONDS, ClientStore
from sitejobs.auth.schema import clients
from sitejobs.auth.tokens import ISSUER, DatabaseKeys, SubjectKind, TokenIssuer
from sitejobs.server import create_app
from sitejobs.settings import Settings
from tests.api.conftest import V, assert_fault, params, stored_count
from tests.conftest import CLIENT_ID, CLIENT_SECRET, add_client, basic, store_db, token_for
from tests.timing import TIME_SCALE, deadline_after

TOKEN_URL = "/dwsso/oauth2/access_token"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
GRANT = "grant_type=client_credentials"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Authentication does not touch the store's backend: these tests run on SQLite only."""
    return Settings(data_dir=tmp_path / "data", poll_seconds=0.05, lease_seconds=3.0, reap_seconds=0.5)


@pytest.fixture
def app(settings: Settings) -> Any:
    add_client(settings)
    with TestClient(create_app(settings, executor=False)) as client:
        yield client


# ---- the token endpoint ----------------------------------------------------------------------------------------


def test_token_success_shape(app: TestClient) -> None:
    response = app.post(
        TOKEN_URL, content=GRANT, headers={**FORM, "Authorization": basic(CLIENT_ID, CLIENT_SECRET)}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers.get("cache-control") == "no-store"
    doc = response.json()
    assert set(doc) == {"access_token", "token_type", "expires_in", "scope"}
    assert doc["token_type"] == "Bearer"
    assert doc["expires_in"] == 1799
    assert isinstance(doc["scope"], str)
    token = doc["access_token"]
    parts = token.split(".")
    assert len(parts) == 3, token  # JWT-shaped: header.payload.signature, base64url
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", p) for p in parts), token
    claims = _claims(token)
    assert claims["sub"] == CLIENT_ID
    assert claims["exp"] - claims["iat"] == 1799
    assert CLIENT_SECRET not in token
    # and it works on the Data API
    assert app.post(f"{V}/jobs/noop/executions", headers=_bearer(token)).status_code == 202


def test_each_token_is_new(app: TestClient) -> None:
    assert token_for(app) != token_for(app)


def test_credentials_in_the_form_are_accepted(app: TestClient) -> None:
    response = app.post(TOKEN_URL, content=f"{GRANT}&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}",
                        headers=FORM)  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "Bearer"


def test_bad_client_credentials_are_invalid_client(app: TestClient) -> None:
    for authorization in [
        basic(CLIENT_ID, "wrong-secret"),
        basic(CLIENT_ID, ""),
        basic("no-such-client", CLIENT_SECRET),
        basic(CLIENT_ID.upper(), CLIENT_SECRET),
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
        "Bearer something",
        None,
    ]:
        headers = dict(FORM)
        if authorization is not None:
            headers["Authorization"] = authorization
        response = app.post(TOKEN_URL, content=GRANT, headers=headers)
        assert response.status_code == 401, (authorization, response.text)
        assert response.json()["error"] == "invalid_client"
        assert "access_token" not in response.json()
        assert response.headers["www-authenticate"].lower().startswith("basic")
    wrong_form = app.post(
        TOKEN_URL, content=f"{GRANT}&client_id={CLIENT_ID}&client_secret=nope", headers=FORM
    )
    assert wrong_form.status_code == 401
    assert wrong_form.json()["error"] == "invalid_client"


def test_a_missing_or_other_grant_type_is_400(app: TestClient) -> None:
    for body in ["", "grant_type=password", "grant_type=", "scope=mail", "\xff\xfe"]:
        response = app.post(
            TOKEN_URL, content=body, headers={**FORM, "Authorization": basic(CLIENT_ID, CLIENT_SECRET)}
        )
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"] in ("unsupported_grant_type", "invalid_request")


def test_the_token_endpoint_takes_only_post(app: TestClient) -> None:
    response = app.get(TOKEN_URL)
    assert response.status_code == 405
    assert "Traceback" not in response.text


def test_secrets_are_stored_hashed(settings: Settings, app: TestClient) -> None:
    add_client(settings, "second-client", "a-very-particular-secret")
    with store_db(settings) as db, db.connect() as conn:
        rows = conn.execute(select(clients)).all()
    text = repr(rows)
    assert CLIENT_SECRET not in text
    assert "a-very-particular-secret" not in text
    hashes = {r.client_id: r.secret_hash for r in rows}
    assert set(hashes) == {CLIENT_ID, "second-client"}
    assert all(h.startswith("scrypt$") for h in hashes.values())
    # a client added while the server runs can log in at once, with its secret only
    assert token_for(app, "second-client", "a-very-particular-secret")
    bad = app.post(
        TOKEN_URL, content=GRANT, headers={**FORM, "Authorization": basic("second-client", CLIENT_SECRET)}
    )
    assert bad.status_code == 401


# ---- bearer tokens on the Data API -----------------------------------------------------------------------------


def test_a_missing_or_malformed_bearer_is_401(app: TestClient) -> None:
    for authorization in [
        None, "", "Bearer", "Bearer ", "Token abc", basic(CLIENT_ID, CLIENT_SECRET), "Bearer not-a-jwt", "Bearer a.b.c",
    ]:  # fmt: skip
        headers = {} if authorization is None else {"Authorization": authorization}
        for method, path, body in (
            ("POST", f"{V}/jobs/noop/executions", None),
            ("GET", f"{V}/jobs/noop/executions/1", None),
            ("DELETE", f"{V}/jobs/noop/executions/1", None),
            ("POST", f"{V}/job_execution_search", {"query": {"match_all_query": {}}}),
        ):
            response = app.request(method, path, json=body, headers=headers)
            assert_fault(response, 401, "InvalidAccessTokenException")
            assert response.headers["www-authenticate"].lower().startswith("bearer")
    assert stored_count(app) == 0


def _signing_key(settings: Settings) -> tuple[str | None, bytes]:
    with store_db(settings) as db:
        key = DatabaseKeys(db).signing_key()
    return key.kid, key.secret


def _forgeries(settings: Settings, genuine: str) -> dict[str, str]:
    kid, secret = _signing_key(settings)
    now = int(time.time())
    claims = {"sub": CLIENT_ID, "knd": "client", "iss": ISSUER, "iat": now, "exp": now + 600, "jti": "x"}
    header, payload, signature = genuine.split(".")
    tampered = _b64url(json.dumps({**_claims(genuine), "sub": "someone-else"}).encode())
    none_header = _b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    signed = {"kid": kid}
    return {
        "other key": jwt.encode(claims, b"k" * 32, algorithm="HS256", headers=signed),
        "no kid": jwt.encode(claims, secret, algorithm="HS256"),
        "unknown kid": jwt.encode(claims, secret, algorithm="HS256", headers={"kid": "0" * 16}),
        "tampered payload": f"{header}.{tampered}.{signature}",
        "alg none": f"{none_header}.{payload}.",
        "no signature": f"{header}.{payload}.",
        "other issuer": jwt.encode({**claims, "iss": "elsewhere"}, secret, algorithm="HS256", headers=signed),
        "no expiry": jwt.encode({k: v for k, v in claims.items() if k != "exp"}, secret, algorithm="HS256",
                                headers=signed),
    }  # fmt: skip


def test_forged_tokens_are_refused(settings: Settings, app: TestClient) -> None:
    genuine = token_for(app)
    assert app.post(f"{V}/jobs/noop/executions", headers=_bearer(genuine)).status_code == 202
    for name, forged in _forgeries(settings, genuine).items():
        response = app.post(f"{V}/jobs/noop/executions", headers=_bearer(forged))
        assert response.status_code == 401, (name, response.text)
        assert_fault(response, 401, "InvalidAccessTokenException")
    assert stored_count(app) == 1


def test_an_expired_token_is_refused(settings: Settings, app: TestClient) -> None:
    with store_db(settings) as db:
        keys = DatabaseKeys(db)
        expired = TokenIssuer(keys, ttl_seconds=-5).issue(CLIENT_ID, SubjectKind.CLIENT)
        fresh = TokenIssuer(keys, ttl_seconds=60).issue(
            CLIENT_ID, SubjectKind.CLIENT
        )  # only the expiry differs
    assert app.post(f"{V}/jobs/noop/executions", headers=_bearer(fresh)).status_code == 202
    fault = assert_fault(app.post(f"{V}/jobs/noop/executions", headers=_bearer(expired)), 401,
                         "InvalidAccessTokenException")  # fmt: skip
    assert "expired" in fault["message"]


def test_a_token_that_worked_stops_working_when_it_expires(settings: Settings) -> None:
    # Long enough that a loaded machine still gets its first use in; a 1 s lifetime failed in CI.
    settings.token_ttl_seconds = math.ceil(3 * TIME_SCALE)
    add_client(settings)
    with TestClient(create_app(settings, executor=False)) as client:
        token = token_for(client)
        assert client.post(f"{V}/jobs/noop/executions", headers=_bearer(token)).status_code == 202
        deadline = deadline_after(settings.token_ttl_seconds + 10)
        while True:
            response = client.post(f"{V}/jobs/noop/executions", headers=_bearer(token))
            if response.status_code != 202 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert_fault(response, 401, "InvalidAccessTokenException")


def test_a_removed_clients_token_is_refused(settings: Settings, app: TestClient) -> None:
    add_client(settings, "short-lived", "short-secret")
    token = token_for(app, "short-lived", "short-secret")
    assert app.post(f"{V}/jobs/noop/executions", headers=_bearer(token)).status_code == 202
    with store_db(settings) as db:
        assert ClientStore(db).remove("short-lived")  # as another node would
    # The server re-reads the clients at most once per RELOAD_CHECK_SECONDS.
    deadline = deadline_after(RELOAD_CHECK_SECONDS + 2)
    response = app.post(f"{V}/jobs/noop/executions", headers=_bearer(token))
    while response.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.1)
        response = app.post(f"{V}/jobs/noop/executions", headers=_bearer(token))
    assert_fault(response, 401, "InvalidAccessTokenException")


# ---- permissions -----------------------------------------------------------------------------------------------


def _client(
    app: TestClient, settings: Settings, client_id: str, resources: list[dict[str, Any]]
) -> dict[str, str]:
    add_client(settings, client_id, f"{client_id}-secret", resources)
    return _bearer(token_for(app, client_id, f"{client_id}-secret"))


def test_a_client_without_get_may_start_but_not_read(settings: Settings, app: TestClient) -> None:
    poster = _client(app, settings, "poster", [
        {"resource_id": "/jobs/*/executions", "methods": ["post"], "read_attributes": "(**)",
         "write_attributes": "(**)"},
    ])  # fmt: skip
    response = app.post(f"{V}/jobs/hello-world/executions", json=params(Seconds="1"), headers=poster)
    assert response.status_code == 202, response.text
    doc = response.json()
    assert doc["client_id"] == "poster"
    url = f"{V}/jobs/hello-world/executions/{doc['id']}"
    for method in ("GET", "DELETE"):
        fault = assert_fault(app.request(method, url, headers=poster), 403, "ClientAccessForbiddenException")
        assert fault["arguments"]["clientId"] == "poster"
    search = app.post(f"{V}/job_execution_search", json={"query": {"match_all_query": {}}}, headers=poster)
    assert_fault(search, 403, "ClientAccessForbiddenException")
    assert stored_count(app) == 1


def test_a_client_restricted_to_one_job(settings: Settings, app: TestClient) -> None:
    hello = _client(app, settings, "hello-only", [
        {"resource_id": "/jobs/hello-world/executions", "methods": ["post"]},
        {"resource_id": "/jobs/hello-world/executions/*", "methods": ["get"]},
    ])  # fmt: skip
    doc = app.post(f"{V}/jobs/hello-world/executions", headers=hello).json()
    assert doc["status"] == "PENDING"
    assert app.get(f"{V}/jobs/hello-world/executions/{doc['id']}", headers=hello).status_code == 200
    for job in ("noop", "sfcc-site-archive-import", "no-such-job"):
        response = app.post(f"{V}/jobs/{job}/executions", json={"file_name": "a.zip"}, headers=hello)
        assert_fault(response, 403, "ClientAccessForbiddenException")
    assert stored_count(app) == 1
    # reading another job's execution is forbidden too, even with a matching id
    response = app.get(f"{V}/jobs/noop/executions/{doc['id']}", headers=hello)
    assert_fault(response, 403, "ClientAccessForbiddenException")


def test_methods_are_matched_case_insensitively(settings: Settings, app: TestClient) -> None:
    upper = _client(app, settings, "upper", [{"resource_id": "/jobs/*/executions", "methods": ["POST"]}])
    assert app.post(f"{V}/jobs/noop/executions", headers=upper).status_code == 202


def test_the_job_resources_are_what_sfcc_ci_needs(settings: Settings, app: TestClient) -> None:
    jobs = _client(app, settings, "jobs-client", JOB_RESOURCES)
    doc = app.post(f"{V}/jobs/noop/executions", headers=jobs).json()
    assert app.get(f"{V}/jobs/noop/executions/{doc['id']}", headers=jobs).status_code == 200
    search = app.post(f"{V}/job_execution_search", json={"query": {"match_all_query": {}}}, headers=jobs)
    assert search.status_code == 200
    assert search.json()["total"] == 1


def test_a_client_with_no_resources_may_do_nothing(settings: Settings, app: TestClient) -> None:
    add_client(settings, "nothing", "nothing-secret", [])
    nothing = _bearer(token_for(app, "nothing", "nothing-secret"))
    assert_fault(
        app.post(f"{V}/jobs/noop/executions", headers=nothing), 403, "ClientAccessForbiddenException"
    )
    assert stored_count(app) == 0
