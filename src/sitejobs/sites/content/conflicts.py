"""What installing a template would change for others: an installed theme or component (or template) of the
same name with different files, and the templates and sites that use it.

Themes and components are shared by name: every site renders with its theme's folder and with the one
components folder. So a template that ships `themeName: X` or a component `Y` that already exist with other files
would change what every user of X or Y serves after their next publish.
"""

from __future__ import annotations

import filecmp
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from sitejobs.sites.content import schema
from sitejobs.sites.content.store import ContentStore


@dataclass(frozen=True)
class Change:
    """One installed thing the template would overwrite, and who uses it."""

    kind: str  # "template", "theme", "component"
    name: str
    templates: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)

    @property
    def users(self) -> bool:
        return bool(self.templates or self.sites)

    def describe(self) -> str:
        users = [f"template '{t}'" for t in self.templates] + [f"site '{s}'" for s in self.sites]
        return f"{self.kind} '{self.name}'" + (f" (used by {', '.join(users)})" if users else "")


def same_files(a: Path, b: Path) -> bool:
    """Whether two folders hold the same files with the same bytes."""
    if not a.is_dir() or not b.is_dir():
        return a.is_dir() == b.is_dir()
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    if files_a != files_b:
        return False
    return all(filecmp.cmp(a / rel, b / rel, shallow=False) for rel in files_a)


def changes(
    store: ContentStore,
    template: str,
    template_root: Path,
    theme: tuple[str, Path],
    components: Iterable[Path],
) -> list[Change]:
    """The installed things this template would change, each with the other templates and the sites using it."""
    found: list[Change] = []
    if _differs(store, "templates", template, template_root):
        found.append(Change("template", template, sites=_sites_where(store, template_name=template)))
    theme_name, theme_dir = theme
    if _differs(store, "themes", theme_name, theme_dir):
        templates = [
            r["name"]
            for r in store.resources("templates")
            if r["theme_name"] == theme_name and r["name"] != template
        ]
        found.append(Change("theme", theme_name, templates, _sites_where(store, theme_name=theme_name)))
    wanted = {c.name: c for c in components if _differs(store, "components", c.name, c)}
    if wanted:
        users = _component_users(store, set(wanted), template)
        for name in sorted(wanted):
            templates, sites = users.get(name, ([], []))
            found.append(Change("component", name, sorted(templates), sorted(sites)))
    return found


def _differs(store: ContentStore, kind: str, name: str, source: Path) -> bool:
    installed = store.folder(kind, name)
    return installed.exists() and not same_files(source, installed)


def _sites_where(store: ContentStore, **column: str) -> list[str]:
    ((name, value),) = column.items()
    table = schema.sites
    with store.db.connect() as conn:
        rows = conn.execute(select(table.c.name).where(table.c[name] == value).order_by(table.c.name))
        return [r.name for r in rows]


def _component_users(
    store: ContentStore, names: set[str], template: str
) -> dict[str, tuple[list[str], list[str]]]:
    """Per component: the other templates that ship it, and the sites made from a template that ships it (they
    reach it through their content layouts) or whose pages place it."""
    users: dict[str, tuple[list[str], list[str]]] = {n: ([], []) for n in names}
    seen: set[tuple[str, str]] = set()

    def site_uses(name: str, site_name: str) -> None:
        if (name, site_name) not in seen:
            seen.add((name, site_name))
            users[name][1].append(site_name)

    for row in store.resources("templates"):
        shipped = store.folder("templates", row["name"]) / "components"
        for name in names:
            if (shipped / name).is_dir():
                if row["name"] != template:
                    users[name][0].append(row["name"])
                for site_name in _sites_where(store, template_name=row["name"]):
                    site_uses(name, site_name)
    pages, sites = schema.pages, schema.sites
    with store.db.connect() as conn:
        rows = conn.execute(select(sites.c.name, pages.c.document).join(pages, pages.c.site_id == sites.c.id))
        for site_name, document in rows:
            for name in _instance_ids(document) & names:
                site_uses(name, site_name)
    return users


def _instance_ids(document: str) -> set[str]:
    try:
        page = orjson.loads(document)
    except orjson.JSONDecodeError:
        return set()
    instances = page.get("componentInstances") if isinstance(page, dict) else None
    return set(_ids(instances.values())) if isinstance(instances, dict) else set()


def _ids(instances: Iterable[Any]) -> Iterator[str]:
    for instance in instances:
        if isinstance(instance, dict):
            for key in ("id", "name"):
                if isinstance(instance.get(key), str):
                    yield instance[key]
