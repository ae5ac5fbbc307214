"""A site's documents as the files the Documents API shows in the site's folder, read and written whole.

On Content Management a site is a folder holding `siteinfo.json`, `structure.json` and `pages/{id}.json`; the
toolkit reads and rewrites them (`cec set-theme`, `control-site set-custom-property`, `publish -a`). Here the
same documents live in the site store's rows, so a write is checked as a template's would be (the same rules
as `template.py`), then changes the rows in one transaction and moves the file to its next version; the
version it replaces is kept (`site_file_revisions`), so every earlier version can still be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, select

from sitejobs.engine.db import write_transaction
from sitejobs.engine.models import now_ms
from sitejobs.errors import BadRequest, TemplateInvalid
from sitejobs.sites.content import schema
from sitejobs.sites.content.names import layout_name, plain_name_problem
from sitejobs.sites.content.store import ContentStore, SiteRow
from sitejobs.sites.content.template import check_structure

SITEINFO = "siteinfo.json"
STRUCTURE = "structure.json"
PAGES = "pages"


@dataclass(frozen=True)
class FileVersion:
    version: int
    updated_by: str
    updated_at: int


def page_path(page_id: int) -> str:
    return f"{PAGES}/{page_id}.json"


def page_id_of(path: str) -> int | None:
    """The page a `pages/{id}.json` path names, or None."""
    folder, _, name = path.partition("/")
    stem = name.removesuffix(".json")
    if folder != PAGES or stem == name or not stem.isdigit() or len(stem) > 18:
        return None
    return int(stem)


class SiteDocuments:
    def __init__(self, store: ContentStore) -> None:
        self.store = store

    def files(self, site: SiteRow) -> dict[str, bytes]:
        """Every file of the site's folder by path: the two site documents, then the pages in structure order
        (the site is read once)."""
        content = self.store.load(site)
        files = {SITEINFO: _dumps(content.siteinfo), STRUCTURE: _dumps({"pages": content.structure})}
        for entry in content.structure:
            if entry["id"] in content.pages:
                files[page_path(entry["id"])] = _dumps(content.pages[entry["id"]])
        return files

    def read(self, site: SiteRow, path: str) -> bytes | None:
        """One file's bytes, or None when the site has no such file."""
        content = self.store.load(site)
        if path == SITEINFO:
            return _dumps(content.siteinfo)
        if path == STRUCTURE:
            return _dumps({"pages": content.structure})
        page_id = page_id_of(path)
        if page_id is None or page_id not in content.pages:
            return None
        return _dumps(content.pages[page_id])

    def versions(self, site: SiteRow) -> dict[str, FileVersion]:
        """The version of each file written through the Documents API; the others are at version 1."""
        t = schema.site_file_versions
        with self.store.db.connect() as conn:
            rows = conn.execute(select(t).where(t.c.site_id == site.id)).all()
        return {r.path: FileVersion(r.version, r.updated_by, r.updated_at) for r in rows}

    def version(self, site: SiteRow, path: str) -> FileVersion:
        return self.versions(site).get(path) or FileVersion(1, site.owner, site.created_at)

    def write(self, site: SiteRow, path: str, data: bytes, user_name: str) -> FileVersion:
        """Replace the file with `data` (a new version). BadRequest says what is wrong with a refused one."""
        document = _json_object(data, path)
        with write_transaction(self.store.db) as conn:  # reads, then writes: take the write lock first
            replaced = _current_bytes(conn, site.id, path)
            before = _version_in(conn, site, path)
            if path == SITEINFO:
                self._write_siteinfo(conn, site, document)
            elif path == STRUCTURE:
                self._write_structure(conn, site, document)
            elif (page_id := page_id_of(path)) is not None:
                self._write_page(conn, site, page_id, document)
            else:
                raise BadRequest(
                    f"A site's folder holds only {SITEINFO}, {STRUCTURE} and {PAGES}/{{id}}.json."
                )
            conn.execute(
                schema.sites.update().where(schema.sites.c.id == site.id).values(updated_at=now_ms())
            )
            if replaced is not None:
                keep_revision(conn, site.id, path, before, replaced)
            return _next_version(conn, site.id, path, user_name)

    def revisions(self, site: SiteRow, path: str) -> list[tuple[FileVersion, int]]:
        """Every version of the file with its size, the latest first: the current one, then those kept."""
        t = schema.site_file_revisions
        with self.store.db.connect() as conn:
            rows = conn.execute(
                select(t.c.version, t.c.updated_by, t.c.updated_at, func.length(t.c.data).label("size"))
                .where(t.c.site_id == site.id, t.c.path == path)
                .order_by(t.c.version.desc())
            ).all()
        current = (self.version(site, path), len(self.read(site, path) or b""))
        return [current, *((FileVersion(r.version, r.updated_by, r.updated_at), r.size) for r in rows)]

    def read_version(self, site: SiteRow, path: str, version: int) -> bytes | None:
        """The bytes of one version of the file (the current one from the site itself), or None."""
        if version == self.version(site, path).version:
            return self.read(site, path)
        t = schema.site_file_revisions
        with self.store.db.connect() as conn:
            data: bytes | None = conn.execute(
                select(t.c.data).where(t.c.site_id == site.id, t.c.path == path, t.c.version == version)
            ).scalar()
        return data

    def _write_siteinfo(self, conn: Connection, site: SiteRow, document: dict[str, Any]) -> None:
        properties = document.get("properties")
        if not isinstance(properties, dict):
            raise BadRequest(f"{SITEINFO} has no 'properties' object.")
        if properties.get("siteName", site.name) != site.name:
            raise BadRequest(f"{SITEINFO}: properties.siteName must stay '{site.name}'.")
        theme = properties.get("themeName", site.theme_name)
        if theme != site.theme_name and (
            plain_name_problem(theme) or self.store.resource("themes", f"name:{theme}") is None
        ):
            raise BadRequest(f"{SITEINFO}: there is no theme '{theme}'.")
        conn.execute(
            schema.sites.update()
            .where(schema.sites.c.id == site.id)
            .values(siteinfo=orjson.dumps(document).decode(), theme_name=theme)
        )

    def _write_structure(self, conn: Connection, site: SiteRow, document: dict[str, Any]) -> None:
        try:
            entries = check_structure(document)
        except TemplateInvalid as exc:
            raise BadRequest(exc.message.replace("template/", "")) from None
        p = schema.pages
        existing = dict(conn.execute(select(p.c.page_id, p.c.document).where(p.c.site_id == site.id)).all())
        missing = [e["id"] for e in entries if e["id"] not in existing]
        if missing:
            raise BadRequest(f"{STRUCTURE}: pages {missing} have no {PAGES}/{{id}}.json in this site.")
        conn.execute(delete(p).where(p.c.site_id == site.id))
        conn.execute(
            p.insert(),
            [
                {
                    "site_id": site.id,
                    "page_id": entry["id"],
                    "position": position,
                    "entry": orjson.dumps(entry).decode(),
                    "document": existing[entry["id"]],
                }
                for position, entry in enumerate(entries)
            ],
        )

    def _write_page(self, conn: Connection, site: SiteRow, page_id: int, document: dict[str, Any]) -> None:
        layout = layout_name(document)
        if plain_name_problem(layout):
            raise BadRequest(f"{page_path(page_id)} has a pageLayout that is not a plain file name.")
        if not (self.store.folder("themes", site.theme_name) / "layouts" / str(layout)).is_file():
            raise BadRequest(f"{page_path(page_id)}: theme {site.theme_name} has no layout '{layout}'.")
        p = schema.pages
        changed = conn.execute(
            p.update()
            .where(p.c.site_id == site.id, p.c.page_id == page_id)
            .values(document=orjson.dumps(document).decode())
        ).rowcount
        if changed != 1:
            raise BadRequest(f"Page {page_id} is not in {STRUCTURE}: add it there first.")


def _dumps(document: object) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)


def _json_object(data: bytes, path: str) -> dict[str, Any]:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BadRequest(f"{path} is not valid JSON.") from None
    if not isinstance(document, dict):
        raise BadRequest(f"{path} is not a JSON object.")
    return document


def _version_in(conn: Connection, site: SiteRow, path: str) -> FileVersion:
    t = schema.site_file_versions
    row = conn.execute(
        select(t.c.version, t.c.updated_by, t.c.updated_at).where(t.c.site_id == site.id, t.c.path == path)
    ).first()
    return (
        FileVersion(row.version, row.updated_by, row.updated_at)
        if row
        else FileVersion(1, site.owner, site.created_at)
    )


def _current_bytes(conn: Connection, site_id: str, path: str) -> bytes | None:
    """The file as `SiteDocuments.read` shows it, read in the writer's transaction."""
    if path == SITEINFO:
        raw = conn.execute(select(schema.sites.c.siteinfo).where(schema.sites.c.id == site_id)).scalar()
        return None if raw is None else _dumps(orjson.loads(raw))
    p = schema.pages
    if path == STRUCTURE:
        entries = conn.execute(
            select(p.c.entry).where(p.c.site_id == site_id).order_by(p.c.position)
        ).scalars()
        return _dumps({"pages": [orjson.loads(e) for e in entries]})
    page_id = page_id_of(path)
    if page_id is None:
        return None
    raw = conn.execute(select(p.c.document).where(p.c.site_id == site_id, p.c.page_id == page_id)).scalar()
    return None if raw is None else _dumps(orjson.loads(raw))


def keep_revision(conn: Connection, site_id: str, path: str, version: FileVersion, data: bytes) -> None:
    """Keep the version a write replaces (once: a writer that lost the race for its number rolls back)."""
    conn.execute(
        schema.site_file_revisions.insert().values(
            site_id=site_id,
            path=path,
            version=version.version,
            data=data,
            updated_by=version.updated_by,
            updated_at=version.updated_at,
        )
    )


def _next_version(conn: Connection, site_id: str, path: str, user_name: str) -> FileVersion:
    """One statement moves an existing version on, so two writers never get the same number (the first
    write of a file inserts version 2; of two concurrent first writes, one fails on the primary key and rolls back)."""
    t = schema.site_file_versions
    now = now_ms()
    where = (t.c.site_id == site_id) & (t.c.path == path)
    moved = conn.execute(
        t.update().where(where).values(version=t.c.version + 1, updated_by=user_name, updated_at=now)
    ).rowcount
    if moved == 0:
        conn.execute(
            t.insert().values(site_id=site_id, path=path, version=2, updated_by=user_name, updated_at=now)
        )
    version: int = conn.execute(select(t.c.version).where(where)).scalar_one()
    return FileVersion(version, user_name, now)
