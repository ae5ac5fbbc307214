"""An oversized request to the dashboard is answered by the dashboard: a 413 HTML page, not an API's fault."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
from starlette.testclient import TestClient

from tests.dashboard.conftest import server_state, sign_in


def _assert_html_413(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"].startswith("text/html"), response.headers["content-type"]
    assert "<h1>413</h1>" in response.text  # the dashboard's error page
    assert "exceeds the limit" in response.text


def test_a_declared_oversized_post_under_ui_gets_the_dashboards_413_page(ui: TestClient) -> None:
    csrf = sign_in(ui, "alice")
    limit: int = server_state(ui).settings.max_body_bytes
    response = ui.post("/ui/jobs/hello-world", data={"csrf": csrf, "Seconds": "1", "pad": "x" * limit})
    _assert_html_413(response)


def test_a_streamed_oversized_post_under_ui_gets_the_dashboards_413_page(ui: TestClient) -> None:
    """No Content-Length: the limit trips while the dashboard reads the form."""
    csrf = sign_in(ui, "alice")
    limit: int = server_state(ui).settings.max_body_bytes

    def body() -> Iterator[bytes]:
        yield f"csrf={csrf}&Seconds=1&pad=".encode()
        for _ in range(limit // 65_536 + 2):
            yield b"x" * 65_536

    response = ui.post(
        "/ui/jobs/hello-world", content=body(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    _assert_html_413(response)
