"""The data units of a site export, as OCAPI's ExportDataUnitsConfiguration names them, and where each one's
files sit in a site archive.

The models are the request documents sfcc-ci and b2c-tools send (strict: an unknown unit is refused). Each
boolean unit carries the archive paths it covers (`Files`): a name is a file, a name ending in '/' a folder;
global units are relative to the archive's top folder, site units to `sites/{site}/`. The names the SFRA demo
archive uses are exact; the others are the names Business Manager's export uses as far as they are known. A
path is claimed by the unit with the longest matching name; what no unit claims is exported with `all`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from sitejobs.sites.commerce import schema

ALL = "all"
Id = Annotated[str, StringConstraints(min_length=1, max_length=schema.ID)]


@dataclass(frozen=True)
class Files:
    """The archive paths a data unit covers."""

    names: tuple[str, ...]


def files(*names: str) -> Any:
    return Files(names)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ExportGlobalDataConfiguration(_Strict):
    all: bool = False
    access_roles: Annotated[bool, files("access-roles.xml")] = False
    csc_settings: Annotated[bool, files("csc-settings.xml")] = False
    csrf_whitelists: Annotated[bool, files("csrf-whitelists.xml")] = False
    # Custom preference groups are defined in the preferences' type extensions (see PREFERENCE_TYPES).
    custom_preference_groups: Annotated[bool, files()] = False
    custom_quota_settings: Annotated[bool, files("custom-quota-settings.xml")] = False
    custom_types: Annotated[bool, files("meta/custom-objecttype-definitions.xml")] = False
    geolocations: Annotated[bool, files("geolocations.xml", "geolocations/")] = False
    global_custom_objects: Annotated[bool, files("custom-objects/")] = False
    job_schedules: Annotated[bool, files("jobs.xml")] = False
    job_schedules_deprecated: Annotated[bool, files("schedules.xml")] = False
    locales: Annotated[bool, files("locales.xml")] = False
    meta_data: Annotated[bool, files("meta/")] = False
    oauth_providers: Annotated[bool, files("oauth-providers.xml")] = False
    ocapi_settings: Annotated[bool, files("ocapi-settings.xml", "ocapi-settings/")] = False
    page_meta_tags: Annotated[bool, files("pagemetatag.xml")] = False
    preferences: Annotated[bool, files("preferences.xml")] = False
    price_adjustment_limits: Annotated[bool, files("price-adjustment-limits.xml")] = False
    services: Annotated[bool, files("services.xml")] = False
    sorting_rules: Annotated[bool, files("sorting-rules.xml")] = False
    static_resources: Annotated[bool, files("static/")] = False
    system_type_definitions: Annotated[bool, files("meta/system-objecttype-definitions.xml")] = False
    users: Annotated[bool, files("users.xml")] = False
    webdav_client_permissions: Annotated[
        bool, files("webdav-client-permissions.xml", "webdav_client_permissions.json")
    ] = False


class ExportSitesConfiguration(_Strict):
    all: bool = False
    ab_tests: Annotated[bool, files("abtests.xml")] = False
    active_data_feeds: Annotated[bool, files("feeds.xml")] = False
    cache_settings: Annotated[bool, files("cache-settings.xml")] = False
    campaigns_and_promotions: Annotated[bool, files("promotions.xml")] = False
    commerce_feature_states: Annotated[bool, files("commerce-feature-states.xml")] = False
    content: Annotated[bool, files("library/")] = False  # the site's own library
    coupons: Annotated[bool, files("coupons.xml")] = False
    custom_objects: Annotated[bool, files("custom-objects/")] = False
    customer_cdn_settings: Annotated[bool, files("customer-cdn-settings.xml")] = False
    customer_groups: Annotated[bool, files("customer-groups.xml")] = False
    distributed_commerce_extensions: Annotated[bool, files("distributed-commerce-extensions.xml")] = False
    dynamic_file_resources: Annotated[bool, files("dynamic/")] = False
    gift_certificates: Annotated[bool, files("gift-certificates.xml")] = False
    ocapi_settings: Annotated[bool, files("ocapi-settings.xml", "ocapi-settings/")] = False
    payment_methods: Annotated[bool, files("payment-methods.xml")] = False
    payment_processors: Annotated[bool, files("payment-processors.xml")] = False
    redirect_urls: Annotated[bool, files("redirect-urls.xml")] = False
    search_settings: Annotated[bool, files("search.xml", "search2.xml")] = False
    shipping: Annotated[bool, files("shipping.xml")] = False
    site_descriptor: Annotated[bool, files("site.xml")] = False
    site_preferences: Annotated[bool, files("preferences.xml")] = False
    sitemap_settings: Annotated[bool, files("sitemap.xml", "sitemap-settings.xml")] = False
    slots: Annotated[bool, files("slots.xml")] = False
    sorting_rules: Annotated[bool, files("sort.xml")] = False
    source_codes: Annotated[bool, files("sourcecodes.xml")] = False
    static_dynamic_alias_mappings: Annotated[bool, files("urls/")] = False
    stores: Annotated[bool, files("stores.xml")] = False
    tax: Annotated[bool, files("tax.xml")] = False
    url_rules: Annotated[bool, files("url-rules.xml")] = False


#: The owners of the maps of ids (`{"RefArchSharedLibrary": true}`), in the order an export writes them.
ID_MAPS = (
    "catalogs",
    "catalog_static_resources",
    "price_books",
    "inventory_lists",
    "libraries",
    "library_static_resources",
    "customer_lists",
)


class ExportDataUnitsConfiguration(_Strict):
    global_data: ExportGlobalDataConfiguration | None = None
    sites: dict[Id, ExportSitesConfiguration] = Field(default_factory=dict)
    catalogs: dict[Id, bool] = Field(default_factory=dict)
    catalog_static_resources: dict[Id, bool] = Field(default_factory=dict)
    price_books: dict[Id, bool] = Field(default_factory=dict)
    inventory_lists: dict[Id, bool] = Field(default_factory=dict)
    libraries: dict[Id, bool] = Field(default_factory=dict)
    library_static_resources: dict[Id, bool] = Field(default_factory=dict)
    customer_lists: dict[Id, bool] = Field(default_factory=dict)

    @field_validator("sites", mode="before")
    @classmethod
    def _whole_sites(cls, value: Any) -> Any:
        """`{"RefArch": true}` (as b2c-tools allows) means every unit of the site."""
        if isinstance(value, dict):
            return {k: {ALL: v} if isinstance(v, bool) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _selects_something(self) -> ExportDataUnitsConfiguration:
        if not (
            self.selected_global()
            or any(self.selected_units(site) for site in self.sites)
            or any(self.selected_ids(name) for name in ID_MAPS)
        ):
            raise ValueError("the configuration selects no data unit (set at least one to true)")
        return self

    def selected_ids(self, name: str) -> list[str]:
        """The ids set to true in the map `name` (`all` among them when given)."""
        chosen: dict[str, bool] = getattr(self, name)
        return [key for key, on in chosen.items() if on]

    def selected_global(self) -> list[str]:
        return _selected(self.global_data, GLOBAL_FILES)

    def selected_units(self, site: str) -> list[str]:
        return _selected(self.sites[site], SITE_FILES)


def _selected(config: BaseModel | None, units: dict[str, tuple[str, ...]]) -> list[str]:
    if config is None:
        return []
    if getattr(config, ALL):
        return [ALL, *units]
    return [unit for unit in units if getattr(config, unit)]


def _files(model: type[BaseModel]) -> dict[str, tuple[str, ...]]:
    found = {}
    for name, field in model.model_fields.items():
        for meta in field.metadata:
            if isinstance(meta, Files):
                found[name] = meta.names
    return found


#: unit → the archive paths it covers, from the models above.
GLOBAL_FILES = _files(ExportGlobalDataConfiguration)
SITE_FILES = _files(ExportSitesConfiguration)
#: The system object types whose extensions define the custom preference groups.
PREFERENCE_TYPES = ("OrganizationPreferences", "SitePreferences")


def unit_of(path: str, units: dict[str, tuple[str, ...]]) -> str | None:
    """The unit claiming `path` (its longest matching name), or None when no unit does."""
    lowered = path.lower()
    best: tuple[int, str] | None = None
    for unit, names in units.items():
        for name in names:
            matches = lowered == name or (name.endswith("/") and lowered.startswith(name))
            if matches and (best is None or len(name) > best[0]):
                best = (len(name), unit)
    return None if best is None else best[1]


@dataclass(frozen=True)
class Owner:
    """Who exports a stored path: a data unit map (`global_data`, `sites`, `catalogs`, …), the id within it
    (the site, catalog, … id; None for global data), and for global and site data the unit (None: only
    exported with `all`)."""

    group: str
    id: str | None = None
    unit: str | None = None


CUSTOMER_LISTS_FILE = "customer-lists.xml"


def owner_of(path: str) -> Owner:
    """The data unit a document or file at `path` (below the archive's top folder) belongs to."""
    parts = path.split("/")
    top = parts[0].lower()
    if len(parts) >= 3:
        owned = parts[1]
        static = parts[2].lower() == "static"
        if top == "sites":
            if parts[2].lower() == "library":
                if len(parts) >= 4 and parts[3].lower() == "static":
                    return Owner("library_static_resources", owned)
                return Owner("sites", owned, "content")
            return Owner("sites", owned, unit_of("/".join(parts[2:]), SITE_FILES))
        if top == "catalogs":
            return Owner("catalog_static_resources" if static else "catalogs", owned)
        if top == "libraries":
            return Owner("library_static_resources" if static else "libraries", owned)
        if top == "customer-lists":
            return Owner("customer_lists", owned)
    if path.lower() == CUSTOMER_LISTS_FILE:
        return Owner("customer_lists")
    return Owner("global_data", None, unit_of(path, GLOBAL_FILES))
