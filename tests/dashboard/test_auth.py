"""Signing in and out, the session cookie, and the CSRF check on every state-changing request."""

from __future__ import annotations

from sqlalchemy import update
from starlette.testclient import TestClient

from sitejobs.auth.schema import ui_sessions
from sitejobs.auth.users import UserStore
from sitejobs.dashboard.session import COOKIE
from sitejobs.engine.models import now_ms
from sitejobs.engine.states import State
from tests.dashboard.conftest import USERS, csrf_of, row_ids, sign_in, ui_engine


def test_pages_send_a_stranger_to_the_sign_in_form_and_back(ui: TestClient) -> None:
    response = ui.get("/ui/executions?state=failed", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/executions%3Fstate%3Dfailed"
    form = ui.get(response.headers["location"])
    assert 'name="username"' in form.text
    assert 'name="password"' in form.text
    signed = ui.post(
        "/ui/login",
        data={
            "username": "alice",
            "password": "alice-password",
            "csrf": csrf_of(form),
            "next": "/ui/executions?state=failed",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/ui/executions?state=failed"


def test_a_wrong_password_is_refused_and_signs_no_one_in(ui: TestClient) -> None:
    form = ui.get("/ui/login")
    response = ui.post("/ui/login", data={"username": "alice", "password": "nope", "csrf": csrf_of(form)})
    assert response.status_code == 401
    assert "not correct" in response.text
    assert ui.get("/ui/executions", follow_redirects=False).status_code == 303


def test_sign_in_without_the_forms_csrf_token_is_refused(ui: TestClient) -> None:
    ui.get("/ui/login")
    response = ui.post(
        "/ui/login", data={"username": "alice", "password": "alice-password", "csrf": "forged"}
    )
    assert response.status_code == 403
    assert ui.get("/ui/executions", follow_redirects=False).status_code == 303


def test_after_sign_in_only_the_next_path_inside_the_dashboard_is_followed(ui: TestClient) -> None:
    form = ui.get("/ui/login")
    response = ui.post(
        "/ui/login",
        data={
            "username": "bob",
            "password": "bob-password",
            "csrf": csrf_of(form),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/ui/executions"


def test_sign_out_ends_the_session(ui: TestClient) -> None:
    csrf = sign_in(ui, "alice")
    assert ui.post("/ui/logout", data={"csrf": "wrong"}).status_code == 403
    assert ui.get("/ui/executions", follow_redirects=False).status_code == 200
    response = ui.post("/ui/logout", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert ui.get("/ui/executions", follow_redirects=False).status_code == 303


def test_a_tampered_session_cookie_is_not_a_session(ui: TestClient) -> None:
    sign_in(ui, "alice")
    value = ui.cookies[COOKIE]
    body, _, mac = value.partition(".")
    ui.cookies.clear()
    ui.cookies.set(COOKIE, body[:-2] + "xx." + mac, path="/ui")
    assert ui.get("/ui/executions", follow_redirects=False).status_code == 303


def test_actions_with_a_wrong_or_missing_csrf_token_are_refused_and_change_nothing(ui: TestClient) -> None:
    engine = ui_engine(ui)
    csrf = sign_in(ui, "ada")
    pending = engine.submit("hello-world", [("Seconds", "30")])
    before = len(row_ids(ui.get("/ui/executions")))
    for token in ("wrong", ""):
        for action in ("abort", "pause", "resume", "restart", "delete"):
            response = ui.post(f"/ui/executions/{pending.id}/{action}", data={"csrf": token})
            assert response.status_code == 403, (action, response.text)
        assert ui.post("/ui/jobs/hello-world", data={"Seconds": "1", "csrf": token}).status_code == 403
    assert ui.post(f"/ui/executions/{pending.id}/abort", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    current = engine.get(pending.id)
    assert current is not None
    assert current.state is State.PENDING
    assert len(row_ids(ui.get("/ui/executions"))) == before
    # and the right token does what was asked
    assert ui.post(f"/ui/executions/{pending.id}/abort", data={"csrf": csrf}).status_code == 200
    current = engine.get(pending.id)
    assert current is not None
    assert current.state is State.ABORTED


def test_the_session_cookie_is_http_only_strict_and_secure_over_https(ui: TestClient) -> None:
    plain = ui.get("/ui/login").headers["set-cookie"].lower()
    assert "httponly" in plain
    assert "samesite=strict" in plain
    assert "path=/ui" in plain
    assert "secure" not in plain
    assert "secure" in ui.get("https://testserver/ui/login").headers["set-cookie"].lower()


def test_a_copy_of_the_cookie_is_refused_once_the_session_signed_out(ui: TestClient) -> None:
    csrf = sign_in(ui, "alice")
    copied = ui.cookies[COOKIE]
    assert ui.post("/ui/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    # the copy is still signed and not yet 12 hours old: only the store knows it was signed out
    ui.cookies.clear()
    ui.cookies.set(COOKIE, copied, path="/ui")
    refused = ui.get("/ui/executions", follow_redirects=False)
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/ui/login")
    assert ui.get("/ui/executions/stream").status_code == 401
    assert ui.post("/ui/jobs/hello-world", data={"csrf": csrf, "Seconds": "1"}).status_code == 401
    assert ui_engine(ui).list_executions() == []


def test_signing_out_ends_only_that_session(ui: TestClient) -> None:
    sign_in(ui, "alice")
    other = ui.cookies[COOKIE]  # alice signed in elsewhere too
    csrf = sign_in(ui, "alice")
    assert ui.post("/ui/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    ui.cookies.set(COOKIE, other, path="/ui")
    assert ui.get("/ui/executions", follow_redirects=False).status_code == 200


def test_an_expired_session_goes_back_to_the_sign_in_form(ui: TestClient) -> None:
    sign_in(ui, "alice")
    assert ui.get("/ui/workers", follow_redirects=False).status_code == 200
    with ui_engine(ui).db.begin() as conn:  # its 12 hours are over (the cookie itself still says otherwise)
        conn.execute(update(ui_sessions).values(expires_at=now_ms() - 1))
    response = ui.get("/ui/workers", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login?next=/ui/workers"


def test_signing_in_again_ends_the_browsers_previous_session(ui: TestClient) -> None:
    sign_in(ui, "alice")
    previous = ui.cookies[COOKIE]
    form = ui.get("/ui/login")  # the same browser, still signed in, signs in again (as bob, say)
    again = ui.post(
        "/ui/login",
        data={"username": "bob", "password": USERS["bob"][0], "csrf": csrf_of(form)},
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert ui.get("/ui/executions", follow_redirects=False).status_code == 200
    ui.cookies.clear()
    ui.cookies.set(COOKIE, previous, path="/ui")
    assert ui.get("/ui/executions", follow_redirects=False).status_code == 303


def test_a_new_password_signs_the_user_out_everywhere(ui: TestClient) -> None:
    sign_in(ui, "alice")
    assert ui.get("/ui/executions", follow_redirects=False).status_code == 200
    UserStore(ui_engine(ui).db).add("alice", "a-new-password")  # `sitejobs users add alice --password …`
    assert ui.get("/ui/executions", follow_redirects=False).status_code == 303
    sign_in(ui, "bob")  # others stay signed in
    UserStore(ui_engine(ui).db).add("carol-new", "carol-password")
    assert ui.get("/ui/executions", follow_redirects=False).status_code == 200
