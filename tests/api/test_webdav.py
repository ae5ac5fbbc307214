"""WebDAV under /on/demandware.servlet/webdav/Sites: the Impex area, the job logs, permissions and path safety.

Most tests drive the app in-process; the streaming tests run `sitejobs serve` in a subprocess, since the test
client hands the app a request body in one piece."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import psutil
import pytest
from lxml import etree
from starlette.testclient import TestClient

from sitejobs.api import webdav
from sitejobs.auth.clients import JOB_RESOURCES
from sitejobs.errors import BadRequest
from sitejobs.settings import Settings
from tests.conftest import ServerProcess, add_client, token_for
from tests.timing import deadline_after

SITES = "/on/demandware.servlet/webdav/Sites"
INSTANCE = f"{SITES}/impex/src/instance"
DAV = "{DAV:}"


def dav_path(settings: Settings, *parts: str) -> Path:
    return settings.impex_dir.joinpath(*parts)


def stray_uploads(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(webdav.TEMP_PREFIX)]


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def propfind(api: TestClient, path: str, depth: str | None = "1") -> etree._Element:
    headers = {"Depth": depth} if depth is not None else {}
    response = api.request("PROPFIND", path, headers=headers)
    assert response.status_code == 207, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return etree.fromstring(response.content)


def entries(doc: etree._Element) -> dict[str, etree._Element]:
    """href → the response's prop element."""
    assert doc.tag == f"{DAV}multistatus"
    found = {}
    for response in doc.findall(f"{DAV}response"):
        assert response.findtext(f"{DAV}propstat/{DAV}status") == "HTTP/1.1 200 OK"
        found[response.findtext(f"{DAV}href")] = response.find(f"{DAV}propstat/{DAV}prop")
    return found


# ---- files ----------------------------------------------------------------------------------------------------


def test_put_get_round_trip_and_overwrite(api: TestClient, settings: Settings) -> None:
    created = api.put(
        f"{INSTANCE}/site.zip", content=b"PK first", headers={"Content-Type": "application/zip"}
    )
    assert created.status_code == 201, created.text
    assert dav_path(settings, "src", "instance", "site.zip").read_bytes() == b"PK first"

    got = api.get(f"{INSTANCE}/site.zip")
    assert got.status_code == 200
    assert got.content == b"PK first"
    assert got.headers["content-length"] == "8"
    assert got.headers["content-type"] == "application/zip"
    assert got.headers["etag"].startswith('"')
    parsedate_to_datetime(got.headers["last-modified"])

    replaced = api.put(f"{INSTANCE}/site.zip", content=b"PK second, longer")
    assert replaced.status_code == 204
    again = api.get(f"{INSTANCE}/site.zip")
    assert again.content == b"PK second, longer"
    assert again.headers["etag"] != got.headers["etag"]
    assert stray_uploads(settings.data_dir) == []


def test_head_and_missing_files(api: TestClient) -> None:
    api.put(f"{INSTANCE}/a.txt", content=b"12345")
    head = api.head(f"{INSTANCE}/a.txt")
    assert head.status_code == 200
    assert head.headers["content-length"] == "5"
    assert head.content == b""
    assert api.head(f"{INSTANCE}/missing.zip").status_code == 404
    missing = api.get(f"{INSTANCE}/missing.zip")
    assert missing.status_code == 404
    assert etree.fromstring(missing.content).tag == f"{DAV}error"
    assert api.get(f"{SITES}/Nowhere/x").status_code == 404
    assert api.get(f"{INSTANCE}/").status_code == 405  # a collection: PROPFIND it


def test_impex_is_case_insensitive(api: TestClient, settings: Settings) -> None:
    assert api.put(f"{SITES}/Impex/src/instance/c.zip", content=b"c").status_code == 201
    assert api.get(f"{SITES}/impex/src/instance/c.zip").content == b"c"
    assert api.get(f"{SITES}/IMPEX/src/instance/c.zip").content == b"c"
    assert dav_path(settings, "src", "instance", "c.zip").exists()
    listed = entries(propfind(api, f"{SITES}/Impex/src/instance/"))
    assert f"{SITES}/Impex/src/instance/c.zip" in listed  # hrefs keep the client's spelling


def test_delete_file_and_tree(api: TestClient, settings: Settings) -> None:
    api.put(f"{INSTANCE}/gone.zip", content=b"x")
    assert api.delete(f"{INSTANCE}/gone.zip").status_code == 204
    assert not dav_path(settings, "src", "instance", "gone.zip").exists()
    assert api.delete(f"{INSTANCE}/gone.zip").status_code == 404

    assert api.request("MKCOL", f"{INSTANCE}/dir").status_code == 201
    assert api.request("MKCOL", f"{INSTANCE}/dir/sub").status_code == 201
    api.put(f"{INSTANCE}/dir/sub/f.txt", content=b"f")
    assert api.delete(f"{INSTANCE}/dir").status_code == 204
    assert not dav_path(settings, "src", "instance", "dir").exists()

    assert api.delete(f"{SITES}/impex").status_code == 403
    assert api.delete(f"{SITES}/").status_code == 403
    assert dav_path(settings, "src", "instance").is_dir()


def test_propfind_depth_0_and_1(api: TestClient) -> None:
    api.put(f"{INSTANCE}/one.zip", content=b"1" * 10)
    api.request("MKCOL", f"{INSTANCE}/folder")

    self_only = entries(propfind(api, INSTANCE, depth="0"))
    assert list(self_only) == [f"{INSTANCE}/"]
    prop = self_only[f"{INSTANCE}/"]
    assert prop.find(f"{DAV}resourcetype/{DAV}collection") is not None
    assert prop.findtext(f"{DAV}displayname") == "instance"

    listed = entries(propfind(api, INSTANCE, depth="1"))
    assert set(listed) == {f"{INSTANCE}/", f"{INSTANCE}/one.zip", f"{INSTANCE}/folder/"}
    file_prop = listed[f"{INSTANCE}/one.zip"]
    assert file_prop.findtext(f"{DAV}displayname") == "one.zip"
    assert file_prop.findtext(f"{DAV}getcontentlength") == "10"
    assert file_prop.findtext(f"{DAV}getcontenttype") == "application/zip"
    assert file_prop.find(f"{DAV}resourcetype/{DAV}collection") is None
    parsedate_to_datetime(file_prop.findtext(f"{DAV}getlastmodified") or "")
    assert (file_prop.findtext(f"{DAV}creationdate") or "").endswith("Z")
    assert listed[f"{INSTANCE}/folder/"].find(f"{DAV}resourcetype/{DAV}collection") is not None

    file_alone = entries(propfind(api, f"{INSTANCE}/one.zip", depth="0"))
    assert list(file_alone) == [f"{INSTANCE}/one.zip"]
    assert set(entries(propfind(api, INSTANCE, depth="infinity"))) == set(listed)  # answered as depth 1
    assert set(entries(propfind(api, INSTANCE, depth=None))) == set(listed)

    allprop = b'<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
    assert api.request("PROPFIND", INSTANCE, content=allprop, headers={"Depth": "0"}).status_code == 207
    assert api.request("PROPFIND", INSTANCE, content=b"<not xml", headers={"Depth": "0"}).status_code == 400
    assert api.request("PROPFIND", INSTANCE, headers={"Depth": "2"}).status_code == 400
    assert api.request("PROPFIND", f"{INSTANCE}/nope.zip", headers={"Depth": "0"}).status_code == 404

    root = entries(propfind(api, f"{SITES}/"))
    assert {f"{SITES}/", f"{SITES}/Impex/", f"{SITES}/LOGS/"} == set(root)


def test_mkcol(api: TestClient, settings: Settings) -> None:
    assert api.request("MKCOL", f"{INSTANCE}/new").status_code == 201
    assert dav_path(settings, "src", "instance", "new").is_dir()
    assert api.request("MKCOL", f"{INSTANCE}/new").status_code == 405
    assert api.request("MKCOL", f"{INSTANCE}/no/such/parent").status_code == 409
    assert api.request("MKCOL", f"{INSTANCE}/withbody", content=b"<x/>").status_code == 415
    assert api.request("MKCOL", f"{SITES}/impex").status_code == 405
    assert api.put(f"{INSTANCE}/no/such/file.zip", content=b"x").status_code == 409
    assert api.put(f"{INSTANCE}/new", content=b"x").status_code == 405


def test_move(api: TestClient, settings: Settings) -> None:
    instance = dav_path(settings, "src", "instance")
    api.put(f"{INSTANCE}/a.zip", content=b"A")
    moved = api.request(
        "MOVE", f"{INSTANCE}/a.zip", headers={"Destination": f"http://testserver{INSTANCE}/b.zip"}
    )
    assert moved.status_code == 201
    assert not (instance / "a.zip").exists()
    assert (instance / "b.zip").read_bytes() == b"A"

    api.put(f"{INSTANCE}/c.zip", content=b"C")
    keep = api.request(
        "MOVE", f"{INSTANCE}/c.zip", headers={"Destination": f"{INSTANCE}/b.zip", "Overwrite": "F"}
    )
    assert keep.status_code == 412
    assert (instance / "b.zip").read_bytes() == b"A"
    over = api.request(
        "MOVE", f"{INSTANCE}/c.zip", headers={"Destination": f"{INSTANCE}/b.zip", "Overwrite": "T"}
    )
    assert over.status_code == 204
    assert (instance / "b.zip").read_bytes() == b"C"
    assert not (instance / "c.zip").exists()

    api.request("MKCOL", f"{INSTANCE}/d1")
    api.put(f"{INSTANCE}/d1/f.txt", content=b"f")
    assert (
        api.request("MOVE", f"{INSTANCE}/d1", headers={"Destination": f"{SITES}/Impex/d2"}).status_code == 201
    )
    assert dav_path(settings, "d2", "f.txt").read_bytes() == b"f"
    into_itself = api.request("MOVE", f"{SITES}/impex/d2", headers={"Destination": f"{SITES}/impex/d2/inner"})
    assert into_itself.status_code == 409

    assert (
        api.request("MOVE", f"{INSTANCE}/nope", headers={"Destination": f"{INSTANCE}/x"}).status_code == 404
    )
    assert api.request("MOVE", f"{INSTANCE}/b.zip").status_code == 400
    to_logs = api.request("MOVE", f"{INSTANCE}/b.zip", headers={"Destination": f"{SITES}/LOGS/jobs/x/b.zip"})
    assert to_logs.status_code == 403
    no_parent = api.request("MOVE", f"{INSTANCE}/b.zip", headers={"Destination": f"{INSTANCE}/no/b.zip"})
    assert no_parent.status_code == 409
    elsewhere = api.request(
        "MOVE", f"{INSTANCE}/b.zip", headers={"Destination": "http://testserver/other/b.zip"}
    )
    assert elsewhere.status_code == 400
    assert (instance / "b.zip").exists()


def test_options(api: TestClient) -> None:
    response = api.options(f"{INSTANCE}/")
    assert response.status_code == 200
    assert response.headers["dav"] == "1"
    assert "PROPFIND" in response.headers["allow"]
    locked = api.request("LOCK", f"{INSTANCE}/a.zip")
    assert locked.status_code == 405
    assert "MKCOL" in locked.headers["allow"]


# ---- limits and failures --------------------------------------------------------------------------------------


def test_size_limit_answers_413_and_keeps_nothing(api: TestClient, settings: Settings) -> None:
    settings.webdav_max_upload_bytes = 1000
    instance = dav_path(settings, "src", "instance")

    declared = api.put(f"{INSTANCE}/big.zip", content=b"x" * 1001)
    assert declared.status_code == 413
    assert etree.fromstring(declared.content).tag == f"{DAV}error"

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"y" * 200

    streamed = api.put(f"{INSTANCE}/big.zip", content=chunks())  # chunked: no Content-Length
    assert streamed.status_code == 413
    assert not (instance / "big.zip").exists()
    assert stray_uploads(settings.data_dir) == []
    assert api.put(f"{INSTANCE}/fits.zip", content=b"z" * 1000).status_code == 201


def test_a_full_disk_answers_507_and_keeps_nothing(
    api: TestClient, settings: Settings, small_disk: Callable[[Path, int], Path]
) -> None:
    impex = small_disk(settings.impex_dir, 1 << 20)  # Impex on a real 1 MiB disk
    assert api.put(f"{INSTANCE}/old.zip", content=b"o" * 300_000).status_code == 201
    free = shutil.disk_usage(impex).free
    too_big = b"n" * (2 << 20)

    def chunks() -> Iterator[bytes]:
        for _ in range(32):
            yield b"c" * 65536

    new = api.put(f"{INSTANCE}/new.zip", content=too_big)
    assert new.status_code == 507
    assert "no space left" in (
        etree.fromstring(new.content).findtext(f"{{{webdav.SITEJOBS_NS}}}message") or ""
    )
    assert api.put(f"{INSTANCE}/new.zip", content=chunks()).status_code == 507  # chunked: no Content-Length
    assert api.put(f"{INSTANCE}/old.zip", content=too_big).status_code == 507

    instance = dav_path(settings, "src", "instance")
    assert not (instance / "new.zip").exists()
    assert (instance / "old.zip").read_bytes() == b"o" * 300_000  # the old file survives a failed overwrite
    assert stray_uploads(impex) == []
    assert shutil.disk_usage(impex).free == free  # every byte written for the failed uploads is given back
    assert api.put(f"{INSTANCE}/small.zip", content=b"s" * 1000).status_code == 201


# ---- path safety ----------------------------------------------------------------------------------------------

TRAVERSALS = [
    "/impex/%2e%2e/escape.txt",
    "/impex/src/%2E%2E/%2e%2e/%2e%2e/escape.txt",
    "/impex/..%2f..%2fescape.txt",
    "/impex/%252e%252e/escape.txt",
    "/impex/%25252e%25252e/escape.txt",
    "/impex/src/..%252f..%252fescape.txt",
    "/impex/a%5c..%5c..%5cescape.txt",
    "/impex/escape%00.txt",
    "/impex/%0aescape.txt",
    "/impex//tmp/escape.txt",
    "/impex/%2ftmp%2fescape.txt",
    "/LOGS/jobs/%2e%2e/%2e%2e/escape.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_is_refused_and_writes_nothing(
    api: TestClient, settings: Settings, tmp_path: Path, path: str
) -> None:
    assert api.put(f"{INSTANCE}/src.zip", content=b"s").status_code == 201
    before = tree(tmp_path)
    url = SITES + path
    assert api.put(url, content=b"evil").status_code in (400, 403)
    assert api.request("MKCOL", url + "-dir").status_code in (400, 403)
    assert api.request("MOVE", f"{INSTANCE}/src.zip", headers={"Destination": url}).status_code in (400, 403)
    assert api.delete(SITES + path.replace("escape.txt", "clients.json")).status_code in (400, 403, 404)
    assert api.get(SITES + path.replace("escape.txt", "token.key")).status_code in (400, 403, 404)
    assert tree(tmp_path) == before
    assert not list(tmp_path.rglob("*escape*"))
    assert token_for(api)  # the client is still there


def test_symlinks_out_of_an_area_are_refused(api: TestClient, settings: Settings, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    instance = dav_path(settings, "src", "instance")
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "out").symlink_to(outside, target_is_directory=True)
    (instance / "secret-link.txt").symlink_to(outside / "secret.txt")

    assert api.get(f"{INSTANCE}/out/secret.txt").status_code == 403
    assert api.get(f"{INSTANCE}/secret-link.txt").status_code == 403
    assert api.put(f"{INSTANCE}/out/escape.txt", content=b"evil").status_code == 403
    assert api.request("MKCOL", f"{INSTANCE}/out/escape").status_code == 403
    assert api.delete(f"{INSTANCE}/out/secret.txt").status_code == 403
    assert api.request("PROPFIND", f"{INSTANCE}/out", headers={"Depth": "1"}).status_code == 403
    listed = entries(propfind(api, INSTANCE))
    assert not any("out" in href or "secret" in href for href in listed)
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "secret"


def test_split_path_units() -> None:
    assert webdav.split_path("") == ()
    assert webdav.split_path("/") == ()
    assert webdav.split_path("/impex/src/instance/") == ("impex", "src", "instance")
    assert (
        webdav.resource_id(("Impex", "src", "instance", "a.zip")) == "/webdav/Sites/impex/src/instance/a.zip"
    )
    assert webdav.resource_id(()) == "/webdav/Sites"
    for bad in ("/impex/../x", "/impex/./x", "/impex/a\\b", "/impex/a\x00", "/impex//x", "/impex/%2e%2e"):
        with pytest.raises(BadRequest):
            webdav.split_path(bad)


# ---- permissions ----------------------------------------------------------------------------------------------


def test_missing_or_bad_token_is_401(api: TestClient) -> None:
    for headers in (
        {"Authorization": ""},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic eDp5"},
    ):
        response = api.get(f"{INSTANCE}/a.zip", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert api.put(f"{INSTANCE}/a.zip", content=b"x", headers=headers).status_code == 401
    assert api.options(f"{INSTANCE}/").status_code == 200


def test_client_without_a_grant_is_403(api: TestClient, settings: Settings) -> None:
    add_client(settings, "jobs-only", "secret-1", JOB_RESOURCES)
    add_client(
        settings,
        "reader",
        "secret-2",
        [{"resource_id": "/webdav/Sites/impex/src/instance/*", "methods": ["get"]}],
    )
    api.put(f"{INSTANCE}/r.zip", content=b"r")
    jobs_only = {"Authorization": f"Bearer {token_for(api, 'jobs-only', 'secret-1')}"}
    assert api.get(f"{INSTANCE}/r.zip", headers=jobs_only).status_code == 403
    assert api.put(f"{INSTANCE}/w.zip", content=b"w", headers=jobs_only).status_code == 403
    assert api.request("PROPFIND", INSTANCE, headers=jobs_only).status_code == 403

    reader = {"Authorization": f"Bearer {token_for(api, 'reader', 'secret-2')}"}
    assert api.get(f"{INSTANCE}/r.zip", headers=reader).content == b"r"
    assert api.put(f"{INSTANCE}/w.zip", content=b"w", headers=reader).status_code == 403
    assert api.delete(f"{INSTANCE}/r.zip", headers=reader).status_code == 403
    move = api.request("MOVE", f"{INSTANCE}/r.zip", headers={**reader, "Destination": f"{INSTANCE}/s.zip"})
    assert move.status_code == 403
    assert api.get(f"{SITES}/LOGS/jobs/x/y.log", headers=reader).status_code == 403
    assert not dav_path(settings, "src", "instance", "w.zip").exists()
    assert dav_path(settings, "src", "instance", "r.zip").exists()


# ---- job logs -------------------------------------------------------------------------------------------------


def run_to_end(api: TestClient, job_id: str, params: dict[str, str]) -> dict[str, object]:
    body = {"parameters": [{"name": k, "value": v} for k, v in params.items()]}
    started = api.post(f"/s/-/dw/data/v23_2/jobs/{job_id}/executions", json=body)
    assert started.status_code == 202, started.text
    url = f"/s/-/dw/data/v23_2/jobs/{job_id}/executions/{started.json()['id']}"
    deadline = deadline_after(30)
    while time.monotonic() < deadline:
        doc: dict[str, object] = api.get(url).json()
        if doc["status"] in ("OK", "ERROR"):
            return doc
        time.sleep(0.05)
    raise AssertionError(f"{job_id} did not finish")


def test_job_log_is_readable_under_logs_and_impex_log(api: TestClient, settings: Settings) -> None:
    doc = run_to_end(api, "hello-world", {"Seconds": "0"})
    assert doc["status"] == "OK"
    deadline = deadline_after(10)
    while not api.get(f"/s/-/dw/data/v23_2/jobs/hello-world/executions/{doc['id']}").json()[
        "is_log_file_existing"
    ]:
        assert time.monotonic() < deadline, "the log file never appeared"
        time.sleep(0.05)
    name = str(doc["log_file_name"])

    by_path = api.get(f"/on/demandware.servlet/webdav{doc['log_file_path']}")
    assert by_path.status_code == 200, by_path.text
    assert "Hello, world" in by_path.text
    assert by_path.headers["content-type"].startswith("text/plain")
    as_sfcc_ci = api.get(f"{SITES}/Impex/log/{name}")  # what sfcc-ci reads
    assert as_sfcc_ci.status_code == 200
    assert as_sfcc_ci.content == by_path.content
    assert api.head(f"{SITES}/impex/log/{name}").headers["content-length"] == str(len(by_path.content))

    assert f"{SITES}/Impex/log/{name}" in entries(propfind(api, f"{SITES}/Impex/log"))
    assert f"{SITES}/LOGS/jobs/hello-world/{name}" in entries(
        propfind(api, f"{SITES}/LOGS/jobs/hello-world/")
    )
    assert f"{SITES}/LOGS/jobs/" in entries(propfind(api, f"{SITES}/LOGS"))

    # read-only, whatever the grants
    assert api.put(f"{SITES}/LOGS/jobs/hello-world/{name}", content=b"x").status_code == 403
    assert api.delete(f"{SITES}/LOGS/jobs/hello-world/{name}").status_code == 403
    assert api.request("MKCOL", f"{SITES}/LOGS/jobs/new").status_code == 403
    assert api.delete(f"{SITES}/Impex/log/{name}").status_code == 403
    assert api.get(f"{SITES}/LOGS/other/x").status_code == 404
    assert api.get(f"{SITES}/LOGS/jobs/noop/{name}").status_code == 404  # another job's folder


# ---- a real server: chunked, streamed to disk ------------------------------------------------------------------


@pytest.fixture
def server(settings: Settings, servers: list[ServerProcess]) -> ServerProcess:
    add_client(settings)
    started = ServerProcess(settings).start()
    servers.append(started)
    return started


def test_chunked_upload_streams_to_disk(server: ServerProcess, settings: Settings) -> None:
    instance = dav_path(settings, "src", "instance")
    mib = 1 << 20
    total = 48
    digest = hashlib.sha256()
    proc = psutil.Process(server.proc.pid if server.proc else 0)
    seen: dict[str, int] = {}

    with httpx.Client(base_url=server.url, timeout=60) as client:
        client.headers["Authorization"] = f"Bearer {token_for(client)}"
        assert client.put(f"{INSTANCE}/warm.zip", content=b"w" * mib).status_code == 201
        baseline = proc.memory_info().rss

        def body() -> Iterator[bytes]:
            for i in range(total):
                block = bytes([i % 251]) * mib
                digest.update(block)
                yield block
                if i == total // 2:  # the server must already be writing what it received to a temporary file
                    deadline = deadline_after(15)
                    while time.monotonic() < deadline:
                        temp = stray_uploads(instance)
                        if temp and temp[0].stat().st_size >= 8 * mib:
                            break
                        time.sleep(0.05)
                    seen["temp"] = temp[0].stat().st_size if temp else 0
                    seen["rss_growth"] = proc.memory_info().rss - baseline
                    seen["final_exists"] = int((instance / "big.zip").exists())

        response = client.put(
            f"{INSTANCE}/big.zip", content=body(), headers={"Content-Type": "application/zip"}
        )
        assert response.status_code == 201, response.text
        assert response.request.headers["transfer-encoding"] == "chunked"
        assert seen["temp"] >= 8 * mib
        assert seen["final_exists"] == 0  # the target appears only when complete
        assert seen["rss_growth"] < 20 * mib, seen

        fetched = hashlib.sha256()
        with client.stream("GET", f"{INSTANCE}/big.zip") as download:
            assert download.headers["content-length"] == str(total * mib)
            for chunk in download.iter_bytes():
                fetched.update(chunk)
        assert fetched.hexdigest() == digest.hexdigest()
    assert (instance / "big.zip").stat().st_size == total * mib
    assert stray_uploads(settings.data_dir) == []


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_literal_dot_segments_refused_by_a_real_server(server: ServerProcess, tmp_path: Path) -> None:
    with httpx.Client(base_url=server.url) as client:
        token = token_for(client)
    before = tree(tmp_path)
    for path in (
        f"{SITES}/impex/../../escape.txt",
        f"{SITES}/impex/src/instance/../../../../escape.txt",
        f"{SITES}/impex/src\\..\\..\\escape.txt",
        f"{SITES}/impex/./../escape.txt",
    ):
        answer = _raw(
            server.port,
            f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Length: 4\r\nConnection: close\r\n\r\nevil".encode(),
        )
        status = answer.split(b" ", 2)[1]
        assert status in (b"400", b"403"), answer[:200]
    assert not list(tmp_path.rglob("*escape*"))
    assert {p for p in tree(tmp_path) - before if not p.startswith("data/server-")} <= {
        "data/impex/src/instance"
    }


def test_concurrent_uploads_of_one_name_leave_one_whole_file(
    server: ServerProcess, settings: Settings
) -> None:
    with httpx.Client(base_url=server.url) as client:
        token = token_for(client)
    blocks = {n: bytes([n]) * (3 << 20) for n in range(4)}
    statuses: list[int] = []

    def upload(n: int) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            r = c.put(f"{INSTANCE}/same.zip", content=blocks[n], headers={"Authorization": f"Bearer {token}"})
            statuses.append(r.status_code)

    threads = [threading.Thread(target=upload, args=(n,)) for n in blocks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == len(blocks)
    assert set(statuses) <= {201, 204}
    assert dav_path(settings, "src", "instance", "same.zip").read_bytes() in blocks.values()
    assert stray_uploads(settings.data_dir) == []
    assert os.listdir(dav_path(settings, "src", "instance")) == ["same.zip"]
