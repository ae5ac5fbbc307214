"""Two `sitejobs serve` nodes sharing one PostgreSQL database: a session signed in on one is a session on the
other, and signing out on one ends it on both, open live pages included."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sitejobs.dashboard.session import COOKIE
from sitejobs.settings import Settings
from tests.conftest import ServerProcess
from tests.dashboard.conftest import add_users, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
#: Seconds a live stream may take to say the session was signed out (the feed reads once a second).
STREAM_TIMEOUT = 20.0


@pytest.fixture
def nodes(settings: Settings, servers: list[ServerProcess]) -> tuple[ServerProcess, ServerProcess]:
    add_users(settings)
    for _ in range(2):  # both start at once, then both are waited for
        servers.append(ServerProcess(settings).start(wait_ready=False))
    for server in servers:
        server.wait_ready(timeout=60)
    return servers[0], servers[1]


@pytest.fixture
def clients(nodes: tuple[ServerProcess, ServerProcess]) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    with httpx.Client(base_url=nodes[0].url) as a, httpx.Client(base_url=nodes[1].url) as b:
        yield a, b


def as_cookie(value: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={value}"}


def events_until_signed_out(stream: httpx.Response) -> list[str]:
    """The event names the stream sends until it ends."""
    return [line.removeprefix("event: ") for line in stream.iter_lines() if line.startswith("event: ")]


def test_signing_out_on_one_node_refuses_the_copied_cookie_on_both(
    clients: tuple[httpx.Client, httpx.Client],
) -> None:
    a, b = clients
    csrf = sign_in(a, "alice")
    copied = a.cookies[COOKIE]
    stranger = httpx.Client(base_url=str(b.base_url), timeout=httpx.Timeout(10, read=STREAM_TIMEOUT))
    with stranger:
        assert (
            stranger.get("/ui/executions", headers=as_cookie(copied)).status_code == 200
        )  # one session, 2 nodes
        with stranger.stream("GET", "/ui/executions/stream", headers=as_cookie(copied)) as live:
            assert live.status_code == 200
            assert a.post("/ui/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
            events = events_until_signed_out(
                live
            )  # the open page on the other node is told, and its stream ends
        assert events[-1:] == ["signed-out"]
        for node in (a, stranger):
            refused = node.get("/ui/executions", headers=as_cookie(copied), follow_redirects=False)
            assert refused.status_code == 303, node.base_url
            assert refused.headers["location"].startswith("/ui/login")
