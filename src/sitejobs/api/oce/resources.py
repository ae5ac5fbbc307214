"""What each Sites Management resource accepts in its query string and how its representations are cut.

A `ResourceSpec` is the one description `parse_query` validates against and `shape` shapes by. For a
collection it describes the items (`fields`, `expand`, `return` apply to each item) and adds paging,
`orderBy` and `q`.

The relation names are those the seed lists for `_status` and those the Content Toolkit (`cec`) asks for on
sites, templates, themes and components (`sites/test/server/sitesRest.js` and its callers): a client's
`expand` naming any of them is valid even where the server has nothing to expand it to (the field is then
left out), while a name outside the list is a 400.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = [
    "COMPONENT",
    "COMPONENTS",
    "SITE",
    "SITES",
    "STATUS",
    "STATUS_PAGES",
    "TEMPLATE",
    "TEMPLATES",
    "THEME",
    "THEMES",
    "ResourceSpec",
]

DEFAULT_LIMIT = 50
#: Oracle's collections: "The maximum limit that can be specified is 250. If the limit exceeds this maximum,
#: the limit of 250 will be used." (REST API for Sites Management, e.g. GET /sites/{id}/updates)
MAX_LIMIT = 250


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    name: str
    #: Relations `expand` may name (besides `all`).
    expandable: frozenset[str]
    #: `return=minimal`; also always kept by `fields`, so a cut-down answer still says what it is about.
    essential: frozenset[str]
    #: `return=basic` (a superset of `essential`) and the links it keeps.
    basic: frozenset[str]
    basic_links: frozenset[str] = frozenset({"self", "canonical"})
    collection: bool = False
    #: Collections only: the item fields `orderBy` and `q` may name (dotted for nested ones).
    orderable: frozenset[str] = frozenset()
    filterable: frozenset[str] = frozenset()
    default_limit: int = DEFAULT_LIMIT
    max_limit: int = MAX_LIMIT
    #: Boolean flags the resource takes besides the shaping parameters (the toolkit sends `includeDeleted`).
    flags: frozenset[str] = frozenset()

    def singular(self, name: str) -> ResourceSpec:
        """The spec of one item of this collection."""
        return replace(
            self,
            name=name,
            collection=False,
            orderable=frozenset(),
            filterable=frozenset(),
            flags=self.flags - {"totalResults"},
        )


_OWNERSHIP = frozenset({"ownedBy", "createdBy", "lastModifiedBy", "members"})

STATUS = ResourceSpec(
    name="site job status",
    expandable=frozenset(
        {"site", "translationFile", "translationJob", "pages", "translationImportFile", "theme", "component"}
    ),
    essential=frozenset({"context", "action", "progress", "completed"}),
    basic=frozenset(
        {
            "context",
            "action",
            "progress",
            "completed",
            "completedPercentage",
            "intervalToPoll",
            "message",
            "startTime",
            "endTime",
            "error",
        }
    ),
)

#: `GET /sites/_status/{id}/pages`, and what `expand=pages` shows the first page of.
STATUS_PAGES = ResourceSpec(
    name="site job pages",
    expandable=frozenset(),
    essential=frozenset({"pageUrl", "status"}),
    basic=frozenset({"pageUrl", "status"}),
    collection=True,
    orderable=frozenset({"pageUrl", "status"}),
    filterable=frozenset({"pageUrl", "status"}),
)

SITES = ResourceSpec(
    name="sites",
    expandable=_OWNERSHIP
    | frozenset(
        {
            "access",
            "channel",
            "defaultCollection",
            "localizationPolicy",
            "policy",
            "repository",
            "siteCategory",
            "staticSiteDeliveryOptions",
            "template",
            "theme",
            "vanityDomain",
        }
    ),
    essential=frozenset({"id", "name"}),
    basic=frozenset(
        {"id", "name", "description", "createdAt", "lastModifiedAt", "runtimeStatus", "publishStatus"}
    ),
    collection=True,
    orderable=frozenset({"id", "name", "createdAt", "lastModifiedAt"}),
    filterable=frozenset(
        {"id", "name", "description", "runtimeStatus", "publishStatus", "ownedBy.userName", "ownedBy.name"}
    ),
    flags=frozenset({"includeDeleted", "totalResults"}),
)

TEMPLATES = replace(
    SITES,
    name="templates",
    expandable=_OWNERSHIP | frozenset({"localizationPolicy", "policy", "permissions", "theme"}),
    basic=frozenset({"id", "name", "description", "createdAt", "lastModifiedAt", "publishStatus"}),
    filterable=frozenset({"id", "name", "description", "publishStatus", "ownedBy.userName", "ownedBy.name"}),
)

THEMES = replace(TEMPLATES, name="themes", expandable=_OWNERSHIP | frozenset({"permissions"}))

COMPONENTS = replace(THEMES, name="components")

SITE = SITES.singular("site")
TEMPLATE = TEMPLATES.singular("template")
THEME = THEMES.singular("theme")
COMPONENT = COMPONENTS.singular("component")
