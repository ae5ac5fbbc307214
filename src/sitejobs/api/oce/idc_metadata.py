"""The IDC services that describe sites, themes and components (`describe-site`, `describe-component`,
`update-site -m`, template and theme commands): folder metadata, what a site's pages use, the theme's layouts,
and browsing sites and templates.

Sites, themes and components are named by their id as a folder (`item=fFolderGUID:ID`), as on Content
Management, where each is a folder of files.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool

from sitejobs.api.oce.idc import CALL_PARAMS, IdcAnswer, IdcCall, Service, issue_token, result_set
from sitejobs.api.oce.idc_sites import set_theme
from sitejobs.api.oce.routes import CONTRIBUTE, READ, _site_for
from sitejobs.errors import BadRequest, ComponentNotFound, ThemeNotFound
from sitejobs.sites.content.site_settings import SiteSettingsStore
from sitejobs.sites.content.store import ContentStore
from sitejobs.sites.content.usage import site_usage, theme_layouts

#: Site metadata every site has (describe-site prints these), before what SCS_SET_SITE_METADATA set.
SITE_METADATA_DEFAULTS = {
    "scsCompileSite": "0",
    "scsCompileStatus": "",
    "scsStaticResponseHeaders": "",
    "scsMobileUserAgents": "",
}
#: Application names SCS_BROWSE_SITES filters by.
SITE_APPLICATION = "framework.site"
TEMPLATE_APPLICATION = "framework.site.template"


async def site_metadata(call: IdcCall) -> IdcAnswer:
    store: ContentStore = call.state.content

    def read() -> IdcAnswer:
        site = _site_for(store, call.user, call.item(), READ)
        settings = SiteSettingsStore(store.db).get(site.id)
        metadata = {**SITE_METADATA_DEFAULTS, **settings.idc_metadata, "dIdentifier": site.id}
        info = {
            "fFolderGUID": site.id,
            "fFolderName": site.name,
            "fApplication": SITE_APPLICATION,
            "xScsIsEnterprise": "1" if site.repository_id else "0",
            "xScsSiteTheme": site.theme_name,
            "xScsSitePrefix": site.site_prefix,
            "xScsRepositoryId": site.repository_id or "",
            "xScsLocalizationPolicy": site.localization_policy or "",
            "xScsDefaultLanguage": site.default_language,
        }
        return IdcAnswer(
            {"idcToken": issue_token(call.state, call.user)},
            {"SiteMetadata": result_set([metadata]), "SiteInfo": result_set([info])},
        )

    return await run_in_threadpool(read)


async def set_site_metadata(call: IdcCall) -> IdcAnswer:
    """Store the values given besides the call's own parameters (strings, as IDC holds them)."""
    call.check_token()
    store: ContentStore = call.state.content
    values = {k: v for k, v in call.params.items() if k not in CALL_PARAMS}
    if not values:
        raise BadRequest("SCS_SET_SITE_METADATA needs at least one metadata value to set.")

    def write() -> IdcAnswer:
        site = _site_for(store, call.user, call.item(), CONTRIBUTE)
        if "scsSiteTheme" in values:
            set_theme(store, call.user, site, values["scsSiteTheme"])
        SiteSettingsStore(store.db).change(site.id, call.user.name, idc_metadata=values)
        return IdcAnswer()

    return await run_in_threadpool(write)


def _resource_metadata(kind: str, set_name: str) -> Service:
    missing = ThemeNotFound if kind == "themes" else ComponentNotFound

    async def service(call: IdcCall) -> IdcAnswer:
        store: ContentStore = call.state.content
        row = await run_in_threadpool(store.resource, kind, call.item())
        if row is None:
            raise missing(call.item())
        # The folder's identity is its id: a copy gets a new one, as Content Management gives it.
        metadata = {"dIdentifier": row["id"], "scsItemGUID": row["id"], "fFolderName": row["name"]}
        return IdcAnswer({"idcToken": issue_token(call.state, call.user)}, {set_name: result_set([metadata])})

    return service


async def site_components_used(call: IdcCall) -> IdcAnswer:
    store: ContentStore = call.state.content

    def read() -> IdcAnswer:
        site = _site_for(store, call.user, call.item(), READ)
        usage = site_usage(store.load(site))
        return IdcAnswer(
            {},
            {
                "ComponentsUsed": result_set(usage.components, ("scsPageID", "scsComponentName")),
                "ContentItemsUsed": result_set(usage.content_items, ("scsPageID", "scsContentItemID")),
                "ContentTypesUsed": result_set(usage.content_types, ("scsPageID", "scsTypeName")),
            },
        )

    return await run_in_threadpool(read)


async def browse_sites(call: IdcCall) -> IdcAnswer:
    """Sites (`fApplication=framework.site`, the default) or templates the caller may see, optionally one name."""
    store: ContentStore = call.state.content
    application = call.params.get("fApplication") or SITE_APPLICATION
    name = call.params.get("name", "").lower()

    def rows() -> list[dict[str, Any]]:
        if application == TEMPLATE_APPLICATION:
            items = [(r["id"], r["name"], r["owner"]) for r in store.resources("templates")]
        elif application == SITE_APPLICATION:
            items = [(s.id, s.name, s.owner) for s in store.sites(call.user)]
        else:
            raise BadRequest(f"fApplication must be {SITE_APPLICATION} or {TEMPLATE_APPLICATION}.")
        return [
            {"fFolderGUID": i, "fFolderName": n, "fApplication": application, "dDocCreator": owner}
            for i, n, owner in items
            if not name or n.lower() == name
        ]

    found = await run_in_threadpool(rows)
    fields = ("fFolderGUID", "fFolderName", "fApplication", "dDocCreator")
    return IdcAnswer({}, {"SiteInfo": result_set(found, fields)})


async def browse_layouts(call: IdcCall) -> IdcAnswer:
    """The theme's page layouts, as the toolkit reads them (a list of `{properties: {pageLayout}}`)."""
    store: ContentStore = call.state.content
    theme = call.require("theme")
    if await run_in_threadpool(store.resource, "themes", f"name:{theme}") is None:
        raise ThemeNotFound(f"name:{theme}")
    layouts = await run_in_threadpool(theme_layouts, store.folder("themes", theme))
    return IdcAnswer(raw=[{"properties": {"pageLayout": layout}} for layout in layouts])


SERVICES: dict[str, Service] = {
    "SCS_GET_SITE_METADATA": site_metadata,
    "SCS_SET_SITE_METADATA": set_site_metadata,
    "SCS_GET_THEME_METADATA": _resource_metadata("themes", "ThemeMetadata"),
    "SCS_GET_COMPONENT_METADATA": _resource_metadata("components", "ComponentMetadata"),
    "SCS_GET_SITE_COMPS_CONTENT_USED": site_components_used,
    "SCS_BROWSE_SITES": browse_sites,
    "SCS_BROWSE_LAYOUTS": browse_layouts,
}
