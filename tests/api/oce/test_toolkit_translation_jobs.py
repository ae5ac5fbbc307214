"""Site translation as `cec` 25.3.1 does it (translation.js): `create-translation-job` (SCS_EXPORT_SITE_TRANS,
polled with SCS_GET_BACKGROUND_SERVICE_JOB_STATUS), `list-translation-jobs` and `download-translation-job`
(`/content/management/api/v1.1/translationJobs`), `upload-translation-job` with and without `-v`
(SCS_IMPORT_SITE_TRANS `validateOnly` / `validateAndImport`, SCS_GET_BACKGROUND_SERVICE_JOB_RESPONSE_DATA).
Each IDC job is the translate or import job of the Sites Management API: one execution, one id."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content.store import ContentStore
from sitejobs.sites.content.translation_jobs import TranslationJobStore
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import API, basic_auth, sites_app
from tests.api.oce.test_toolkit_enterprise_sites import setup_enterprise
from tests.api.oce.toolkit_calls import (
    CM,
    IDC,
    all_resources,
    create_enterprise_site,
    csrf_token,
    idc_token,
    response_data,
    rows,
    wait_idc_job,
)
from tests.sites.content.translation_helpers import returned_zip

ALICE = basic_auth("alice")
BOB = basic_auth("bob")


def _jobs(client: TestClient, auth: dict[str, str]) -> list[dict[str, Any]]:
    """translation.js `_getTranslationJobs` for both job types, as create/download/list read them."""
    found: list[dict[str, Any]] = []
    for job_type in ("assets", "sites"):
        found += all_resources(client, auth, f"/translationJobs?jobType={job_type}", "&orderBy=name:asc")
    return found


def create_translation_job(
    client: TestClient, auth: dict[str, str], site: str, name: str, languages: str = "all"
) -> str:
    """`cec create-translation-job NAME -s SITE [-l LANGS]`; returns the IDC JobID."""
    token = idc_token(client, auth)
    assert name not in [j["name"] for j in _jobs(client, auth)]
    token = idc_token(client, auth)
    info = client.get(f"{API}/sites/name:{site}?links=none&expand=channel", headers=auth).json()
    assert info["isEnterprise"]
    assert info["defaultLanguage"]
    policy = client.get(
        f"{CM}/localizationPolicies/{info['channel']['localizationPolicy']}", headers=auth
    ).json()
    every = policy["requiredValues"] + policy["optionalValues"]
    targets = (
        [lang for lang in every if lang != info["defaultLanguage"]]
        if languages == "all"
        else languages.split(",")
    )
    response = client.post(
        f"{IDC}?IdcService=SCS_EXPORT_SITE_TRANS&IsJson=1",
        content=json.dumps(
            {
                "idcToken": token,
                "LocalData": {
                    "IdcService": "SCS_EXPORT_SITE_TRANS",
                    "jobName": name,
                    "exportType": "siteAll",
                    "sourceLanguage": info["defaultLanguage"],
                    "targetLanguages": ",".join(targets),
                    "siteGUID": info["id"],
                    "useBackgroundThread": "1",
                },
            }
        ),
        headers={**auth, "Content-Type": "application/json", "X-REQUESTED-WITH": "XMLHttpRequest"},
    )
    data = response.json()
    assert data["LocalData"]["StatusCode"] == "0", data
    job_id: str = data["LocalData"]["JobID"]
    wait_idc_job(client, auth, token, job_id)
    return job_id


def download_translation_job(
    client: TestClient, auth: dict[str, str], name: str, target: Path
) -> dict[str, Any]:
    """`cec download-translation-job NAME`: find it by name, download its zip, mark a READY job INPROGRESS."""
    job = next(j for j in _jobs(client, auth) if j["name"] == name)
    assert job["status"] != "PREPARING"
    zipped = client.get(f"/documents/api/1.2/files/{job['fFileGUID']}/data/", headers=auth)
    assert zipped.status_code == 200
    target.write_bytes(zipped.content)
    if job["status"] == "READY":
        changed = client.put(
            f"{CM}/translationJobs/{job['id']}",
            content=json.dumps({**job, "status": "INPROGRESS"}),
            headers={
                **auth,
                "Content-Type": "application/json",
                "X-CSRF-TOKEN": csrf_token(client, auth),
                "X-REQUESTED-WITH": "XMLHttpRequest",
            },
        )
        assert changed.status_code == 200, changed.text
    return job


def upload_translation_job(
    client: TestClient, auth: dict[str, str], name: str, zipped: Path, validate_only: bool
) -> dict[str, Any]:
    """`cec upload-translation-job NAME [-v]` (translation.js `_execdeployTranslationJob`)."""
    token = idc_token(client, auth)
    uploaded = client.post(
        "/documents/api/1.2/files/data/",
        files={"primaryFile": (f"{name}.zip", zipped.read_bytes(), "application/zip")},
        data={"jsonInputParameters": json.dumps({"parentID": "self"})},
        headers=auth,
    )
    assert uploaded.status_code == 201, uploaded.text
    mode = "validateOnly" if validate_only else "validateAndImport"
    started = client.get(
        f"{IDC}?IdcService=SCS_IMPORT_SITE_TRANS&IsJson=1&jobName={name}&fFileGUID={uploaded.json()['id']}"
        f"&validationMode={mode}&useBackgroundThread=1&idcToken={token}",
        headers={**auth, "Content-Type": "application/json"},
    ).json()
    assert started["LocalData"]["StatusCode"] == "0", started
    job_id = started["LocalData"]["JobID"]
    # the import polls with the token its answer carries
    poll_token = token if validate_only else started["LocalData"]["idcToken"]
    wait_idc_job(client, auth, poll_token, job_id)
    return {"JobID": job_id, **response_data(client, auth, poll_token, job_id)}


def test_translation_round_trip_as_the_toolkit_does_it(settings: Settings, tmp_path: Path) -> None:
    with sites_app(settings) as client:
        setup_enterprise(client)
        site = create_enterprise_site(
            client, ALICE, "Acme", "StarterTemplate", "AcmeRepo", "Acme L10N", "en-US"
        )
        job_id = create_translation_job(client, ALICE, "Acme", "AcmeJob")

        # the same execution under its one id: the Sites Management `_status` of a translate job
        status = client.get(f"{API}/sites/_status/{job_id}?links=none", headers=ALICE).json()
        assert (status["action"], status["progress"], status["completed"]) == ("translate", "succeeded", True)
        assert status["translationJob"]["name"] == "AcmeJob"

        # list-translation-jobs: the job, with its languages in `data`
        [job] = [j for j in _jobs(client, ALICE) if j["type"] == "sites"]
        detail = client.get(f"{CM}/translationJobs/{job['id']}", headers=ALICE).json()
        data = dict(part.split("=", 1) for part in detail["data"].split("|"))
        assert (detail["name"], detail["status"]) == ("AcmeJob", "READY")
        assert (data["sourceLanguage"], data["targetLanguages"]) == ("en-US", "fr-FR,de-DE")
        assert detail["siteGUID"] == site["id"]

        exported = tmp_path / "AcmeJob.zip"
        download_translation_job(client, ALICE, "AcmeJob", exported)
        assert client.get(f"{CM}/translationJobs/{job['id']}", headers=ALICE).json()["status"] == "INPROGRESS"
        with zipfile.ZipFile(exported) as archive:
            assert "site/job.json" in archive.namelist()

        back = returned_zip(exported, tmp_path / "back.zip", {"fr-FR": lambda text: f"fr:{text}"})
        validated = upload_translation_job(client, ALICE, "AcmeJob", back, validate_only=True)
        # what `_displayValidationResult` prints
        assert validated["JobID"]
        assert validated["SiteId"] == site["id"]
        assert validated["valid"] == "true"
        assert validated["sourceLanguage"] == "en-US"
        site_validation = json.loads(validated["SiteValidation"])
        assert site_validation["languagesReturnedComplete"] == ["fr-FR"]
        assert site_validation["languagesNotReturned"] == ["de-DE"]
        assert [item["name"] for item in site_validation["itemsToBeImported"]]
        assert isinstance(json.loads(validated["AssetValidation"])["itemsToBeImported"], list)
        store = ContentStore(app_engine(client).db, settings.content_dir)
        row = store.site("name:Acme")
        assert row is not None
        assert store.load(row).translations == {}  # validating imports nothing

        imported = upload_translation_job(client, ALICE, "AcmeJob", back, validate_only=False)
        import_status = client.get(
            f"{API}/sites/_status/{imported['JobID']}?links=none", headers=ALICE
        ).json()
        assert (import_status["action"], import_status["progress"]) == ("importTranslations", "succeeded")
        french = store.load(row).translations["fr-FR"]
        translated = client.get(f"{CM}/translationJobs/{job['id']}", headers=ALICE).json()
        assert translated["status"] == "TRANSLATED"
        assert translated["sitePendingLanguages"] == ["de-DE"]  # French came back, German did not
        assert any("fr:" in json.dumps(page) for page in french.pages.values())

        # SCS_GET_ALL_BACKGROUND_JOBS lists all three of alice's site jobs besides the site's creation
        token = idc_token(client, ALICE)
        listed = client.get(
            f"{IDC}?IdcService=SCS_GET_ALL_BACKGROUND_JOBS&IsJson=1&jobType=site", headers=ALICE
        )
        actions = {r["JobID"]: r["JobAction"] for r in rows(listed.json(), "JobInfo")}
        assert actions[job_id] == "translate"
        assert actions[validated["JobID"]] == actions[imported["JobID"]] == "importTranslations"
        # another user sees none of them, and cannot read their status
        assert (
            rows(
                client.get(f"{IDC}?IdcService=SCS_GET_ALL_BACKGROUND_JOBS&IsJson=1", headers=BOB).json(),
                "JobInfo",
            )
            == []
        )
        hidden = client.get(
            f"{IDC}?IdcService=SCS_GET_BACKGROUND_SERVICE_JOB_STATUS&IsJson=1&JobID={job_id}&idcToken={token}",
            headers=BOB,
        )
        assert hidden.status_code == 404
        assert hidden.json()["LocalData"]["StatusCode"] != "0"
        assert _jobs(client, BOB) == []


def test_idc_services_that_change_things_need_the_callers_token(settings: Settings) -> None:
    with sites_app(settings) as client:
        setup_enterprise(client)
        site = create_enterprise_site(
            client, ALICE, "Acme", "StarterTemplate", "AcmeRepo", "Acme L10N", "en-US"
        )
        local = {
            "IdcService": "SCS_EXPORT_SITE_TRANS",
            "jobName": "J",
            "targetLanguages": "fr-FR",
            "siteGUID": site["id"],
        }
        before = sum(app_engine(client).count_by_state().values())
        for token in ("", "forged", idc_token(client, BOB)):
            response = client.post(
                f"{IDC}?IdcService=SCS_EXPORT_SITE_TRANS&IsJson=1",
                json={"idcToken": token, "LocalData": local},
                headers=ALICE,
            )
            assert response.status_code == 403
            assert response.json()["LocalData"]["StatusCode"] == "-1"
            assert response.json()["LocalData"]["StatusMessage"]
        # a language outside the site's policy, a site bob cannot see
        token = idc_token(client, ALICE)
        stray = client.post(
            f"{IDC}?IdcService=SCS_EXPORT_SITE_TRANS&IsJson=1",
            json={"idcToken": token, "LocalData": {**local, "targetLanguages": "ja-JP"}},
            headers=ALICE,
        )
        assert stray.status_code == 400
        assert "ja-JP" in stray.json()["LocalData"]["StatusMessage"]
        unseen = client.post(
            f"{IDC}?IdcService=SCS_EXPORT_SITE_TRANS&IsJson=1",
            json={"idcToken": idc_token(client, BOB), "LocalData": local},
            headers=BOB,
        )
        assert unseen.status_code == 404
        assert sum(app_engine(client).count_by_state().values()) == before
        # a second job of the same name is refused up front
        create_translation_job(client, ALICE, "Acme", "Twice", "fr-FR")
        again = client.post(
            f"{IDC}?IdcService=SCS_EXPORT_SITE_TRANS&IsJson=1",
            json={"idcToken": token, "LocalData": {**local, "jobName": "Twice"}},
            headers=ALICE,
        )
        assert again.status_code == 409
        assert len(TranslationJobStore(app_engine(client).db).all()) == 1
        unknown = client.get(f"{IDC}?IdcService=NO_SUCH_SERVICE&IsJson=1", headers=ALICE)
        assert unknown.status_code == 400
        assert unknown.json()["LocalData"]["StatusCode"] == "-1"
        malformed = client.post(
            f"{IDC}?IdcService=SCS_EXPORT_SITE_TRANS&IsJson=1", content=b"{not json", headers=ALICE
        )
        assert malformed.status_code == 400
        assert malformed.json()["LocalData"]["StatusCode"] == "-1"
