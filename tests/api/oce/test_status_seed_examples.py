"""Every `_status` example of the seed, reproduced from a real job over HTTP: the same fields with the same
values, ids and times aside (and, while a job runs, its `message`: the issue asks for one that moves)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sitejobs.engine.runner import EngineSink, run_execution
from sitejobs.engine.states import State
from sitejobs.settings import Settings
from tests.api.conftest import app_engine
from tests.api.oce.conftest import SeedExample, seed_examples
from tests.api.oce.sites_client import (
    API,
    basic_auth,
    create_site,
    create_site_in_process,
    poll_like_the_toolkit,
    sites_app,
    start,
    wait_status,
)
from tests.sites.content.translation_helpers import returned_zip

ALICE = basic_auth("alice")
#: Times a job records (or not: the seed shows a failed job without `endTime`, a refresh without `startTime`).
TIMES = {"startTime", "endTime"}


def example(title: str) -> SeedExample:
    return next(e for e in seed_examples() if e.title.startswith(title))


def same_shape(actual: Any, expected: Any, where: str = "") -> list[str]:
    """Differences between two documents: the same keys (the job's times aside) with values of the same types."""
    problems: list[str] = []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: {actual!r} is not an object"]
        if set(actual) - TIMES != set(expected) - TIMES:
            problems.append(f"{where}: keys {sorted(actual)} != {sorted(expected)}")
        for key in set(actual) & set(expected):
            problems += same_shape(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: {actual!r} is not a list"]
        for index, item in enumerate(actual):  # each item shaped like one of the seed's
            if expected and all(same_shape(item, e) for e in expected):
                problems.append(f"{where}[{index}]: {item!r} is shaped like none of {expected!r}")
    elif type(actual) is not type(expected):
        problems.append(f"{where}: {actual!r} is not of the type of {expected!r}")
    return problems


def test_failed_create_is_the_seed_failed_copy_job(settings: Settings) -> None:
    seed = example("Get the Status of a Failed")
    with sites_app(settings) as client:
        create_site(client, "AcmeProductLaunch")
        template = client.get(f"{API}/templates/name:StarterTemplate?links=none", headers=ALICE).json()
        location = start(client, "/sites", {"name": "AcmeProductLaunch", "template": template["id"]}, ALICE)
        wait_status(client, location, ALICE)
        status = client.get(f"{location}?{seed.query}", headers=ALICE).json()
    # Beyond the seed: a failed job says in `message` what went wrong (the toolkit prints it, issue 11).
    assert status.pop("message") == "Site Already Exists"
    assert same_shape(status, seed.body) == []
    assert status["error"] == seed.body["error"]
    assert (status["action"], status["progress"], status["completed"]) == ("copy", "failed", False)


def test_running_create_is_the_seed_running_copy_job(settings: Settings) -> None:
    """Snapshots of the status taken at each of the job's own progress reports, while it runs."""
    seed = example("Get the Status of a Running")
    snapshots = _run_capturing(settings, "oce-create-site", lambda client: {
        "name": "AcmeRunning", "template": client.get(
            f"{API}/templates/name:StarterTemplate?links=none", headers=ALICE).json()["id"]})  # fmt: skip
    running = [s for s in snapshots if s["progress"] == "processing" and 0 < s["completedPercentage"] < 100]
    assert running, snapshots
    for status in running:
        assert same_shape({k: v for k, v in status.items() if k != "message"}, seed.body) == []
        assert status["intervalToPoll"] > 0
        assert isinstance(status["message"], str)
    percents = [s["completedPercentage"] for s in running]
    assert percents == sorted(percents)
    assert len(set(percents)) > 2


def test_running_refresh_with_expanded_pages_is_the_seed_refresh_job(settings: Settings) -> None:
    seed = example("Get the Status of a Refresh")
    snapshots = _run_capturing(settings, "oce-refresh-site", None, query=seed.query)
    running = [s for s in snapshots if s["progress"] == "processing" and "pages" in s]
    assert running
    middle = next(s for s in running if s["completedCount"] and s["pendingCount"])
    assert same_shape({k: v for k, v in middle.items() if k != "message"}, seed.body) == []
    counts = middle["pendingCount"] + middle["processingCount"] + middle["completedCount"]
    assert counts == middle["pageCount"] == len(middle["pages"]["items"])
    statuses = {item["status"] for item in middle["pages"]["items"]}
    assert statuses == {"complete", "processing", "pending"}
    assert all(urlsplit(i["pageUrl"]).scheme == "https" for i in middle["pages"]["items"])


def test_translate_is_the_seed_translation_job(settings: Settings) -> None:
    seed = example("Get the Status of a Create Site Translation")
    with sites_app(settings) as client:
        create_site(client, "AcmeProductLaunch")
        body = {"name": "AcmeProductLaunch", "targetLanguages": ["fr", "de"]}
        location = start(client, "/sites/name:AcmeProductLaunch/translate", body, ALICE)
        poll_like_the_toolkit(client, location, ALICE)
        status = client.get(f"{location}?{seed.query}", headers=ALICE).json()
        assert same_shape(status, seed.body) == []
        assert status["translationFile"]["name"] == "AcmeProductLaunch.zip"
        assert status["translationJob"]["sitePendingLanguages"] == ["fr", "de"]
        assert [link["rel"] for link in status["translationFile"]["links"]] == ["download"]
        zipped = client.get(status["translationFile"]["links"][0]["href"], headers=ALICE)
        assert zipped.status_code == 200
        assert int(status["translationFile"]["size"]) == len(zipped.content)
        assert "site/job.json" in zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
        # Another user may not download it.
        assert (
            client.get(status["translationFile"]["links"][0]["href"], headers=basic_auth("bob")).status_code
            == 404
        )


def test_import_translations_is_the_seed_import_job(settings: Settings, tmp_path: Path) -> None:
    seed = example("Get the Status of an Import Site Translation")
    with sites_app(settings) as client:
        create_site(client, "AcmeProductLaunch")
        body = {"name": "AcmeProductLaunch", "targetLanguages": ["fr", "de"]}
        location = start(client, "/sites/name:AcmeProductLaunch/translate", body, ALICE)
        translated = poll_like_the_toolkit(client, location, ALICE)
        exported = tmp_path / "exported.zip"
        href = client.get(location, headers=ALICE).json()["translationFile"]["links"][0]["href"]
        exported.write_bytes(client.get(href, headers=ALICE).content)
        assert translated["completed"]
        back = returned_zip(exported, tmp_path / "back.zip", {"fr": lambda text: f"fr:{text}"})
        uploaded = client.post(
            "/documents/api/1.2/files/data/",
            files={"primaryFile": ("AcmeProductLaunch.zip", back.read_bytes(), "application/zip")},
            data={"jsonInputParameters": '{"parentID":"self"}'},
            headers=ALICE,
        )
        assert uploaded.status_code == 201, uploaded.text
        file_id = uploaded.json()["id"]
        validate = start(client, "/sites/_importTranslations",
                         {"translationImportFile": file_id, "options": {"validate": True}}, ALICE)  # fmt: skip
        validated = poll_like_the_toolkit(client, validate, ALICE)
        assert validated["validationOnly"] is True
        assert validated["valid"] is True
        location = start(client, "/sites/_importTranslations", {"translationImportFile": file_id}, ALICE)
        poll_like_the_toolkit(client, location, ALICE)
        status = client.get(f"{location}?{seed.query}", headers=ALICE).json()
    assert same_shape(status, seed.body) == []
    assert status["siteValidation"]["languagesNotReturned"] == ["de"]
    assert status["siteValidation"]["languagesReturnedComplete"] == ["fr"]
    assert status["validationOnly"] is False
    assert [t["fileName"] for t in status["importedSiteTranslations"]][-2:] == [
        "siteinfo.json",
        "structure.json",
    ]


def _run_capturing(
    settings: Settings, job_id: str, body: Any, query: str = "links=none"
) -> list[dict[str, Any]]:
    """Run one job in this thread on the app's engine, taking the HTTP status (with `query`) after each of
    its progress reports: what a poller would have seen at that moment."""
    snapshots: list[dict[str, Any]] = []
    with sites_app(settings, executor=False) as client:
        engine = app_engine(client)
        if job_id == "oce-refresh-site":
            create_site_in_process(client, engine, "AcmeRefresh")
            location = start(client, "/sites/name:AcmeRefresh/refresh", None, ALICE)
        else:
            location = start(client, "/sites", body(client), ALICE)
        [execution] = engine.claim("capture", 1)

        class Capturing(EngineSink):
            def report(self, execution_id: int, **kw: Any) -> State:
                state = super().report(execution_id, **kw)
                snapshots.append(client.get(f"{location}?{query}", headers=ALICE).json())
                return state

        outcome = run_execution(execution, engine, Capturing(engine, "capture"))
        assert outcome is not None
        assert outcome.state is State.SUCCEEDED, outcome
    return snapshots
