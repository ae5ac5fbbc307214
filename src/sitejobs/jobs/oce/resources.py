"""Copy and publish themes and components (folders of files with a row each)."""

from __future__ import annotations

from typing import Any

from sitejobs.engine.context import JobContext
from sitejobs.errors import ComponentNotFound, ResourceAlreadyExists, ResourceNotFound, ThemeNotFound
from sitejobs.jobs.oce.base import JobRun, content_store, copy_tree, fail, oce_job
from sitejobs.sites.content.store import ContentStore

NOUNS = {"themes": "theme", "components": "component"}
NOT_FOUND: dict[str, type[ResourceNotFound]] = {"themes": ThemeNotFound, "components": ComponentNotFound}


def _resource(ctx: JobContext, store: ContentStore, kind: str) -> dict[str, Any]:
    resource = store.resource(kind, ctx.params["target_resource"])
    if resource is None:
        raise fail(ctx, NOT_FOUND[kind](ctx.params["target_resource"]))
    return resource


def _copy(kind: str) -> JobRun:
    noun = NOUNS[kind]

    def run(ctx: JobContext) -> dict[str, Any]:
        store = content_store(ctx)
        source = _resource(ctx, store, kind)
        name = ctx.params["name"]
        if store.resource(kind, f"name:{name}", include_deleted=True) is not None:
            raise fail(ctx, ResourceAlreadyExists(noun, name))
        ctx.progress(5, f"Copying {noun} {source['name']} to {name}")
        copy_tree(store.folder(kind, source["name"]), store.folder(kind, name), ctx, 5, 95)
        owner = ctx.execution.client_id or source["owner"]
        copied = store.put_resource(kind, name, owner, description=ctx.params["description"])
        ctx.progress(100, f"{noun.title()} {name} created")
        return {noun: {"id": copied["id"], "name": name}}

    return run


def _publish(kind: str) -> JobRun:
    noun = NOUNS[kind]

    def run(ctx: JobContext) -> dict[str, Any]:
        store = content_store(ctx)
        resource = _resource(ctx, store, kind)
        ctx.progress(5, f"Publishing {noun} {resource['name']}")
        copy_tree(
            store.folder(kind, resource["name"]),
            store.published_resource_dir(kind, resource["name"]),
            ctx,
            5,
            95,
        )
        store.mark_published(kind, resource["id"])
        ctx.progress(100, f"{noun.title()} {resource['name']} published")
        return {noun: {"id": resource["id"], "name": resource["name"]}}

    return run


oce_job("oce-copy-theme")(_copy("themes"))
oce_job("oce-publish-theme")(_publish("themes"))
oce_job("oce-copy-component")(_copy("components"))
oce_job("oce-publish-component")(_publish("components"))
