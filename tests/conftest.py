"""Shared fixtures. Every test that touches the store runs once on SQLite and once on PostgreSQL
(127.0.0.1:5432, trust, database `test`), each test in a schema of its own."""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from starlette.testclient import TestClient

from sitejobs.auth.clients import ALL_RESOURCES, ClientStore
from sitejobs.engine.db import create_store_engine, migrate
from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine
from sitejobs.jobs.builtin import default_registry
from sitejobs.server import create_app
from sitejobs.settings import Settings
from tests.timing import deadline_after

PG_ADMIN_URL = os.environ.get("SITEJOBS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_HELP = (
    "PostgreSQL is not reachable at 127.0.0.1:5432 (database 'test'). Start it with "
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or run only the SQLite half "
    "with `make test PYTEST_ARGS='--backend sqlite'`."
)
SMALL_DISK_HELP = (
    "The disk-full tests mount a small tmpfs, which needs root (or CAP_SYS_ADMIN), as `make test` has in CI"
)
CLIENT_ID, CLIENT_SECRET = "test-client", "test-secret"
T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "fixtures"


#: Executors the engine suites run on: in-process pools, and Celery on each broker (PostgreSQL only).
EXECUTOR_KINDS = ("local", "celery-redis", "celery-rabbitmq")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend", choices=("all", "sqlite", "postgresql"), default="all", help="store backends to test on"
    )
    parser.addoption(
        "--executor", choices=("all", *EXECUTOR_KINDS), default="all", help="executors to test the engine on"
    )
    parser.addoption("--soak", action="store_true", help="also run the long fault trials (marked `soak`)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The `soak` trials (100 kill -9s, say) run only when asked for: `make test PYTEST_ARGS=--soak`."""
    if config.getoption("--soak"):
        return
    soak = [item for item in items if item.get_closest_marker("soak") is not None]
    if soak:
        config.hook.pytest_deselected(items=soak)
        items[:] = [item for item in items if item.get_closest_marker("soak") is None]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    chosen = metafunc.config.getoption("--backend")
    backends = ["sqlite", "postgresql"] if chosen == "all" else [chosen]
    if metafunc.definition.get_closest_marker("postgres") is not None:
        backends = [b for b in backends if b == "postgresql"]
    if "executor_kind" in metafunc.fixturenames:
        kind = metafunc.config.getoption("--executor")
        kinds = EXECUTOR_KINDS if kind == "all" else (kind,)
        combos = [(b, k) for k in kinds for b in backends if k == "local" or b == "postgresql"]
        metafunc.parametrize(("backend", "executor_kind"), combos, ids=[f"{b}-{k}" for b, k in combos])
    elif "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backends, ids=backends)


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'sitejobs.db'}"
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    schema = f"t_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the server is down: say how to start it, never skip silently
        admin.dispose()
        pytest.fail(f"{PG_HELP} ({type(exc).__name__}: {exc})", pytrace=False)
    yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        poll_seconds=0.05,
        lease_seconds=3.0,
        reap_seconds=0.5,
        workers=4,
    )


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """For tests of a transport or a client rather than of the store: SQLite in the data directory only, and a
    client (CLIENT_ID, CLIENT_SECRET) granted everything."""
    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    add_client(settings)
    return settings


@pytest.fixture
def engine(settings: Settings) -> Iterator[JobEngine]:
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    yield engine
    engine.close()


def add_client(
    settings: Settings,
    client_id: str = CLIENT_ID,
    secret: str = CLIENT_SECRET,
    resources: list[dict[str, Any]] | None = None,
) -> None:
    """Add (or replace) a client in the settings' database, as `sitejobs clients add` does."""
    with store_db(settings) as db:
        ClientStore(db).add(client_id, secret, ALL_RESOURCES if resources is None else resources)


@contextlib.contextmanager
def store_db(settings: Settings) -> Iterator[Engine]:
    """The settings' database, migrated, for a test to read or write directly."""
    settings.ensure_dirs()
    db = create_store_engine(settings.resolved_database_url)
    try:
        migrate(db)
        yield db
    finally:
        db.dispose()


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_for(
    client: TestClient | httpx.Client, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET
) -> str:
    response = client.post(
        "/dwsso/oauth2/access_token",
        content="grant_type=client_credentials",
        headers={
            "Authorization": basic(client_id, secret),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    """The app in-process with its embedded executor, and a client authorized for everything."""
    add_client(settings)
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {token_for(client)}"
        yield client


def wait_for(probe: Callable[[], T | None], timeout: float, what: str, interval: float = 0.02) -> T:
    """Poll `probe` until it returns something truthy, failing after `timeout` seconds."""
    deadline = deadline_after(timeout)
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def current(engine: JobEngine, execution_id: int) -> Execution:
    execution = engine.get(execution_id)
    assert execution is not None, f"execution {execution_id} is gone"
    return execution


def until(
    engine: JobEngine, execution_id: int, predicate: Callable[[Execution], bool], timeout: float, what: str
) -> Execution:
    """The execution once `predicate` holds for it, polled for at most `timeout` seconds."""

    def probe() -> Execution | None:
        execution = current(engine, execution_id)
        return execution if predicate(execution) else None

    return wait_for(probe, timeout, what)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServerProcess:
    """`sitejobs serve` (or another command) in a subprocess, for tests that kill or restart it. With `cafile`
    the server speaks HTTPS, and is checked against that certificate (which it may write only as it starts)."""

    def __init__(
        self, settings: Settings, *args: str, port: int | None = None, cafile: Path | None = None
    ) -> None:
        self.settings = settings
        self.port = port or free_port()
        self.args = args or ("serve", "--port", str(self.port))
        self.cafile = cafile
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"{'https' if cafile else 'http'}://127.0.0.1:{self.port}"

    @classmethod
    def https(cls, settings: Settings) -> ServerProcess:
        """`sitejobs serve --tls`: HTTPS with the certificate it makes in DATA_DIR/tls."""
        port = free_port()
        cafile = settings.data_dir / "tls" / "cert.pem"
        return cls(settings, "serve", "--tls", "--port", str(port), port=port, cafile=cafile)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(cli_env(self.settings))
        return env

    def start(self, wait_ready: bool = True) -> ServerProcess:
        log_path = self.settings.data_dir / f"server-{self.port}.log"
        with log_path.open("ab") as log:  # closed here once the child has its own copy
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "sitejobs", *self.args],
                env=self.env(),
                stdout=log,
                stderr=log,
            )
        if wait_ready:
            self.wait_ready()
        return self

    def verify(self) -> ssl.SSLContext | bool:
        """What a client checks this server's certificate with."""
        if self.cafile is None:
            return True
        return ssl.create_default_context(cafile=str(self.cafile))

    def wait_ready(self, url: str | None = None, timeout: float = 30) -> httpx.Response:
        """The first 200 answer of `url` (this server's /readyz when not given)."""
        deadline = deadline_after(timeout)
        while True:
            try:
                response = httpx.get(url or self.url + "/readyz", verify=self.verify(), timeout=2)
                if response.status_code == 200:
                    return response
            except (httpx.HTTPError, OSError):  # not listening yet, or its certificate not written yet
                pass
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not become ready: {self.log_text()}")
            time.sleep(0.1)

    def log_text(self) -> str:
        path = self.settings.data_dir / f"server-{self.port}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def terminate(self) -> int:
        assert self.proc is not None
        self.proc.terminate()
        return self.proc.wait(30)


def sitejobs_cli(
    settings: Settings, *args: str, env: dict[str, str] | None = None, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    """The `sitejobs` command as a user runs it, on the settings' store."""
    full_env = {**os.environ, **cli_env(settings), "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sitejobs", *args],
        env=full_env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def cli_env(settings: Settings) -> dict[str, str]:
    env = {
        "SITEJOBS_DATA_DIR": str(settings.data_dir),
        "SITEJOBS_DATABASE_URL": settings.resolved_database_url,
        "SITEJOBS_POLL_SECONDS": str(settings.poll_seconds),
        "SITEJOBS_LEASE_SECONDS": str(settings.lease_seconds),
        "SITEJOBS_REAP_SECONDS": str(settings.reap_seconds),
    }
    if settings.jobs_module:
        env["SITEJOBS_JOBS_MODULE"] = settings.jobs_module
    if settings.files_dir is not None:
        env["SITEJOBS_FILES_DIR"] = str(settings.files_dir)
    if settings.executor != "local":
        env["SITEJOBS_EXECUTOR"] = settings.executor
        env["SITEJOBS_BROKER_URL"] = settings.broker_url
        env["SITEJOBS_CELERY_QUEUE"] = settings.celery_queue
        env["SITEJOBS_REDISPATCH_SECONDS"] = str(settings.redispatch_seconds)
    if settings.oce_poll_interval_ms != Settings.model_fields["oce_poll_interval_ms"].default:
        env["SITEJOBS_OCE_POLL_INTERVAL_MS"] = str(settings.oce_poll_interval_ms)
    return env


@pytest.fixture
def servers(settings: Settings) -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.kill()


@pytest.fixture
def small_disk() -> Iterator[Callable[[Path, int], Path]]:
    """`mount(folder, size)`: a tmpfs of `size` bytes over `folder`, a real disk that fills (ENOSPC); unmounted
    after the test."""
    mounted: list[Path] = []

    def mount(folder: Path, size: int) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        command = ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "sitejobs-test", str(folder)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            pytest.fail(f"{SMALL_DISK_HELP}: {result.stderr.strip()}", pytrace=False)
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
            subprocess.run(["umount", "--lazy", str(folder)], check=True)  # still open somewhere: detach it
