"""Templates in and out, replayed as the toolkit's source calls them: `create-template-from-site`
(template.js `_createTemplateFromSiteREST`, sitesRest.js `_createTemplateFromSite`), `download-template`
(`_downloadTemplateREST`: export, find the zip in the home folder, download, delete), `upload-template`
(`_importTemplateToServerRest`: upload to the home folder, `_importTemplate`), `copy-template -s`
(`_copyResourceAsync`) and `delete-template` / `delete-theme` / `delete-component` (`_softDeleteResource`,
`_hardDeleteResource`). Each checks the effect: a site can be created from the new template, files are gone."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from starlette.testclient import TestClient

from sitejobs.settings import Settings
from sitejobs.sites.content.store import ContentStore
from tests.api.conftest import app_engine
from tests.api.oce.sites_client import (
    API,
    basic_auth,
    create_site,
    poll_like_the_toolkit,
    sites_app,
    start,
    wait_status,
)
from tests.api.oce.toolkit_docs import DOCS, create_file, find_file, read_file

ALICE = basic_auth("alice")
BOB = basic_auth("bob")
ADMIN = basic_auth("admin")


def _store(client: TestClient, settings: Settings) -> ContentStore:
    return ContentStore(app_engine(client).db, settings.content_dir)


def _template(client: TestClient, name: str, auth: dict[str, str] = ALICE) -> dict[str, Any] | None:
    response = client.get(f"{API}/templates/name:{name}?links=none", headers=auth)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _page_titles(client: TestClient, settings: Settings, site: str) -> dict[int, str]:
    store = _store(client, settings)
    row = store.site(f"name:{site}")
    assert row is not None
    return {page_id: doc["properties"].get("title", "") for page_id, doc in store.load(row).pages.items()}


def _create_template_from_site(client: TestClient, name: str, site: str) -> dict[str, Any]:
    assert _template(client, name) is None  # resourceExist: the name must be free
    found = client.get(f"{API}/sites/name:{site}?links=none&expand=channel,repository", headers=ALICE)
    assert found.status_code == 200
    location = start(
        client, f"/sites/name:{site}/templates", {"name": name, "includeUnpublished": False}, ALICE
    )
    poll_like_the_toolkit(client, location, ALICE)
    template = _template(client, name)
    assert template is not None
    return template


def _download_template(client: TestClient, name: str) -> bytes:
    assert _template(client, name) is not None
    response = client.post(
        f"{API}/templates/name:{name}/export", headers={**ALICE, "Prefer": "respond-async"}
    )
    assert response.status_code == 202, response.text
    poll_like_the_toolkit(client, response.headers["Location"], ALICE)
    found = find_file(client, ALICE, "self", f"{name}.zip")
    assert found is not None
    home = client.get(f"{DOCS}/folders/self/items", headers=ALICE).json()["items"]
    assert [item["id"] for item in home] == [found["id"]]
    assert client.get(f"{DOCS}/folders/self/items", headers=BOB).json()["items"] == []
    searched = client.get(f"{DOCS}/folders/search/items?fulltext={name}.zip", headers=ALICE).json()
    assert [item["id"] for item in searched["items"]] == [found["id"]]
    assert client.get(f"{DOCS}/files/{found['id']}/data/", headers=BOB).status_code == 404
    data = client.get(f"{DOCS}/files/{found['id']}/data/", headers=ALICE)
    assert data.status_code == 200
    assert int(found["size"]) == len(data.content)
    assert client.delete(f"{DOCS}/files/{found['id']}", headers=ALICE).status_code == 200
    assert find_file(client, ALICE, "self", f"{name}.zip") is None
    content: bytes = data.content
    return content


def _upload_template(client: TestClient, file_name: str, data: bytes) -> dict[str, Any]:
    status, uploaded = create_file(client, ALICE, "self", file_name, data)
    assert status == 201, uploaded
    body = {
        "file": uploaded["id"],
        "template": {"resolution": "overwrite"},
        "theme": {"resolution": "overwrite"},
        "components": {"resolution": "overwrite"},
    }
    final = poll_like_the_toolkit(client, start(client, "/templates", body, ALICE), ALICE)
    template: dict[str, Any] = final["template"]
    return template


def test_create_template_from_site_then_create_a_site_from_it(settings: Settings) -> None:
    with sites_app(settings) as client:
        create_site(client, "Origin")
        origin = client.get(f"{API}/sites/name:Origin?links=none", headers=ALICE).json()
        # An edit made to the site (through the Documents API) is in the template made from it.
        page = find_file(client, ALICE, f"{origin['id']}~pages", "110.json")
        assert page is not None
        document = read_file(client, ALICE, page["id"])
        document["properties"]["title"] = "Edited before templating"
        create_file(client, ALICE, f"{origin['id']}~pages", "110.json", json.dumps(document).encode())
        template = _create_template_from_site(client, "OriginTemplate", "Origin")
        assert template["themeName"] == "StarterTheme"
        folder = _store(client, settings).folder("templates", "OriginTemplate")
        assert (folder / "template" / "structure.json").is_file()
        assert (folder / "components" / "NavMenu").is_dir()
        create_site(client, "Offspring", template="OriginTemplate")
        assert _page_titles(client, settings, "Offspring") == _page_titles(client, settings, "Origin")
        assert _page_titles(client, settings, "Offspring")[110] == "Edited before templating"
        # The name is now taken: a second template of that name fails as the toolkit shows it.
        location = start(client, "/sites/name:Origin/templates", {"name": "OriginTemplate"}, ALICE)
        status = client.get(location, headers=ALICE).json()
        while not status.get("endTime"):
            status = client.get(location, headers=ALICE).json()
        assert status["progress"] == "failed"
        assert "already exists" in status["error"]["detail"]


def test_download_then_upload_a_template_zip(settings: Settings) -> None:
    with sites_app(settings) as client:
        data = _download_template(client, "BlogTemplate")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
        assert {"template/siteinfo.json", "template/structure.json"} <= names
        assert any(n.startswith("theme/layouts/") for n in names)
        imported = _upload_template(client, "ImportedBlog.zip", data)
        assert imported["name"] == "ImportedBlog"
        template = _template(client, "ImportedBlog")
        assert template is not None
        assert template["id"] == imported["id"]
        assert template["themeName"] == "BlogTemplateTheme"
        create_site(client, "FromImport", template="ImportedBlog")
        assert _page_titles(client, settings, "FromImport")


def test_upload_template_refuses_a_broken_zip_and_others_files(settings: Settings) -> None:
    with sites_app(settings) as client:
        status, uploaded = create_file(client, ALICE, "self", "Broken.zip", b"not a zip")
        assert status == 201
        location = start(client, "/templates", {"file": uploaded["id"]}, ALICE)
        final = client.get(location, headers=ALICE).json()
        while not final.get("endTime"):
            final = client.get(location, headers=ALICE).json()
        assert final["progress"] == "failed"
        assert final["error"]["detail"]
        assert _template(client, "Broken") is None
        response = client.post(
            f"{API}/templates", json={"file": uploaded["id"]}, headers={**BOB, "Prefer": "respond-async"}
        )
        assert response.status_code == 404
        response = client.post(f"{API}/templates", json={"files": "x"}, headers=ALICE)
        assert response.status_code == 400


def test_copy_template_and_delete_templates_themes_components(settings: Settings) -> None:
    with sites_app(settings) as client:
        source = _template(client, "StarterTemplate")
        assert source is not None
        location = start(
            client, f"/templates/{source['id']}/copy", {"name": "StarterCopy", "description": "x"}, ADMIN
        )
        poll_like_the_toolkit(client, location, ADMIN)
        copied = _template(client, "StarterCopy")
        assert copied is not None
        assert copied["themeName"] == "StarterTheme"
        create_site(client, "FromCopy", template="StarterCopy")
        store = _store(client, settings)
        siteinfo = json.loads(
            (store.folder("templates", "StarterCopy") / "template/siteinfo.json").read_text()
        )
        assert siteinfo["properties"]["siteName"] == "StarterCopy"
        # delete-template (template.js `_deleteTemplateREST`): only its owner; DELETE moves it to the trash,
        # where `includeDeleted=true` finds it (`isDeleted`), then `-p` (POST hardDelete) deletes it for good.
        assert client.delete(f"{API}/templates/name:StarterCopy", headers=BOB).status_code == 403
        assert client.delete(f"{API}/templates/name:StarterCopy", headers=ADMIN).status_code == 204
        assert _template(client, "StarterCopy") is None
        trashed = client.get(
            f"{API}/templates/name:StarterCopy?links=none&includeDeleted=true", headers=ADMIN
        )
        assert trashed.json()["isDeleted"] is True
        assert store.folder("templates", "StarterCopy").is_dir()
        location = start(client, "/templates/name:StarterTemplate/copy", {"name": "StarterCopy"}, ADMIN)
        assert wait_status(client, location, ADMIN)["progress"] == "failed"  # the name stays taken
        assert client.post(f"{API}/templates/name:StarterCopy/hardDelete", headers=ADMIN).status_code == 204
        assert not store.folder("templates", "StarterCopy").exists()
        gone = client.get(f"{API}/templates/name:StarterCopy?links=none&includeDeleted=true", headers=ADMIN)
        assert gone.status_code == 404
        # delete-theme: a theme a site or template uses stays.
        response = client.delete(f"{API}/themes/name:StarterTheme", headers=ADMIN)
        assert response.status_code == 409
        assert "FromCopy" in response.json()["detail"]
        for kind, name in (("themes", "StarterTheme"), ("components", "NavMenu")):
            location = start(client, f"/{kind}/name:{name}/copy", {"name": f"{name}Copy"}, ALICE)
            poll_like_the_toolkit(client, location, ALICE)
            assert client.post(f"{API}/{kind}/name:{name}Copy/hardDelete", headers=ALICE).status_code == 204
            assert client.get(f"{API}/{kind}/name:{name}Copy?links=none", headers=ALICE).status_code == 404
            assert not store.folder(kind, f"{name}Copy").exists()
        assert client.get(f"{API}/themes/name:StarterTheme?links=none", headers=ALICE).status_code == 200
