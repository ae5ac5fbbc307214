"""Templates in and out: create a template from a site, export a template as a zip into the caller's home
folder, import an uploaded template zip, copy a template."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import orjson

from sitejobs.engine.context import JobContext
from sitejobs.errors import ResourceAlreadyExists, SitejobsError, TemplateInvalid, TemplateNotFound
from sitejobs.jobs.oce.base import content_store, copy_tree, fail, oce_job, target_site
from sitejobs.sites.content.install import install_template
from sitejobs.sites.content.store import ContentStore
from sitejobs.sites.content.template import load_template
from sitejobs.sites.content.template_out import used_component_names, write_template, zip_folder


def _scratch(store: ContentStore) -> Path:
    folder = store.content_dir / ".scratch"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=folder))


def _template(ctx: JobContext, store: ContentStore) -> dict[str, Any]:
    row = store.resource("templates", ctx.params["target_resource"])
    if row is None:
        raise fail(ctx, TemplateNotFound(ctx.params["target_resource"]))
    return row


def _name_free(ctx: JobContext, store: ContentStore, name: str) -> None:
    if store.resource("templates", f"name:{name}", include_deleted=True) is not None:
        raise fail(ctx, ResourceAlreadyExists("template", name))


def _owner(ctx: JobContext) -> str:
    return ctx.execution.client_id or ""


def _made(row: dict[str, Any]) -> dict[str, Any]:
    return {"template": {"id": row["id"], "name": row["name"]}}


@oce_job("oce-create-template")
def create_template(ctx: JobContext) -> dict[str, Any]:
    store = content_store(ctx)
    site = target_site(ctx, store)
    name = ctx.params["name"]
    _name_free(ctx, store, name)
    ctx.progress(5, f"Reading site {site.name}")
    content = store.load(site)
    description = ctx.params["description"] or site.description
    theme_dir = store.folder("themes", site.theme_name)
    available = [row["name"] for row in store.resources("components")]
    used = used_component_names(content, theme_dir, available)
    scratch = _scratch(store)
    try:
        root = scratch / name
        ctx.progress(20, f"Writing template {name}: {len(content.structure)} pages, {len(used)} components")
        write_template(
            content,
            name,
            description,
            root,
            theme_dir=theme_dir,
            content_dir=store.folder("sites", site.name) / "content",
            components={c: store.folder("components", c) for c in used},
        )
        try:
            load_template(root)  # the same checks as any template gets
        except SitejobsError as exc:
            raise fail(ctx, exc) from None
        _name_free(ctx, store, name)
        copy_tree(root, store.folder("templates", name), ctx, 40, 95)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    row = store.put_resource(
        "templates", name, _owner(ctx), description=description, theme_name=site.theme_name
    )
    ctx.progress(100, f"Template {name} created from site {site.name}")
    return _made(row)


@oce_job("oce-export-template")
def export_template(ctx: JobContext) -> dict[str, Any]:
    store = content_store(ctx)
    template = _template(ctx, store)
    owner = _owner(ctx)
    file_name = f"{template['name']}.zip"
    ctx.progress(5, f"Zipping template {template['name']}")
    scratch = _scratch(store)
    try:
        zip_path = scratch / file_name
        zip_folder(store.folder("templates", template["name"]), zip_path)
        ctx.progress(90, f"Saving {file_name}")
        # One file of that name in the home folder: the toolkit finds it by name, downloads it, deletes it.
        for old in store.files_in(owner, "self"):
            if old["name"] == file_name:
                store.delete_file(old["id"])
        row = store.add_file(file_name, owner, "self", zip_path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ctx.progress(100, f"Template {template['name']} exported to {file_name}")
    return {"file": {"id": row["id"], "name": file_name, "size": row["size"]}}


@oce_job("oce-import-template")
def import_template(ctx: JobContext) -> dict[str, Any]:
    store = content_store(ctx)
    file = store.file(ctx.params["file"])
    if file is None:
        raise fail(ctx, TemplateInvalid(f"There is no uploaded file '{ctx.params['file']}'."))
    name = Path(file["name"]).stem
    if ctx.params["template"]["resolution"] == "fail":
        _name_free(ctx, store, name)
    ctx.progress(10, f"Checking template {name}")
    try:
        row = install_template(store, Path(file["path"]), name=name, owner=_owner(ctx))
    except SitejobsError as exc:
        raise fail(ctx, exc) from None
    ctx.progress(100, f"Template {name} imported")
    return _made(row)


@oce_job("oce-copy-template")
def copy_template(ctx: JobContext) -> dict[str, Any]:
    store = content_store(ctx)
    source = _template(ctx, store)
    name = ctx.params["name"]
    _name_free(ctx, store, name)
    ctx.progress(5, f"Copying template {source['name']} to {name}")
    target = store.folder("templates", name)
    copy_tree(store.folder("templates", source["name"]), target, ctx, 5, 90)
    for relative in ("template/siteinfo.json", "template/_folder.json"):
        _rename_in(target / relative, name)
    row = store.put_resource(
        "templates",
        name,
        _owner(ctx),
        description=ctx.params["description"] or source["description"],
        theme_name=source["theme_name"],
    )
    ctx.progress(100, f"Template {name} created")
    return _made(row)


def _rename_in(path: Path, name: str) -> None:
    """Give the copy its own name in `siteinfo.json` (`properties.siteName`) and `_folder.json` (`siteName`)."""
    if not path.is_file():
        return
    document = orjson.loads(path.read_bytes())
    if not isinstance(document, dict):
        return
    holder = document.get("properties") if "properties" in document else document
    if isinstance(holder, dict):
        holder["siteName"] = name
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
