"""Wrong passwords cannot stall the server or reveal which names exist (issue 13, items 1 and 2).

- A password or secret check never runs on the event loop: while one is in progress (held at a gate inside the
  check), `/healthz` still answers.
- Failed attempts are throttled per account and per client address: 429 with `Retry-After` in each surface's
  own error shape; a user already working (whose credentials were verified a moment ago) is not shut out.
- An unknown name costs one scrypt, as a known name with a wrong password does.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import sitejobs.auth.clients
import sitejobs.auth.users
from sitejobs.auth.secrets import verify_secret_or_decoy
from sitejobs.auth.users import UserStore
from sitejobs.engine.service import JobEngine
from sitejobs.jobs.builtin import default_registry
from sitejobs.server import create_app
from sitejobs.settings import Settings
from tests.conftest import CLIENT_ID, CLIENT_SECRET, add_client, basic

API = "/sites/management/api/v1"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
USER, PASSWORD = "alice", "alice-password"
#: The safety net of the gate: a check held longer than this means the event loop was stuck behind it.
GATE_SECONDS = 20.0


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Authentication does not depend on the store's backend: SQLite only."""
    settings = Settings(
        data_dir=tmp_path / "data",
        auth_account_failures=5,
        auth_address_failures=12,
        # Slow enough to refill that no test run, however slow the machine, gets an attempt back.
        auth_account_failures_per_minute=0.001,
        auth_address_failures_per_minute=0.001,
    )
    settings.ensure_dirs()
    add_client(settings)
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    try:
        UserStore(engine.db).add(USER, PASSWORD)
        UserStore(engine.db).add("bob", "bob-password")
    finally:
        engine.close()
    return settings


@pytest.fixture
def app(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, executor=False)) as client:
        yield client


def client_token(app: TestClient, client_id: str, secret: str) -> Any:
    return app.post(
        "/dwsso/oauth2/access_token", content="grant_type=client_credentials",
        headers={**FORM, "Authorization": basic(client_id, secret)},
    )  # fmt: skip


def user_token(app: TestClient, name: str, password: str) -> Any:
    return app.post(
        "/oauth2/v1/token", data={"grant_type": "password", "username": name, "password": password}
    )


def oce_sites(app: TestClient, name: str, password: str) -> Any:
    return app.get(f"{API}/sites", headers={"Authorization": basic(name, password)})


# ---- never on the event loop ------------------------------------------------------------------------------------


class Gate:
    """Holds every secret check until opened, and says whether one ever had to give up waiting."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()
        self.gave_up = False

    def check(self, secret: str, stored: str | None) -> bool:
        self.entered.set()
        if not self.opened.wait(GATE_SECONDS):
            self.gave_up = True
        return verify_secret_or_decoy(secret, stored)


@pytest.mark.parametrize(
    "attempt",
    [
        pytest.param(lambda app: client_token(app, CLIENT_ID, "wrong-secret"), id="ocapi-token"),
        pytest.param(lambda app: user_token(app, USER, "wrong-password"), id="user-token"),
        pytest.param(lambda app: oce_sites(app, USER, "wrong-password"), id="oce-basic"),
    ],
)
def test_a_password_check_in_progress_does_not_hold_up_other_requests(
    app: TestClient, monkeypatch: pytest.MonkeyPatch, attempt: Callable[[TestClient], Any]
) -> None:
    gate = Gate()
    monkeypatch.setattr(sitejobs.auth.users, "verify_secret_or_decoy", gate.check)
    monkeypatch.setattr(sitejobs.auth.clients, "verify_secret_or_decoy", gate.check)
    answers: list[int] = []
    worker = threading.Thread(target=lambda: answers.append(attempt(app).status_code))
    worker.start()
    try:
        assert gate.entered.wait(GATE_SECONDS), "the check never started"
        # The check is held: were it on the event loop, nothing else could be answered until it gave up.
        assert app.get("/healthz").status_code == 200
        assert not gate.gave_up, "/healthz waited for the password check"
    finally:
        gate.opened.set()
        worker.join()
    assert answers
    assert answers[0] in (400, 401)


def test_concurrent_requests_with_the_same_credentials_share_one_check(
    app: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pipeline's pollers, when their remembered credentials expire together: one check, and none turned away
    # by the throttle (it allows 5 failures here; 10 checks charged at once would have exceeded it).
    gate = Gate()
    calls: list[str] = []

    def counted(secret: str, stored: str | None) -> bool:
        calls.append(secret)
        return gate.check(secret, stored)

    monkeypatch.setattr(sitejobs.auth.users, "verify_secret_or_decoy", counted)
    answers: list[int] = []
    pollers = [
        threading.Thread(target=lambda: answers.append(oce_sites(app, USER, PASSWORD).status_code))
        for _ in range(10)
    ]
    for poller in pollers:
        poller.start()
    try:
        assert gate.entered.wait(GATE_SECONDS), "the check never started"
        time.sleep(0.5)  # the others arrive while it is held
    finally:
        gate.opened.set()
        for poller in pollers:
            poller.join()
    assert answers == [200] * 10
    assert len(calls) == 1


# ---- throttled per account and per address ---------------------------------------------------------------------


def test_wrong_client_secrets_are_throttled_per_client_in_the_oauth_shape(app: TestClient) -> None:
    answers = [client_token(app, CLIENT_ID, f"wrong-{i}") for i in range(5)]
    assert {a.status_code for a in answers} == {401}
    throttled = client_token(app, CLIENT_ID, "wrong-again")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert throttled.json()["error"] == "temporarily_unavailable"
    # Even the right secret waits now: the throttle is decided before any scrypt is spent.
    assert client_token(app, CLIENT_ID, CLIENT_SECRET).status_code == 429
    # Another client id from the same address is still checked.
    assert client_token(app, "someone-else", "wrong").status_code == 401


def test_a_client_that_authenticated_before_the_attack_keeps_getting_tokens(app: TestClient) -> None:
    assert client_token(app, CLIENT_ID, CLIENT_SECRET).status_code == 200
    for i in range(8):
        client_token(app, CLIENT_ID, f"wrong-{i}")
    assert client_token(app, CLIENT_ID, "wrong-again").status_code == 429
    assert client_token(app, CLIENT_ID, CLIENT_SECRET).status_code == 200


def test_wrong_passwords_on_the_user_token_endpoint_are_throttled_in_the_oauth_shape(app: TestClient) -> None:
    answers = [user_token(app, USER, f"wrong-{i}") for i in range(5)]
    assert {a.status_code for a in answers} == {400}
    throttled = user_token(app, USER, "wrong-again")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert set(throttled.json()) == {"error", "error_description"}


def test_wrong_basic_passwords_on_sites_management_are_throttled_in_the_oce_shape(app: TestClient) -> None:
    assert oce_sites(app, USER, PASSWORD).status_code == 200  # alice is at work
    for i in range(5):
        assert oce_sites(app, USER, f"wrong-{i}").status_code == 401
    throttled = oce_sites(app, USER, "wrong-again")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    doc = throttled.json()
    assert doc["status"] == "429"
    assert doc["o:errorCode"]
    assert doc["detail"]
    # alice, verified a moment ago, is not shut out by the guesses at her name.
    assert oce_sites(app, USER, PASSWORD).status_code == 200


def test_one_address_guessing_at_many_names_is_throttled(app: TestClient) -> None:
    codes = [oce_sites(app, f"nobody-{i}", "guess").status_code for i in range(12)]
    assert set(codes) == {401}
    throttled = oce_sites(app, "nobody-else", "guess")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert client_token(app, "yet-another", "guess").status_code == 429


# ---- unknown names cost the same ---------------------------------------------------------------------------------


class ScryptCounter:
    def __init__(self) -> None:
        self.calls = 0
        self.real = hashlib.scrypt

    def __call__(self, *args: Any, **kwargs: Any) -> bytes:
        self.calls += 1
        return self.real(*args, **kwargs)


@pytest.mark.parametrize(
    ("attempt", "known", "unknown"),
    [
        (client_token, CLIENT_ID, "no-such-client"),
        (user_token, USER, "no-such-user"),
        (oce_sites, USER, "no-such-user"),
    ],
    ids=["ocapi-token", "user-token", "oce-basic"],
)
def test_an_unknown_name_costs_one_scrypt_like_a_known_one(
    app: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    attempt: Callable[[TestClient, str, str], Any],
    known: str,
    unknown: str,
) -> None:
    attempt(app, "warm-up-name", "warm-up")  # the decoy hash is made on first use
    counter = ScryptCounter()
    monkeypatch.setattr(hashlib, "scrypt", counter)
    first = attempt(app, known, "a-wrong-password")
    known_cost = counter.calls
    second = attempt(app, unknown, "a-wrong-password")
    assert first.status_code == second.status_code
    assert first.json() == second.json()
    assert known_cost == 1
    assert counter.calls - known_cost == 1
