"""The toolkit's Documents API and IDC calls, as its source makes them (sites/test/server/serverRest.js
`_findFile`, `_readFile`, `_createFile`, `_deleteFile`, `_getUser`, `_getFolderUsers`, `_shareFolder`,
`_unshareFolder`; serverUtils.js `_getIdcToken`, `setSiteMetadata`; site.js `_publishSiteInternal`)."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

DOCS = "/documents/api/1.2"


def find_file(client: TestClient, auth: dict[str, str], parent: str, name: str) -> dict[str, Any] | None:
    """`_findFile`: list the folder with `filterName` and pick the item of that exact name."""
    folder = "" if parent == "self" else f"/{parent}"
    response = client.get(f"{DOCS}/folders{folder}/items?limit=9999&filterName={name}", headers=auth)
    if response.status_code != 200:
        return None
    for item in response.json().get("items", []):
        if item["name"] == name:
            found: dict[str, Any] = item
            return found
    return None


def read_file(client: TestClient, auth: dict[str, str], file_id: str) -> Any:
    """`_readFile`: GET `files/{id}/data/`, parsed as JSON."""
    response = client.get(f"{DOCS}/files/{file_id}/data/", headers=auth)
    assert response.status_code == 200, response.text
    return json.loads(response.content)


def create_file(
    client: TestClient, auth: dict[str, str], parent: str, name: str, data: bytes
) -> tuple[int, dict[str, Any]]:
    """`_createFile`: multipart `jsonInputParameters` ({"parentID"}) and `primaryFile`."""
    response = client.post(
        f"{DOCS}/files/data/",
        data={"jsonInputParameters": json.dumps({"parentID": parent})},
        files={"primaryFile": (name, data)},
        headers=auth,
    )
    return response.status_code, response.json()


def idc_token(client: TestClient, auth: dict[str, str]) -> str:
    """`_getIdcToken`: SCS_GET_TENANT_CONFIG must answer a `dUser` (not anonymous) and an `idcToken`."""
    response = client.get("/documents/integration?IdcService=SCS_GET_TENANT_CONFIG&IsJson=1", headers=auth)
    assert response.status_code == 200, response.text
    local = response.json()["LocalData"]
    assert local["dUser"]
    assert local["dUser"] != "anonymous"
    token: str = local["idcToken"]
    assert token
    return token


def idc_post(client: TestClient, auth: dict[str, str], service: str, local: dict[str, Any]) -> dict[str, Any]:
    """A posted IDC service, as `setSiteMetadata` and `_publishSiteInternal` send it."""
    body = {"idcToken": idc_token(client, auth), "LocalData": {"IdcService": service, **local}}
    response = client.post(
        f"/documents/integration?IdcService={service}&IsJson=1",
        content=json.dumps(body),
        headers={**auth, "Content-Type": "application/json", "X-REQUESTED-WITH": "XMLHttpRequest"},
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data
