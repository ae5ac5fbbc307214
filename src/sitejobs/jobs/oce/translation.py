"""Translate a site (write the zip for translators) and import what they send back."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sitejobs.auth.users import new_guid, user_reference
from sitejobs.engine.context import JobContext
from sitejobs.engine.models import now_ms
from sitejobs.errors import InvalidTranslationZip, ResourceNotFound, SitejobsError
from sitejobs.jobs.oce.base import Progress, content_store, fail, oce_job, target_site
from sitejobs.sites.content.translation import (
    export_translation_zip,
    merge_translations,
    validate_translation_zip,
)
from sitejobs.sites.content.translation_jobs import TranslationJobStore
from sitejobs.timefmt import iso_ms


def _utc(ms: int) -> dict[str, str]:
    return {"value": iso_ms(ms), "timezone": "UTC"}


@oce_job("oce-translate-site")
def translate(ctx: JobContext) -> dict[str, Any]:
    store = content_store(ctx)
    site = target_site(ctx, store)
    p = ctx.params
    user = ctx.execution.client_id or site.owner
    started = now_ms()
    ctx.progress(5, f"Reading site {site.name}")
    content = store.load(site)
    folder_id = new_guid("TRANSLATIONJOBS")
    scratch = store.inside(store.content_dir / "files")
    scratch.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix=".translate.", dir=scratch)) / f"{p['name']}.zip"
    try:
        export = export_translation_zip(
            content,
            job_name=p["name"],
            source_language=p.get("sourceLanguage") or site.default_language,
            target_languages=p["targetLanguages"],
            export_type=p["exportType"],
            out_path=out,
            site_id=site.id,
            on_progress=Progress(ctx, 10, 90),
        )
    except SitejobsError as exc:
        raise fail(ctx, exc) from None
    ctx.progress(92, "Storing the translation zip")
    row = store.add_file(export.file_name, user, folder_id, out, site_id=site.id)
    out.parent.rmdir()
    created = row["created_at"]
    translation_file = {
        "id": row["id"],
        "name": row["name"],
        "type": "file",
        "version": "1",
        "size": str(row["size"]),
        "parentID": folder_id,
        "createdTime": iso_ms(created)[:-5] + "Z",
        "createdBy": user_reference(user),
        "modifiedTime": iso_ms(created)[:-5] + "Z",
        "modifiedBy": user_reference(user),
        "ownedBy": user_reference(user),
    }
    translation_job = {
        "id": export.job_id,
        "name": p["name"],
        "type": "sites",
        "createdBy": user,
        "createdDate": _utc(started),
        "updatedBy": user,
        "updatedDate": _utc(created),
        "status": "READY",
        "fFolderGUID": folder_id,
        "fFileGUID": row["id"],
        "repositoryId": site.repository_id or "",
        "assetPendingLanguages": export.asset_pending_languages,
        "sitePendingLanguages": export.site_pending_languages,
        "siteGUID": site.id,
        "siteId": site.name,
        "roleName": store.role_of_name(site, user) or "manager",
        "data": export.job_data(repository_id=site.repository_id or "", site_guid=site.id),
    }
    if not TranslationJobStore(store.db).add(translation_job, execution_id=ctx.execution.id):
        ctx.log(f"A translation job named {p['name']} exists already: this one is listed only here", "WARN")
    ctx.progress(100, f"Translation job {p['name']} ready")
    return {"translationFile": translation_file, "translationJob": translation_job}


@oce_job("oce-import-translations")
def import_translations(ctx: JobContext) -> dict[str, Any]:
    store = content_store(ctx)
    site = target_site(ctx, store)
    p = ctx.params
    file = store.file(p["translationImportFile"])
    if file is None:
        raise fail(ctx, ResourceNotFound(p["translationImportFile"]))
    validate_only = bool(p["options"].get("validate_only"))
    ctx.result["translationImportFile"] = {"id": file["id"], "name": file["name"], "size": str(file["size"])}
    ctx.progress(5, f"Validating {file['name']} against site {site.name}")
    content = store.load(site)
    try:
        validation = validate_translation_zip(
            content,
            Path(file["path"]),
            site_id=site.id,
            on_progress=Progress(ctx, 5, 60 if not validate_only else 99),
        )
    except SitejobsError as exc:
        raise fail(ctx, exc) from None
    report = validation.to_json(validation_only=validate_only)
    if validate_only:
        ctx.progress(100, "Validated")
        return report
    if not validation.valid:
        ctx.result.update(report)
        raise fail(
            ctx,
            InvalidTranslationZip("The translations are not valid: some files are corrupted or not UTF-8."),
        )
    ctx.progress(65, "Merging the translations")
    merged = merge_translations(content, validation)
    store.save_translations(site.id, merged.translations)
    jobs = TranslationJobStore(store.db)
    job = jobs.by_name(validation.job_name) if validation.job_name else None
    if job is not None and job["site_id"] == site.id:
        # The translation job the zip came from is done with (list-translation-jobs shows it so).
        done = set(validation.site.languages_returned_complete)
        pending = [lang for lang in job["document"].get("sitePendingLanguages", []) if lang not in done]
        jobs.set_status(
            job["id"], "TRANSLATED", ctx.execution.client_id or site.owner, sitePendingLanguages=pending
        )
    ctx.progress(100, "Translations imported")
    return report
