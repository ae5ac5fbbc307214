"""The Content Toolkit's IDC and Content Management calls, made and read as its source does them
(serverUtils.js `_getIdcToken`, `getBackgroundServiceJobStatus`; serverRest.js `_getAllResources`,
`getCaasCSRFToken`; translation.js `_getImportValidateStatusSCS`)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.timing import deadline_after

CM = "/content/management/api/v1.1"
IDC = "/documents/integration"
#: serverRest.js MAX_LIMIT, the page size of `_getAllResources`.
MAX_LIMIT = 200


def idc_token(client: TestClient, auth: dict[str, str]) -> str:
    """`_getIdcToken`: SCS_GET_TENANT_CONFIG must name a signed-in `dUser` and hand out an `idcToken`."""
    response = client.get(f"{IDC}?IdcService=SCS_GET_TENANT_CONFIG&IsJson=1", headers=auth)
    assert response.status_code == 200, response.text
    local = response.json()["LocalData"]
    assert local["dUser"]
    assert local["dUser"] != "anonymous"
    token: str = local["idcToken"]
    assert token
    return token


def csrf_token(client: TestClient, auth: dict[str, str]) -> str:
    response = client.get(f"{CM}/token", headers=auth)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def all_resources(
    client: TestClient, auth: dict[str, str], endpoint: str, extra: str = ""
) -> list[dict[str, Any]]:
    """`_getAllResources`: pages of MAX_LIMIT with `links=none` until `hasMore` is false."""
    items: list[dict[str, Any]] = []
    offset = 0
    while True:
        sep = "&" if "?" in endpoint else "?"
        url = (
            f"{CM}{endpoint}{sep}links=none&limit={MAX_LIMIT}"
            + (f"&offset={offset}" if offset else "")
            + extra
        )
        response = client.get(url, headers=auth)
        assert response.status_code == 200, response.text
        data = response.json()
        items += data["items"]
        if not data["hasMore"]:
            return items
        offset += MAX_LIMIT


def rows(data: dict[str, Any], name: str) -> list[dict[str, str]]:
    """An IDC result set's rows as objects, as the toolkit reads them (fields over each row)."""
    result = data.get("ResultSets", {}).get(name, {})
    fields = [f["name"] for f in result.get("fields", [])]
    return [dict(zip(fields, row, strict=True)) for row in result.get("rows", [])]


def job_status(client: TestClient, auth: dict[str, str], token: str, job_id: str) -> dict[str, str]:
    response = client.get(
        f"{IDC}?IdcService=SCS_GET_BACKGROUND_SERVICE_JOB_STATUS&IsJson=1&JobID={job_id}&idcToken={token}",
        headers=auth,
    )
    data = response.json()
    assert data["LocalData"]["StatusCode"] == "0", data
    [status] = rows(data, "JobInfo")
    return status


def wait_idc_job(
    client: TestClient, auth: dict[str, str], token: str, job_id: str, timeout: float = 60.0
) -> dict[str, str]:
    """The toolkit's wait loop: FAILED (or no JobStatus) is a failure; COMPLETE or JobPercentage "100" ends it."""
    deadline = deadline_after(timeout)
    while time.monotonic() < deadline:
        status = job_status(client, auth, token, job_id)
        if not status.get("JobStatus") or status["JobStatus"] == "FAILED":
            pytest.fail(f"the toolkit would report a failed job: {status}")
        if status["JobStatus"] == "COMPLETE" or status["JobPercentage"] == "100":
            return status
        time.sleep(0.05)
    pytest.fail(f"IDC job {job_id} did not complete within {timeout} s")


def response_data(client: TestClient, auth: dict[str, str], token: str, job_id: str) -> dict[str, Any]:
    """translation.js `_getJobReponseDataSCS`: LocalData's values, then JobInfo's first row over them."""
    data = client.get(
        f"{IDC}?IdcService=SCS_GET_BACKGROUND_SERVICE_JOB_RESPONSE_DATA&IsJson=1&JobID={job_id}&idcToken={token}",
        headers=auth,
    ).json()
    local = data["LocalData"]
    result: dict[str, Any] = {
        "LocalData": local,
        "valid": local.get("valid"),
        "sourceLanguage": local.get("sourceLanguage"),
        "targetedLanguages": local.get("targetedLanguages"),
        "SiteValidation": local.get("SiteValidation"),
        "AssetValidation": local.get("AssetValidation"),
    }
    info = rows(data, "JobInfo")
    if info:
        result.update(info[0])
    return result


def make_policy(
    client: TestClient,
    auth: dict[str, str],
    name: str,
    required: list[str],
    optional: list[str],
    default: str,
) -> dict[str, Any]:
    """asset.js `createLocalizationPolicy`: list the policies (the name must be new), then POST with the CSRF token."""
    assert name not in [p["name"] for p in all_resources(client, auth, "/localizationPolicies")]
    response = client.post(
        f"{CM}/localizationPolicies",
        json={
            "name": name,
            "description": "",
            "requiredValues": required,
            "defaultValue": default,
            "optionalValues": optional,
        },
        headers={**auth, "X-CSRF-TOKEN": csrf_token(client, auth), "X-REQUESTED-WITH": "XMLHttpRequest"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def make_repository(client: TestClient, auth: dict[str, str], name: str) -> dict[str, Any]:
    """asset.js `createRepository` (no types, no channels): list the repositories, then POST."""
    assert name.lower() not in [r["name"].lower() for r in all_resources(client, auth, "/repositories")]
    response = client.post(
        f"{CM}/repositories",
        json={"name": name, "description": "", "defaultLanguage": "en-US", "taxonomies": []},
        headers={**auth, "X-CSRF-TOKEN": csrf_token(client, auth), "X-REQUESTED-WITH": "XMLHttpRequest"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def create_enterprise_site(
    client: TestClient,
    auth: dict[str, str],
    name: str,
    template: str,
    repository: str,
    policy: str,
    language: str,
) -> dict[str, Any]:
    """site.js `_createSiteREST` for `cec create-site NAME -t TEMPLATE -r REPO -l POLICY -d LANG`, returning
    the created site as its last request reads it."""
    from tests.api.oce.sites_client import API, poll_like_the_toolkit, start

    tenant = client.get(f"{IDC}?IdcService=SCS_GET_TENANT_CONFIG&IsJson=1", headers=auth).json()
    assert tenant["LocalData"]["IsSitesGovernanceEnabled"] != "1"
    roles = client.get(f"{IDC}?IdcService=GET_USER_INFO&IsJson=1", headers=auth).json()["LocalData"]
    assert roles["StatusCode"] == "0"
    assert client.get(f"{API}/sites/name:{name}?links=none", headers=auth).status_code == 404
    found = client.get(
        f"{API}/templates/name:{template}?links=none&expand=localizationPolicy,policy", headers=auth
    )
    assert found.status_code == 200, found.text
    repo = next(
        r for r in all_resources(client, auth, "/repositories") if r["name"].lower() == repository.lower()
    )
    assert (repo.get("repositoryType") or "").lower() != "business"
    chosen = next(p for p in all_resources(client, auth, "/localizationPolicies") if p["name"] == policy)
    assert language in chosen["requiredValues"]
    body = {
        "name": name,
        "description": "",
        "template": found.json()["id"],
        "sitePrefix": name.lower()[:15],
        "repository": repo["id"],
        "localizationPolicy": chosen["id"],
        "defaultLanguage": language,
    }
    poll_like_the_toolkit(client, start(client, "/sites", body, auth), auth)
    site = client.get(f"{API}/sites/name:{name}?links=none", headers=auth)
    assert site.status_code == 200, site.text
    created: dict[str, Any] = site.json()
    return created
