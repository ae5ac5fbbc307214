"""Two API servers and two Celery worker machines behind one PostgreSQL database, one Redis and one files
directory, each node with a data dir of its own: the real sfcc-ci and the cec toolkit's create-site and publish
sequence pass through them, as a team would run them, whichever node each call reaches."""

from __future__ import annotations

import os
import secrets
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import State
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from tests.api.oce.sites_client import API, ASYNC, basic_auth, poll_like_the_toolkit, prepare
from tests.clients.test_sfcc_ci import NODE_HELP, SFCC_CI, SfccCi, execution_id
from tests.conftest import CLIENT_ID, CLIENT_SECRET, ServerProcess, add_client, cli_env, wait_for
from tests.engine.celery_cluster import BROKERS, check_broker
from tests.sites.commerce.helpers import fixture_entries, write_zip

pytestmark = pytest.mark.postgres


class Cluster:
    def __init__(self, tmp_path: Path, database_url: str) -> None:
        queue = f"sitejobs-test-{secrets.token_hex(4)}"
        self.nodes = {
            name: Settings(
                data_dir=tmp_path / name,
                files_dir=tmp_path / "shared-files",
                database_url=database_url,
                executor="celery",
                broker_url=BROKERS["celery-redis"],
                celery_queue=queue,
                lease_seconds=5.0,
                reap_seconds=1.0,
                oce_poll_interval_ms=50,
            )
            for name in ("api-a", "api-b", "worker-1", "worker-2")
        }
        for settings in self.nodes.values():
            settings.ensure_dirs()
        self.api = [ServerProcess.https(self.nodes["api-a"]), ServerProcess.https(self.nodes["api-b"])]
        self.workers: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        for server in self.api:
            server.start()
        for name in ("worker-1", "worker-2"):
            settings = self.nodes[name]
            with (settings.data_dir / "worker.log").open("ab") as log:
                self.workers.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "sitejobs", "worker", "--concurrency", "2"],
                        env={**os.environ, **cli_env(settings)},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        engine = self.engine()
        try:
            wait_for(
                lambda: sum(w["kind"] == "celery" for w in engine.live_workers()) >= 4,
                90,
                "four Celery worker processes",
                interval=0.2,
            )
        finally:
            engine.close()

    def engine(self) -> JobEngine:
        return JobEngine.open(self.nodes["api-a"], default_registry())

    def stop(self) -> None:
        for proc in self.workers:
            proc.terminate()
        for proc in self.workers:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for server in self.api:
            server.kill()


@pytest.fixture
def cluster(tmp_path: Path, database_url: str) -> Iterator[Cluster]:
    if shutil.which("node") is None or not SFCC_CI.exists():
        pytest.fail(NODE_HELP, pytrace=False)
    check_broker(BROKERS["celery-redis"], "celery-redis")
    made = Cluster(tmp_path, database_url)
    add_client(made.nodes["api-a"])  # into the database: every node knows it
    prepare(made.nodes["worker-1"])  # users and templates: in the database and the shared files dir
    made.start()
    yield made
    made.stop()


def ran_on_a_celery_worker(engine: JobEngine, execution_id: int) -> str:
    workers = {w["id"] for w in engine.live_workers() if w["kind"] == "celery"}
    claimed = [e["worker"] for e in engine.events(execution_id) if e["to_state"] == State.RUNNING.value]
    assert claimed, engine.events(execution_id)
    assert claimed[-1] in workers, (claimed, workers)
    return str(claimed[-1])


def test_sfcc_ci_and_cec_through_two_api_nodes_and_two_celery_workers(
    cluster: Cluster, tmp_path: Path
) -> None:
    a, b = cluster.api
    bundle = tmp_path / "both-certs.pem"  # each API node made its own certificate
    bundle.write_text("".join(s.cafile.read_text() for s in cluster.api if s.cafile))
    tls = ssl.create_default_context(cafile=str(bundle))
    home = tmp_path / "home"
    home.mkdir()
    on_a, on_b = SfccCi(a, home), SfccCi(b, home)
    for client in (on_a, on_b):
        client.server.cafile = bundle
    # sfcc-ci takes its token from node A (SFCC_LOGIN_URL) and uses it on node B
    assert "Authentication succeeded" in on_a.ok("client:auth", CLIENT_ID, CLIENT_SECRET, on_instance=False)
    archive = write_zip(tmp_path / "work", "site.zip", fixture_entries())
    on_b.upload(archive)  # into the shared files dir, through node B
    imported = on_a.ok("instance:import", archive.name, "--sync")  # run by a worker, polled on node A
    assert "finished" in imported.lower() or "ok" in imported.lower(), imported
    ran = on_b.ok("job:run", "hello-world", "Seconds=1", "--sync")
    engine = cluster.engine()
    try:
        for text in (imported, ran):
            execution = engine.get(int(execution_id(text)))
            assert execution is not None
            assert execution.state is State.SUCCEEDED, (execution.exit_code, execution.exit_message)
            ran_on_a_celery_worker(engine, execution.id)
        # the worker's log, read over WebDAV from either API node
        hello = engine.get(int(execution_id(ran)))
        assert hello is not None
        log_path = "/on/demandware.servlet/webdav/Sites/LOGS/jobs/hello-world"
        token = httpx.post(
            f"{b.url}/dwsso/oauth2/access_token",
            data={"grant_type": "client_credentials"},
            auth=(CLIENT_ID, CLIENT_SECRET),
            verify=tls,
        ).json()["access_token"]
        names = {
            s.port: httpx.get(
                f"{s.url}/s/-/dw/data/v23_2/jobs/hello-world/executions/{hello.id}",
                headers={"Authorization": f"Bearer {token}"},
                verify=tls,
            ).json()["log_file_name"]
            for s in (a, b)
        }
        name = names[a.port]
        for server in (a, b):
            log = httpx.get(
                f"{server.url}{log_path}/{name}",
                headers={"Authorization": f"Bearer {token}"},
                verify=tls,
            )
            assert log.status_code == 200, log.text
            assert "Hello, world" in log.text

        # cec create-site on node A, polled there, published through node B, served by node A
        auth = basic_auth("alice")
        template = httpx.get(
            f"{a.url}{API}/templates/name:StarterTemplate?links=none", headers=auth, verify=tls
        )
        assert template.status_code == 200, template.text
        with httpx.Client(verify=tls, timeout=30) as http:
            created = http.post(
                f"{a.url}{API}/sites",
                headers={**auth, **ASYNC},
                json={"name": "ClusterSite", "template": template.json()["id"], "description": ""},
            )
            assert created.status_code == 202, created.text
            status = poll_like_the_toolkit(http, created.headers["Location"], auth)
            ran_on_a_celery_worker(engine, int(status["context"]))
            published = http.post(
                f"{b.url}{API}/sites/name:ClusterSite/publish", headers={**auth, **ASYNC}, json={}
            )
            assert published.status_code == 202, published.text
            location = published.headers["Location"].replace(b.url, a.url)  # the same job, read on node A
            poll_like_the_toolkit(http, location, auth)
            online = http.post(f"{a.url}{API}/sites/name:ClusterSite/activate", headers=auth)
            assert online.status_code in (200, 202), online.text
            page = http.get(f"{a.url}/site/ClusterSite/")
            assert page.status_code == 200, page.text
            assert "<html" in page.text.lower()
    finally:
        engine.close()
