"""The content site store: templates, themes, components, sites with their pages, members and languages.

Each method is one short transaction. Site documents go in and out as `SiteContent`; files stay on disk under
`content_dir` (`templates/NAME`, `themes/NAME`, `components/NAME`, `published/SITE`, `files/ID`).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, Row, Table, delete, func, or_, select

from sitejobs.auth.users import User, new_guid
from sitejobs.engine.db import write_transaction
from sitejobs.engine.models import now_ms
from sitejobs.errors import PathOutsideArea
from sitejobs.sites.area import leaves
from sitejobs.sites.content import schema
from sitejobs.sites.content.model import LanguageVariant, SiteContent

RESOURCE_TABLES: dict[str, Table] = {
    "templates": schema.templates,
    "themes": schema.themes,
    "components": schema.components,
}
#: Roles a site can be shared with, as OCE names them; each includes the ones after it.
ROLES = ("manager", "contributor", "downloader", "viewer")


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


@dataclass(frozen=True)
class SiteRow:
    id: str
    name: str
    owner: str
    description: str
    template_name: str | None
    theme_name: str
    default_language: str
    localization_policy: str | None
    site_prefix: str
    repository_id: str | None
    runtime_status: str
    created_at: int
    updated_at: int
    published_at: int | None
    #: When the site went to the trash; None for a site in use.
    deleted_at: int | None

    @classmethod
    def from_row(cls, row: Row[Any]) -> SiteRow:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


class ContentStore:
    def __init__(self, db: Engine, content_dir: Path) -> None:
        self.db = db
        self.content_dir = content_dir

    # ---- folders ----------------------------------------------------------------------------------------------

    def folder(self, kind: str, name: str) -> Path:
        """Where a template, theme, component or published site keeps its files."""
        return self.inside(self.content_dir / kind / name)

    def published_dir(self, site_name: str) -> Path:
        """A published site's static files, served under `/site/NAME/`."""
        return self.inside(self.content_dir / "published" / "sites" / site_name)

    def published_resource_dir(self, kind: str, name: str) -> Path:
        """A published theme's or component's files, served under `/_themes/NAME/` or `/_compdelivery/NAME/`."""
        return self.inside(self.content_dir / "published" / kind / name)

    def inside(self, path: Path) -> Path:
        """`path`, unless a symbolic link on the way leads out of the content folder (PathOutsideArea)."""
        if leaves(path, self.content_dir):
            raise PathOutsideArea(f"'{path.relative_to(self.content_dir)}' leads out of the content folder.")
        return path

    # ---- templates, themes, components ------------------------------------------------------------------------

    def resources(self, kind: str, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        table = RESOURCE_TABLES[kind]
        query = select(table).order_by(table.c.name)
        if not include_deleted:
            query = query.where(table.c.deleted_at.is_(None))
        with self.db.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def resource(self, kind: str, ref: str, *, include_deleted: bool = False) -> dict[str, Any] | None:
        """A template, theme or component by id or by `name:NAME`; one in the trash only with
        `include_deleted` (a name in the trash is still taken)."""
        table = RESOURCE_TABLES[kind]
        where = table.c.name == ref[5:] if ref.startswith("name:") else table.c.id == ref
        query = select(table).where(where)
        if not include_deleted:
            query = query.where(table.c.deleted_at.is_(None))
        with self.db.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else dict(row._mapping)

    def put_resource(self, kind: str, name: str, owner: str, **values: Any) -> dict[str, Any]:
        """Create the named resource, or update it (same id, out of the trash) when one of that name exists."""
        table = RESOURCE_TABLES[kind]
        now = now_ms()
        # It reads, then writes: on SQLite the write lock is taken up front, or a commit by another writer in
        # between makes the write fail at once ("database is locked") instead of waiting.
        with write_transaction(self.db) as conn:
            existing = conn.execute(select(table.c.id).where(table.c.name == name)).scalar()
            if existing is None:
                prefix = {"templates": "T", "themes": "TH", "components": "C"}[kind]
                row_id = new_guid(prefix)
                conn.execute(
                    table.insert().values(
                        id=row_id, name=name, owner=owner, created_at=now, updated_at=now, **values
                    )
                )
            else:
                row_id = existing
                conn.execute(
                    table.update()
                    .where(table.c.id == row_id)
                    .values(updated_at=now, deleted_at=None, **values)
                )
        found = self.resource(kind, row_id)
        assert found is not None
        return found

    def trash_resource(self, kind: str, resource_id: str) -> bool:
        """Move a template, theme or component to the trash: false (and no change) when it is already there."""
        table = RESOURCE_TABLES[kind]
        with write_transaction(self.db) as conn:
            changed = conn.execute(
                table.update()
                .where(table.c.id == resource_id, table.c.deleted_at.is_(None))
                .values(deleted_at=now_ms())
            ).rowcount
        return changed == 1

    def delete_resource(self, kind: str, resource_id: str) -> bool:
        """Delete a template, theme or component for good (in the trash or not): its row, members, files and
        published files. False when there was none."""
        table = RESOURCE_TABLES[kind]
        row = self.resource(kind, resource_id, include_deleted=True)
        if row is None:
            return False
        with write_transaction(self.db) as conn:
            conn.execute(
                delete(schema.resource_members).where(schema.resource_members.c.resource_id == row["id"])
            )
            deleted = conn.execute(delete(table).where(table.c.id == row["id"])).rowcount
        if deleted == 1:
            shutil.rmtree(self.folder(kind, row["name"]), ignore_errors=True)
            if kind != "templates":
                shutil.rmtree(self.published_resource_dir(kind, row["name"]), ignore_errors=True)
        return deleted == 1

    def theme_users(self, theme_name: str) -> list[str]:
        """The sites (in use or in the trash) and templates that use the theme, by name."""
        s, t = schema.sites, schema.templates
        with self.db.connect() as conn:
            sites = conn.execute(select(s.c.name).where(s.c.theme_name == theme_name)).scalars().all()
            templates = conn.execute(select(t.c.name).where(t.c.theme_name == theme_name)).scalars().all()
        return [*sites, *templates]

    def mark_published(self, kind: str, resource_id: str) -> None:
        table = RESOURCE_TABLES[kind]
        with write_transaction(self.db) as conn:
            conn.execute(table.update().where(table.c.id == resource_id).values(published_at=now_ms()))

    # ---- sites ------------------------------------------------------------------------------------------------

    def site(self, ref: str, *, include_deleted: bool = False) -> SiteRow | None:
        """A site by id or `name:NAME` (names compare without case, as OCE's do); one in the trash only
        with `include_deleted`."""
        s = schema.sites
        where = func.lower(s.c.name) == ref[5:].lower() if ref.startswith("name:") else s.c.id == ref
        query = select(*self._site_columns()).where(where)
        if not include_deleted:
            query = query.where(s.c.deleted_at.is_(None))
        with self.db.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else SiteRow.from_row(row)

    def sites(self, visible_to: User | None = None, *, include_deleted: bool = False) -> list[SiteRow]:
        s, m = schema.sites, schema.site_members
        query = select(*self._site_columns()).order_by(s.c.name)
        if not include_deleted:
            query = query.where(s.c.deleted_at.is_(None))
        if visible_to is not None and not visible_to.is_admin:
            shared = select(m.c.site_id).where(m.c.user_name == visible_to.name)
            query = query.where(or_(s.c.owner == visible_to.name, s.c.id.in_(shared)))
        with self.db.connect() as conn:
            return [SiteRow.from_row(r) for r in conn.execute(query)]

    def role_of(self, site: SiteRow, user: User) -> str | None:
        """The user's role on the site: the owner and administrators manage it; others by membership."""
        if user.is_admin:
            return "manager"
        return self.role_of_name(site, user.name)

    def role_of_name(self, site: SiteRow, user_name: str) -> str | None:
        if site.owner == user_name:
            return "manager"
        m = schema.site_members
        with self.db.connect() as conn:
            role: str | None = conn.execute(
                select(m.c.role).where(m.c.site_id == site.id, m.c.user_name == user_name)
            ).scalar()
        return role

    def share(self, site_id: str, user_name: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        m = schema.site_members
        with write_transaction(self.db) as conn:
            conn.execute(delete(m).where(m.c.site_id == site_id, m.c.user_name == user_name))
            conn.execute(m.insert().values(site_id=site_id, user_name=user_name, role=role))

    def members(self, site_id: str) -> list[tuple[str, str]]:
        """The users the site is shared with and their roles (the owner is not among them)."""
        m = schema.site_members
        with self.db.connect() as conn:
            rows = conn.execute(
                select(m.c.user_name, m.c.role).where(m.c.site_id == site_id).order_by(m.c.user_name)
            ).all()
        return [(r.user_name, r.role) for r in rows]

    def name_taken(self, name: str) -> bool:
        """Whether a site has the name, counting sites in the trash (they keep it until deleted for good)."""
        return self.site(f"name:{name}", include_deleted=True) is not None

    def create_site(self, row: dict[str, Any], content: SiteContent) -> SiteRow:
        """Insert the site and all its documents in one transaction; `row` holds the oce_sites columns."""
        now = now_ms()
        site_id = row.get("id") or new_guid("F")
        values = {
            **row,
            "id": site_id,
            "siteinfo": _dumps(content.siteinfo),
            "default_language": content.default_language,
            "created_at": now,
            "updated_at": now,
        }
        with write_transaction(self.db) as conn:
            conn.execute(schema.sites.insert().values(**values))
            self._write_documents(conn, site_id, content)
        found = self.site(site_id)
        assert found is not None
        return found

    def trash_site(self, site_id: str) -> bool:
        """Move an offline site to the trash: false (and no change) when it is online or already there."""
        s = schema.sites
        with write_transaction(self.db) as conn:
            changed = conn.execute(
                s.update()
                .where(s.c.id == site_id, s.c.runtime_status == "offline", s.c.deleted_at.is_(None))
                .values(deleted_at=now_ms())
            ).rowcount
        return changed == 1

    def restore_site(self, site_id: str) -> bool:
        """Take a site out of the trash: false (and no change) when it is not there."""
        s = schema.sites
        with write_transaction(self.db) as conn:
            changed = conn.execute(
                s.update().where(s.c.id == site_id, s.c.deleted_at.is_not(None)).values(deleted_at=None)
            ).rowcount
        return changed == 1

    def delete_site(self, site_id: str) -> None:
        with write_transaction(self.db) as conn:
            for table in (
                schema.pages,
                schema.site_languages,
                schema.content_items,
                schema.site_members,
                schema.site_access,
                schema.site_settings,
            ):
                conn.execute(delete(table).where(table.c.site_id == site_id))
            conn.execute(delete(schema.sites).where(schema.sites.c.id == site_id))

    def load(self, site: SiteRow) -> SiteContent:
        s = schema
        with self.db.connect() as conn:
            siteinfo = conn.execute(select(s.sites.c.siteinfo).where(s.sites.c.id == site.id)).scalar_one()
            page_rows = conn.execute(
                select(s.pages.c.page_id, s.pages.c.entry, s.pages.c.document)
                .where(s.pages.c.site_id == site.id)
                .order_by(s.pages.c.position)
            ).all()
            variants = conn.execute(
                select(s.site_languages.c.language, s.site_languages.c.variant).where(
                    s.site_languages.c.site_id == site.id
                )
            ).all()
            items = conn.execute(
                select(s.content_items.c.item_id, s.content_items.c.document).where(
                    s.content_items.c.site_id == site.id
                )
            ).all()
        translations = {}
        for language, raw in variants:
            doc = orjson.loads(raw)
            translations[language] = LanguageVariant(
                siteinfo=doc["siteinfo"],
                structure=doc["structure"],
                pages={int(k): v for k, v in doc["pages"].items()},
                content_items=doc.get("content_items", {}),
            )
        return SiteContent(
            name=site.name,
            siteinfo=orjson.loads(siteinfo),
            structure=[orjson.loads(r.entry) for r in page_rows],
            pages={int(r.page_id): orjson.loads(r.document) for r in page_rows},
            default_language=site.default_language,
            translations=translations,
            content_items={r.item_id: orjson.loads(r.document) for r in items},
        )

    def save_translations(self, site_id: str, translations: dict[str, LanguageVariant]) -> None:
        """Replace the given languages' variants of the site (one transaction)."""
        t = schema.site_languages
        with write_transaction(self.db) as conn:
            for language, variant in translations.items():
                conn.execute(delete(t).where(t.c.site_id == site_id, t.c.language == language))
                conn.execute(t.insert().values(site_id=site_id, language=language, variant=_variant(variant)))
            self._touch(conn, site_id)

    def update_site(self, site_id: str, **values: Any) -> None:
        with write_transaction(self.db) as conn:
            conn.execute(schema.sites.update().where(schema.sites.c.id == site_id).values(**values))

    def published_fingerprints(self, site_id: str) -> dict[str, dict[int, str]]:
        """The page fingerprints of the last publish, by language ("" for the base site)."""
        with self.db.connect() as conn:
            raw = conn.execute(
                select(schema.sites.c.published_fingerprints).where(schema.sites.c.id == site_id)
            ).scalar()
        stored = orjson.loads(raw) if raw else {}
        return {lang: {int(k): v for k, v in pages.items()} for lang, pages in stored.items()}

    def record_publish(self, site_id: str, fingerprints: dict[str, dict[int, str]]) -> None:
        stored = {lang: {str(k): v for k, v in pages.items()} for lang, pages in fingerprints.items()}
        self.update_site(site_id, published_fingerprints=_dumps(stored), published_at=now_ms())

    def set_online(self, site_id: str, online: bool) -> bool:
        """Bring the site online or take it offline. Only a published site can go online: false (and no
        change) when it is not, checked in the same statement as the change."""
        s = schema.sites
        where = [s.c.id == site_id] + ([s.c.published_at.is_not(None)] if online else [])
        status = "online" if online else "offline"
        with write_transaction(self.db) as conn:
            changed = conn.execute(s.update().where(*where).values(runtime_status=status)).rowcount
        return changed == 1

    def unpublish_site(self, site: SiteRow) -> bool:
        """Forget the last publish (the next one renders every page) and remove the published files. Only an
        offline site can be unpublished: false (and no change) when it is online."""
        s = schema.sites
        with write_transaction(self.db) as conn:
            changed = conn.execute(
                s.update()
                .where(s.c.id == site.id, s.c.runtime_status == "offline")
                .values(published_fingerprints=None, published_at=None)
            ).rowcount
        if changed == 1:
            shutil.rmtree(self.published_dir(site.name), ignore_errors=True)
        return changed == 1

    # ---- files (translation zips) -----------------------------------------------------------------------------

    def add_file(
        self, name: str, owner: str, folder_id: str, source: Path, *, site_id: str | None = None
    ) -> dict[str, Any]:
        """Move `source` into the file area and record it (translation zips, uploads)."""
        file_id = new_guid("D")
        target = self.inside(self.content_dir / "files" / file_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(source), target)
        row = {
            "id": file_id,
            "name": name,
            "owner": owner,
            "folder_id": folder_id,
            "site_id": site_id,
            "path": str(target),
            "size": target.stat().st_size,
            "created_at": now_ms(),
        }
        with write_transaction(self.db) as conn:
            conn.execute(schema.files.insert().values(**row))
        return row

    def file(self, file_id: str) -> dict[str, Any] | None:
        with self.db.connect() as conn:
            row = conn.execute(select(schema.files).where(schema.files.c.id == file_id)).first()
        return None if row is None else dict(row._mapping)

    def files_in(self, owner: str, folder_id: str) -> list[dict[str, Any]]:
        """The files a user keeps in a folder (their home folder is "self"), by name."""
        f = schema.files
        query = select(f).where(f.c.owner == owner, f.c.folder_id == folder_id).order_by(f.c.name, f.c.id)
        with self.db.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def delete_file(self, file_id: str) -> bool:
        """Forget the file and remove its bytes: false when there was no such file."""
        row = self.file(file_id)
        with write_transaction(self.db) as conn:
            deleted = conn.execute(delete(schema.files).where(schema.files.c.id == file_id)).rowcount
        if row is not None and deleted == 1:
            Path(row["path"]).unlink(missing_ok=True)
        return deleted == 1

    # ---- helpers ----------------------------------------------------------------------------------------------

    @staticmethod
    def _site_columns() -> Sequence[Any]:
        return [schema.sites.c[name] for name in SiteRow.__dataclass_fields__]

    @staticmethod
    def _touch(conn: Connection, site_id: str) -> None:
        conn.execute(schema.sites.update().where(schema.sites.c.id == site_id).values(updated_at=now_ms()))

    @staticmethod
    def _write_documents(conn: Connection, site_id: str, content: SiteContent) -> None:
        page_rows = [
            {
                "site_id": site_id,
                "page_id": entry["id"],
                "position": position,
                "entry": _dumps(entry),
                "document": _dumps(content.pages.get(entry["id"], {})),
            }
            for position, entry in enumerate(content.structure)
        ]
        if page_rows:
            conn.execute(schema.pages.insert(), page_rows)
        for language, variant in content.translations.items():
            conn.execute(
                schema.site_languages.insert().values(
                    site_id=site_id, language=language, variant=_variant(variant)
                )
            )
        items = [
            {"site_id": site_id, "item_id": item_id, "document": _dumps(doc)}
            for item_id, doc in content.content_items.items()
        ]
        if items:
            conn.execute(schema.content_items.insert(), items)


def _variant(variant: LanguageVariant) -> str:
    return _dumps(
        {
            "siteinfo": variant.siteinfo,
            "structure": variant.structure,
            "pages": {str(k): v for k, v in variant.pages.items()},
            "content_items": variant.content_items,
        }
    )
