"""The IDC services the toolkit posts to `/documents/integration` for a site (`{"idcToken", "LocalData": {…}}`):

- `SCS_PUBLISH_SITE` (site.js `_publishSiteInternal`: `control-site publish -a PAGES`, `-i seo`): starts the
  same publish job as `POST /sites/{id}/publish` and answers its id as `JobID`; the toolkit then polls
  `/sites/management/api/v1/sites/_status/{JobID}`.
- `set_theme` serves `SCS_SET_SITE_METADATA` (`idc_metadata`) for `scsSiteTheme` (sitesRest.js `_setSiteTheme`
  after it rewrote `siteinfo.json`): the one place the site's theme lives is `siteinfo.json`'s
  `properties.themeName`.

`LocalData.item` names the site as `fFolderGUID:{site id}`.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from sitejobs.api.oce.idc import IdcAnswer, IdcCall
from sitejobs.api.oce.routes import CONTRIBUTE, _site_for, base_url
from sitejobs.auth.users import User
from sitejobs.engine.service import JobEngine
from sitejobs.errors import BadRequest
from sitejobs.jobs.oce import requests as req
from sitejobs.sites.content.site_documents import SITEINFO, SiteDocuments
from sitejobs.sites.content.store import ContentStore, SiteRow

#: LocalData flags of SCS_PUBLISH_SITE → the publish request's fields (the Sites Management API's names).
PUBLISH_FLAGS = {
    "publishUsedContentOnly": "onlyUsedContent",
    "doStaticFilePublishOnly": "onlyStaticFiles",
    "selectiveStaticPublish": "selectiveStaticPublish",
}


def _site(store: ContentStore, user: User, local: dict[str, Any]) -> SiteRow:
    item = str(local.get("item") or "")
    prefix, _, site_id = item.partition(":")
    if prefix != "fFolderGUID" or not site_id:
        raise BadRequest("LocalData.item must name the site as 'fFolderGUID:{site id}'.", property="item")
    return _site_for(store, user, site_id, CONTRIBUTE)


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _publish_request(site: SiteRow, local: dict[str, Any], base: str) -> req.PublishSite:
    document: dict[str, Any] = {"target_site": site.id, "target_base_url": base}
    for flag, field in PUBLISH_FLAGS.items():
        if _flag(local.get(flag)):
            document[field] = True
    if "skipCompileSiteCheck" in local:
        document["skipCompile"] = _flag(local["skipCompileSiteCheck"])
    if _flag(local.get("doForceActivate")):
        document["type"] = "full"
    if local.get("pages"):
        pages = [part.strip() for part in str(local["pages"]).split(",") if part.strip()]
        if not all(p.isdigit() and len(p) < 19 for p in pages):
            raise BadRequest("LocalData.pages must be page ids separated by commas.", property="pages")
        document["pages"] = [int(p) for p in pages]
    if local.get("siteSettings"):
        document["siteSettings"] = [s.strip() for s in str(local["siteSettings"]).split(",") if s.strip()]
    try:
        return req.PublishSite.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadRequest(f"LocalData: {first['msg']}.", property=".".join(map(str, first["loc"]))) from None


async def publish_site(call: IdcCall) -> IdcAnswer:
    call.check_token()
    store: ContentStore = call.state.content
    engine: JobEngine = call.state.engine
    site = await run_in_threadpool(_site, store, call.user, call.params)
    document = _publish_request(site, call.params, base_url(call.request.scope))
    execution = await engine.asubmit("oce-publish-site", request=document, client_id=call.user.name)
    return IdcAnswer({"JobID": str(execution.id)})


def set_theme(store: ContentStore, user: User, site: SiteRow, theme: str) -> None:
    """Write the theme into `siteinfo.json` (a no-op when the toolkit already did)."""
    documents = SiteDocuments(store)
    siteinfo = orjson.loads(documents.read(site, SITEINFO) or b"{}")
    if siteinfo.get("properties", {}).get("themeName") == theme and site.theme_name == theme:
        return
    siteinfo.setdefault("properties", {})["themeName"] = theme
    documents.write(site, SITEINFO, orjson.dumps(siteinfo), user.name)
