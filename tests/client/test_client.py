"""`sitejobs.client` against a live `sitejobs dev` (the demo template and archive installed): the OCAPI jobs
client and the Content Management client, sync and async, and their typed errors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sitejobs.client import (
    AsyncClient,
    AsyncContentClient,
    AuthenticationError,
    Client,
    ContentClient,
    ContentError,
    Execution,
    FaultError,
    JobStatus,
)
from sitejobs.settings import Settings
from tests.conftest import ServerProcess, free_port

CLIENT = ("dev-client", "dev-secret")
USER = ("dev-user", "dev-password")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("client") / "var")
    settings.ensure_dirs()
    port = free_port()
    process = ServerProcess(settings, "dev", "--port", str(port), port=port)
    try:
        yield process.start()
    finally:
        process.kill()


def test_start_wait_with_progress_search_log_and_delete(server: ServerProcess) -> None:
    seen: list[Execution] = []
    with Client(server.url, *CLIENT) as jobs:
        started = jobs.start("hello-world", Seconds=2)
        assert (started.job_id, started.status) == ("hello-world", "PENDING")
        done = jobs.wait(started, progress=seen.append, interval=0.2)
        assert done.ok
        assert done.exit_code == "OK"
        assert "RUNNING" in {s.status for s in seen}
        assert jobs.get(("hello-world", done.id)).document == done.document

        found = jobs.search({"term_query": {"fields": ["id"], "operator": "is", "values": [done.id]}})
        assert [h.id for h in found.hits] == [done.id]
        assert found.total == 1

        lines = list(jobs.follow_log(done, interval=0.2))
        assert lines
        assert any("hello" in line.lower() or "second" in line.lower() for line in lines), lines

        jobs.delete(done)
        with pytest.raises(FaultError) as caught:
            jobs.get(done)
        assert caught.value.status == 404
        assert caught.value.fault_type == "JobExecutionNotFoundException"
        assert caught.value.document["fault"]["type"] == "JobExecutionNotFoundException"


def test_a_system_job_with_its_body_and_abort(server: ServerProcess) -> None:
    with Client(server.url, *CLIENT) as jobs:
        imported = jobs.wait(
            jobs.start("sfcc-site-archive-import", body={"file_name": "demo-store.zip"}), interval=0.2
        )
        assert imported.ok, imported.document
        long = jobs.start("hello-world", Seconds=60)
        aborting = jobs.abort(long)
        assert aborting.execution_status in ("aborting", "aborted")
        ended = jobs.wait(long, interval=0.2, timeout=60)
        assert (ended.status, ended.execution_status) == ("ERROR", "aborted")


def test_errors_are_typed_and_carry_the_document(server: ServerProcess) -> None:
    with Client(server.url, *CLIENT) as jobs:
        with pytest.raises(FaultError) as unknown:
            jobs.start("no-such-job")
        assert (unknown.value.status, unknown.value.fault_type) == (404, "JobNotFoundException")
        with pytest.raises(FaultError) as bad:
            jobs.start("hello-world", Nope=1)
        assert bad.value.status == 400
        assert bad.value.arguments
    with (
        Client(server.url, "dev-client", "wrong-secret") as wrong,
        pytest.raises(AuthenticationError) as refused,
    ):
        wrong.start("noop")
    assert refused.value.status == 401
    assert refused.value.document["error"] == "invalid_client"


def test_content_client_creates_and_publishes_a_site(server: ServerProcess) -> None:
    statuses: list[JobStatus] = []
    with ContentClient(server.url, *USER) as content:
        created = content.create_site("ClientShop", "StoreTemplate").wait(
            progress=statuses.append, interval=0.2
        )
        assert created.completed, created.document
        assert created.action == "copy"
        published = content.publish("ClientShop", full=True).wait(interval=0.2)
        assert published.completed, published.document
        assert "ClientShop" in [s["name"] for s in content.sites()]
        again = content.create_site("ClientShop", "StoreTemplate").wait(interval=0.2)  # refused by the job
        assert not again.completed
        assert again.error is not None
        assert again.error["status"] == 409
        with pytest.raises(ContentError) as missing:
            content.publish("NoSuchSite")
        assert missing.value.status == 404
        assert httpx.get(f"{server.url}/site/ClientShop/index.html").status_code == 404  # not online yet
        assert content.bring_online("ClientShop")["runtimeStatus"] == "online"
    assert statuses
    assert httpx.get(f"{server.url}/site/ClientShop/index.html").status_code == 200


def test_the_async_clients(server: ServerProcess) -> None:
    async def scenario() -> tuple[Execution, JobStatus, list[str]]:
        async with AsyncClient(server.url, *CLIENT) as jobs, AsyncContentClient(server.url, *USER) as content:
            done = await jobs.wait(await jobs.start("hello-world", Seconds=1), interval=0.2)
            lines = [line async for line in jobs.follow_log(done, interval=0.2)]
            job = await content.create_site("AsyncShop", "StoreTemplate")
            return done, await job.wait(interval=0.2), lines

    done, created, lines = asyncio.run(scenario())
    assert done.ok
    assert lines
    assert created.completed


def test_the_public_surface_is_what_all_says() -> None:
    import sitejobs.client as client

    assert sorted(client.__all__) == sorted(
        n for n in dir(client) if not n.startswith("_") and n[0].isupper()
    )
    assert Path(client.__file__).name == "__init__.py"
