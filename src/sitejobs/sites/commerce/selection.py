"""What an export writes: the data units of its configuration, resolved against the store into archive files.

Each selected unit becomes one step (a catalog, a library, a site, the global data, …) with the files it
writes. A file several units ask for is written once, by the first, with what all of them asked for: the
custom preference groups and the meta data share `meta/system-objecttype-extensions.xml`, customer lists
share `customer-lists.xml`. A unit naming a site, catalog, library, price book, inventory list or customer list
the store does not hold fails the export before anything is written.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import Connection, func, select

from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.dataunits import (
    ALL,
    CUSTOMER_LISTS_FILE,
    PREFERENCE_TYPES,
    ExportDataUnitsConfiguration,
    Owner,
    owner_of,
)
from sitejobs.sites.commerce.errors import DataUnitNotFound, ExportConflict

Kind = Literal["catalog", "library", "pricebook", "inventory-list", "site", "metadata", "document", "file"]
#: Which of a part's elements to write: None for all of them, else the ids kept.
Keep = frozenset[str] | None

TYPE_EXTENSIONS_FILE = "meta/system-objecttype-extensions.xml"
CUSTOM_TYPES_FILE = "meta/custom-objecttype-definitions.xml"
META_FILE_OF = {"type-extension": TYPE_EXTENSIONS_FILE, "custom-type": CUSTOM_TYPES_FILE}
CUSTOMER_LIST_KEY = "list-id"


@dataclass
class ArchiveFile:
    """One file of the archive: what it is made of in the store. `parts` says which elements of a metadata
    file or document are written (`type-extension`, `custom-type`, `extras`, `elements`): a part that is absent
    is left out; `{}` for the other kinds, which are written whole."""

    path: str  # below the archive's top folder
    kind: Kind
    owner: str  # the catalog, library, … id; the store path of a document, file or metadata file
    parts: dict[str, Keep] = field(default_factory=dict)
    rows: int = 0  # rows it will write, for progress

    def merge(self, other: ArchiveFile) -> None:
        if (other.kind, other.owner) != (self.kind, self.owner):
            raise ExportConflict(
                f"Two things in the site store would be exported as '{self.path}': a {self.kind} "
                f"('{self.owner}') and a {other.kind} ('{other.owner}')."
            )
        for part, keep in other.parts.items():
            mine = self.parts.get(part, frozenset())
            self.parts[part] = None if mine is None or keep is None else mine | keep


@dataclass
class Step:
    """One data unit of the export: a step execution of the job."""

    id: str  # "catalogs/electronics-m-catalog", "sites/RefArch", "global_data"
    group: str  # the configuration's map: catalogs, sites, global_data, …
    paths: list[str] = field(default_factory=list)  # the files it writes, in order


@dataclass
class Selection:
    steps: list[Step]
    files: dict[str, ArchiveFile]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files.values())


class Store:
    """What the store holds, by id and by path: the little the planning needs, read in a few queries."""

    def __init__(self, conn: Connection) -> None:
        self.site_rows = _ids(conn, schema.sites.c.site_id)
        self.catalogs = _ids(conn, schema.catalogs.c.catalog_id)
        self.pricebooks = _ids(conn, schema.pricebooks.c.pricebook_id)
        self.inventory_lists = _ids(conn, schema.inventory_lists.c.list_id)
        libraries = schema.libraries.c
        self.libraries: dict[str, str | None] = dict(
            conn.execute(select(libraries.library_id, libraries.site_id).order_by(libraries.library_id)).all()
        )
        types = schema.object_types.c
        self.object_types = [(k, t) for k, t in conn.execute(select(types.kind, types.type_id))]
        extras = schema.extras.c
        meta = select(extras.owner_id).where(extras.owner_kind == "meta").distinct()
        self.meta_paths = sorted(conn.execute(meta).scalars())
        self.documents = _ids(conn, schema.documents.c.path)
        self.files = _ids(conn, schema.files.c.path)
        self.listed_customer_lists = self._listed_customer_lists(conn)
        self.customer_lists = self.listed_customer_lists | {
            o.id for o in map(owner_of, self.paths()) if o.group == "customer_lists" and o.id
        }
        self.sites = self.site_rows | {
            o.id for o in map(owner_of, self.paths()) if o.group == "sites" and o.id
        }
        self.sites |= {s for s in self.libraries.values() if s is not None}
        self.counts = _counts(conn)

    def paths(self) -> Iterable[str]:
        """Every stored path: documents, kept files, metadata files with elements of their own."""
        yield from self.documents
        yield from self.files
        yield from self.meta_paths

    @staticmethod
    def _listed_customer_lists(conn: Connection) -> set[str]:
        """The customer lists defined in customer-lists.xml."""
        elements = schema.document_elements.c
        query = select(elements.xml).where(elements.path == CUSTOMER_LISTS_FILE)
        ids = {etree.fromstring(xml).get(CUSTOMER_LIST_KEY) for xml in conn.execute(query).scalars()}
        return {i for i in ids if i}


def _ids(conn: Connection, column: object) -> set[str]:
    return set(conn.execute(select(column)).scalars())  # type: ignore[call-overload]


def _counts(conn: Connection) -> Counter[tuple[str, str]]:
    """Rows by (table, owner): what progress is measured against."""
    counts: Counter[tuple[str, str]] = Counter()
    owned = [
        (schema.categories, "catalog_id"),
        (schema.products, "catalog_id"),
        (schema.category_assignments, "catalog_id"),
        (schema.library_folders, "library_id"),
        (schema.content_assets, "library_id"),
        (schema.price_tables, "pricebook_id"),
        (schema.inventory_records, "list_id"),
        (schema.document_elements, "path"),
    ]
    for table, column in owned:
        for owner, n in conn.execute(select(table.c[column], func.count()).group_by(table.c[column])):
            counts[(table.name, owner)] = n
    extras = schema.extras.c
    query = select(extras.owner_kind, extras.owner_id, func.count()).group_by(
        extras.owner_kind, extras.owner_id
    )
    for kind, owner, n in conn.execute(query):
        counts[(kind, owner)] = n
    return counts


def select_units(conn: Connection, config: ExportDataUnitsConfiguration) -> Selection:
    """The steps and files of an export; raises DataUnitNotFound when a unit names what is not stored."""
    return _Planner(Store(conn), config).plan()


class _Planner:
    def __init__(self, store: Store, config: ExportDataUnitsConfiguration) -> None:
        self.store = store
        self.config = config
        self.steps: list[Step] = []
        self.files: dict[str, ArchiveFile] = {}
        self.by_owner: dict[Owner, list[str]] = defaultdict(list)
        for path in sorted(set(store.paths())):
            self.by_owner[owner_of(path)].append(path)

    def plan(self) -> Selection:
        self._global(self.config.selected_global())
        self._catalogs()
        self._lists()
        self._libraries()
        self._sites()
        self._customer_lists()
        return Selection(self.steps, self.files)

    # ---- units ---------------------------------------------------------------------------------------------

    def _catalogs(self) -> None:
        store = self.store
        for catalog in self._ids("catalogs", store.catalogs | self._owned("catalogs")):
            step = self._step("catalogs", catalog)
            if catalog in store.catalogs:
                self._add(step, self._container("catalog", catalog, f"catalogs/{catalog}/catalog.xml"))
            self._add_paths(step, Owner("catalogs", catalog))
        known = store.catalogs | self._owned("catalog_static_resources")
        for catalog in self._ids("catalog_static_resources", known):
            owner = Owner("catalog_static_resources", catalog)
            self._add_paths(self._step("catalog_static_resources", catalog), owner)

    def _lists(self) -> None:
        """Price books and inventory lists, a file each."""
        for book in self._ids("price_books", self.store.pricebooks):
            planned = self._container("pricebook", book, f"pricebooks/{book}.xml")
            self._add(self._step("price_books", book), planned)
        for inventory in self._ids("inventory_lists", self.store.inventory_lists):
            planned = self._container("inventory-list", inventory, f"inventory-lists/{inventory}.xml")
            self._add(self._step("inventory_lists", inventory), planned)

    def _libraries(self) -> None:
        """Libraries by id (`all`: the shared ones; a site's own comes with the site's content)."""
        store = self.store
        shared = {library for library, site in store.libraries.items() if site is None}
        for library in self._ids("libraries", set(store.libraries), everything=shared):
            step = self._step("libraries", library)
            site = store.libraries[library]
            self._add(step, self._library(library))
            self._add_paths(step, Owner("sites", site, "content") if site else Owner("libraries", library))
        known = set(store.libraries) | store.sites | self._owned("library_static_resources")
        for library in self._ids("library_static_resources", known):
            owner = Owner("library_static_resources", library)
            self._add_paths(self._step("library_static_resources", library), owner)

    def _customer_lists(self) -> None:
        store = self.store
        if ALL in self.config.selected_ids("customer_lists") and CUSTOMER_LISTS_FILE in store.documents:
            # All lists: their file whole, even when it defines none.
            self._add_paths(self._step("customer_lists", None), Owner("customer_lists"))
        for customer_list in self._ids("customer_lists", store.customer_lists):
            step = self._step("customer_lists", customer_list)
            if customer_list in store.listed_customer_lists:
                self._add(step, self._document(CUSTOMER_LISTS_FILE, frozenset({customer_list})))
            self._add_paths(step, Owner("customer_lists", customer_list))

    def _global(self, units: list[str]) -> None:
        if not units:
            return
        step = self._step("global_data", None)
        types = self.store.object_types
        for unit in units:
            if unit == "meta_data":
                self._metadata(step, "type-extension", None, types)
            elif unit == "custom_types":
                self._metadata(step, "custom-type", None, types)
            elif unit == "custom_preference_groups":
                self._metadata(step, "type-extension", frozenset(PREFERENCE_TYPES), types)
            self._add_paths(step, Owner("global_data", None, None if unit == ALL else unit))

    def _metadata(self, step: Step, kind: str, keep: Keep, types: list[tuple[str, str]]) -> None:
        stored = [t for k, t in types if k == kind and (keep is None or t in keep)]
        if stored:
            path = META_FILE_OF[kind]
            self._add(step, ArchiveFile(path, "metadata", path, {kind: keep}, len(stored)))

    def _sites(self) -> None:
        config = self.config
        store = self.store
        chosen: dict[str, list[str]] = {}
        for site in config.sites:
            units = config.selected_units(site)
            if not units:
                continue
            if site == ALL:
                for each in sorted(store.sites):
                    chosen.setdefault(each, []).extend(units)
            elif site not in store.sites:
                raise DataUnitNotFound(
                    f"Data unit sites.{site}: there is no site '{site}' in the site store."
                )
            else:
                chosen.setdefault(site, []).extend(units)
        for site, units in chosen.items():
            step = self._step("sites", site)
            for unit in dict.fromkeys(units):
                if unit == "site_descriptor" and site in store.site_rows:
                    self._add(step, ArchiveFile(f"sites/{site}/site.xml", "site", site, rows=1))
                elif unit == "content":
                    for library, owner in store.libraries.items():
                        if owner == site:
                            self._add(step, self._library(library))
                self._add_paths(step, Owner("sites", site, None if unit == ALL else unit))

    # ---- resolving ids -------------------------------------------------------------------------------------

    def _ids(self, group: str, known: set[str], everything: set[str] | None = None) -> list[str]:
        """The ids a map selects (`all`: every one stored), each checked against the store."""
        chosen: list[str] = []
        for key in self.config.selected_ids(group):
            if key == ALL:
                chosen.extend(sorted(known if everything is None else everything))
            elif key not in known:
                raise DataUnitNotFound(f"Data unit {group}.{key}: there is no '{key}' in the site store.")
            else:
                chosen.append(key)
        return list(dict.fromkeys(chosen))

    def _owned(self, group: str) -> set[str]:
        return {o.id for o in self.by_owner if o.group == group and o.id is not None}

    # ---- files ---------------------------------------------------------------------------------------------

    def _step(self, group: str, owned: str | None) -> Step:
        step = Step(group if owned is None else f"{group}/{owned}", group)
        self.steps.append(step)
        return step

    def _add(self, step: Step, planned: ArchiveFile) -> None:
        existing = self.files.get(planned.path)
        if existing is None:
            self.files[planned.path] = planned
            step.paths.append(planned.path)
        else:
            existing.merge(planned)

    def _add_paths(self, step: Step, owner: Owner) -> None:
        """The documents, kept files and metadata files stored at the paths `owner` claims."""
        store = self.store
        for path in self.by_owner.get(owner, ()):
            if path in store.documents:
                self._add(step, self._document(path, None))
            if path in store.files:
                self._add(step, ArchiveFile(path, "file", path, rows=1))
            if path in store.meta_paths:
                rows = store.counts[("meta", path)]
                self._add(step, ArchiveFile(path, "metadata", path, {"extras": None}, rows))

    def _document(self, path: str, keep: Keep) -> ArchiveFile:
        rows = self.store.counts[(schema.document_elements.name, path)] + 1
        return ArchiveFile(path, "document", path, {"elements": keep}, rows)

    def _container(self, kind: Kind, owned: str, path: str) -> ArchiveFile:
        return ArchiveFile(path, kind, owned, rows=self._rows(kind, owned))

    def _library(self, library: str) -> ArchiveFile:
        site = self.store.libraries[library]
        path = f"sites/{site}/library/library.xml" if site else f"libraries/{library}/library.xml"
        return self._container("library", library, path)

    def _rows(self, kind: str, owned: str) -> int:
        tables = {
            "catalog": (schema.categories, schema.products, schema.category_assignments),
            "library": (schema.library_folders, schema.content_assets),
            "pricebook": (schema.price_tables,),
            "inventory-list": (schema.inventory_records,),
        }[kind]
        counts = self.store.counts
        return 1 + counts[(kind, owned)] + sum(counts[(t.name, owned)] for t in tables)
