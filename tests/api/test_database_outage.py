"""A PostgreSQL that stops answering, then goes away, then comes back (issue 13, item 4).

The test puts a small TCP proxy of its own, on a free port, between the server and the machine's PostgreSQL
(which it never touches), and freezes the proxy (it stops forwarding, connections stay open: a database that
does not answer), kills it (connections reset, new ones refused), and starts it again. Meanwhile both APIs answer
503 with `Retry-After` in their own error shape, `/readyz` says not ready, nothing hangs, and the server
recovers by itself.
"""

from __future__ import annotations

import contextlib
import gc
import secrets
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from sitejobs.auth.users import UserStore
from sitejobs.engine.service import JobEngine
from sitejobs.jobs.builtin import default_registry
from sitejobs.server import create_app
from sitejobs.settings import Settings
from tests.conftest import PG_ADMIN_URL, PG_HELP, add_client, free_port, token_for, wait_for
from tests.dashboard.conftest import csrf_of

V = "/s/-/dw/data/v23_2"
API = "/sites/management/api/v1"
#: The safety net of every request here: an answer that takes longer means the server hung.
HANG_SECONDS = 20.0
T = TypeVar("T")


class Proxy:
    """Forwards 127.0.0.1:`port` to PostgreSQL; `freeze()` stops forwarding, `kill()` drops everything."""

    def __init__(self, port: int, upstream: tuple[str, int]) -> None:
        self.port = port
        self.upstream = upstream
        self.frozen = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                while self.frozen.is_set():  # hold what was read: the database "does not answer"
                    time.sleep(0.05)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            source.close()

    def freeze(self) -> None:
        self.frozen.set()

    def thaw(self) -> None:
        self.frozen.clear()

    def kill(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread, frees the port
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.close()
        self.frozen.clear()


def answered(call: Callable[[], T]) -> T:
    """`call()`, failing the test (instead of hanging it) if the server does not answer in HANG_SECONDS."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(call())
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(HANG_SECONDS)
    assert not worker.is_alive(), "the server did not answer: it hangs on the stuck database"
    if errors:
        raise errors[0]
    return results[0]


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    url = httpx.URL(PG_ADMIN_URL.replace("postgresql+psycopg", "http"))
    proxy = Proxy(free_port(), (url.host, url.port or 5432))
    proxy.start()
    yield proxy
    proxy.kill()


@pytest.fixture
def settings(tmp_path: Path, proxy: Proxy) -> Iterator[Settings]:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    schema = f"t_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        pytest.fail(f"{PG_HELP} ({type(exc).__name__}: {exc})", pytrace=False)
    base = PG_ADMIN_URL.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"{base}?options=-csearch_path%3D{schema}",
        database_request_timeout=1.5,
    )
    settings.ensure_dirs()
    add_client(settings)
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    try:
        UserStore(engine.db).add("alice", "alice-password", admin=True)
    finally:
        engine.close()
    yield settings
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def assert_ocapi_503(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["fault"]["type"] == "ServiceUnavailableException"


def assert_oce_503(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) >= 1
    doc = response.json()
    assert doc["status"] == "503"
    assert doc["o:errorCode"]


def test_a_stuck_then_gone_database_is_a_clean_503_and_the_server_recovers(
    settings: Settings, proxy: Proxy
) -> None:
    alice = httpx.BasicAuth("alice", "alice-password")
    with TestClient(create_app(settings, executor=False)) as client:
        bearer = {"Authorization": f"Bearer {token_for(client)}"}
        started = client.post(f"{V}/jobs/noop/executions", headers=bearer, json={})
        assert started.status_code == 202
        status_url = f"{V}/jobs/noop/executions/{started.json()['id']}"

        def everything_answers() -> bool:
            codes = [
                client.get("/readyz").status_code,
                client.get(status_url, headers=bearer).status_code,
                client.get(f"{API}/sites", auth=alice).status_code,
            ]
            return codes == [200, 200, 200]

        assert everything_answers()
        form = client.get("/ui/login")  # alice signs in to the dashboard too
        signed = client.post(
            "/ui/login",
            data={"username": "alice", "password": "alice-password", "csrf": csrf_of(form)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text

        proxy.freeze()
        try:
            # The dashboard's session check waits for the database off the event loop, under the deadline.
            assert answered(lambda: client.get("/ui/executions", follow_redirects=False)).status_code == 503
            assert_ocapi_503(answered(lambda: client.get(status_url, headers=bearer)))
            assert answered(lambda: client.get("/readyz")).status_code == 503
            assert_oce_503(answered(lambda: client.get(f"{API}/sites", auth=alice)))
            assert_ocapi_503(
                answered(lambda: client.post(f"{V}/jobs/noop/executions", headers=bearer, json={}))
            )
            assert answered(lambda: client.get("/healthz")).status_code == 200  # alive, not ready
        finally:
            proxy.thaw()
        wait_for(lambda: answered(everything_answers), 30, "recovery after the database answers again")

        proxy.kill()  # connections reset, new ones refused: 503, not 500
        assert_ocapi_503(answered(lambda: client.get(status_url, headers=bearer)))
        assert answered(lambda: client.get("/readyz")).status_code == 503
        wait_for(
            lambda: answered(lambda: client.get(f"{API}/sites", auth=alice)).status_code == 503, 10, "503"
        )
        assert_oce_503(answered(lambda: client.get(f"{API}/sites", auth=alice)))

        proxy.start()
        wait_for(lambda: answered(everything_answers), 30, "recovery after the database is back")
        assert client.post(f"{V}/jobs/noop/executions", headers=bearer, json={}).status_code == 202


#: The threads of a server's periodic re-reads of the database (auth.rereads.Reread).
REREAD_THREADS = ("sitejobs-clients", "sitejobs-users")


def test_a_server_shuts_down_while_the_database_has_stopped_answering(
    settings: Settings, proxy: Proxy
) -> None:
    # SIGTERM during a database stall: the server's background re-reads (clients, users) are stuck in a query,
    # and stopping must not wait for them.
    before = set(threading.enumerate())
    client = TestClient(create_app(settings, executor=False))
    client.__enter__()
    rereads = [t for t in threading.enumerate() if t not in before and t.name in REREAD_THREADS]
    assert len(rereads) == len(REREAD_THREADS)
    proxy.freeze()
    try:
        time.sleep(
            2.5
        )  # past the next re-read of the clients and of the users: both now wait on the database
        stopped = threading.Event()
        stopper = threading.Thread(
            target=lambda: (client.__exit__(None, None, None), stopped.set()), daemon=True
        )
        started = time.monotonic()
        stopper.start()
        assert stopped.wait(20), "the server did not shut down while the database was stalled"
        assert time.monotonic() - started < 10
    finally:
        proxy.thaw()
    # The abandoned reads end once the database answers; their connections belong to a pool the shutdown had
    # already let go of, and are closed by the garbage collector here rather than in a later test.
    # Only this server's: another test's server in this process may have left one of its own.
    wait_for(lambda: not any(t.is_alive() for t in rereads), 30, "the abandoned re-reads to end")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
