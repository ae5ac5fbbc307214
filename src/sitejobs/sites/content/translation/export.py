"""Writing the translation zip a translation job hands to translators."""

from __future__ import annotations

import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sitejobs.errors import InvalidParameter
from sitejobs.sites.content.model import JsonObject, SiteContent
from sitejobs.sites.content.translation import strings
from sitejobs.sites.content.translation.layout import (
    ASSETS,
    EXPORT_TYPES,
    EXPORT_VERSION,
    JOB,
    ROOT,
    SITE,
    SITEINFO,
    STRUCTURE,
    Progress,
    checked_languages,
    is_master,
    item_file,
)
from sitejobs.sites.content.translation.report import TranslationExport


def export_translation_zip(
    site: SiteContent,
    *,
    job_name: str,
    source_language: str,
    target_languages: list[str],
    export_type: str,
    out_path: Path,
    site_id: str | None = None,
    job_id: str | None = None,
    on_progress: Progress | None = None,
) -> TranslationExport:
    """Write the translation zip to `out_path` (whole or not at all: a temporary file renamed at the end)."""
    targets = checked_languages(source_language, target_languages)
    if export_type not in EXPORT_TYPES:
        raise InvalidParameter(f"exportType must be one of {', '.join(EXPORT_TYPES)}, not '{export_type}'.")
    if not job_name.strip():
        raise InvalidParameter("The translation job needs a name.")
    job_id = job_id or uuid.uuid4().hex.upper()
    site_id = site_id or site.name
    pages = [{"name": f"{entry['id']}.json", "id": entry["id"]} for entry in site.structure]
    items = (
        [i for i in site.content_items.values() if is_master(i, source_language)]
        if export_type == "siteAll"
        else []
    )
    common = {"jobName": job_name, "jobId": job_id, "export-version": EXPORT_VERSION}
    languages = {"sourceLanguage": source_language, "targetLanguages": targets}
    site_job = {
        **common,
        "exportType": export_type,
        "siteId": site_id,
        "siteName": site.name,
        **languages,
        "pages": pages,
        "pageItemsCount": str(len(pages)),
    }
    listed = [{"name": i.get("name", ""), "id": i["id"]} for i in items]
    asset_job = None
    if export_type == "siteAll":
        types = sorted({str(i["type"]) for i in items if i.get("type")})
        asset_job = {
            **common,
            **languages,
            "contentTypes": [{"name": name} for name in types],
            "contentItems": listed,
            "contentItemsCount": len(listed),
        }
    total = 3 + len(pages) + (1 + len(items) if asset_job else 0)
    entries = _entries(site, site_job, asset_job, items)
    size = _write_atomically(out_path, entries, total, on_progress)
    return TranslationExport(
        path=out_path,
        size=size,
        job_name=job_name,
        job_id=job_id,
        site_id=site_id,
        source_language=source_language,
        target_languages=targets,
        export_type=export_type,
        site_pending_languages=list(targets),
        asset_pending_languages=list(targets) if asset_job else [],
        pages=pages,
        content_items=listed,
    )


def _entries(
    site: SiteContent, site_job: JsonObject, asset_job: JsonObject | None, items: list[JsonObject]
) -> Iterator[tuple[str, Any]]:
    """Each zip entry's name and document, computed as it is written."""
    yield f"{SITE}/{JOB}", site_job
    yield f"{SITE}/{ROOT}/{STRUCTURE}", strings.structure_document(site.structure)
    yield f"{SITE}/{ROOT}/{SITEINFO}", strings.siteinfo_document(site.siteinfo)[0]
    for page in site_job["pages"]:
        yield f"{SITE}/{ROOT}/{page['name']}", strings.page_document(site.pages.get(page["id"], {}))[0]
    if asset_job is not None:
        yield f"{ASSETS}/{JOB}", asset_job
        for item in items:
            yield f"{ASSETS}/{ROOT}/{item_file(item['id'], item.get('name'))}", item


def _write_atomically(
    out_path: Path, entries: Iterator[tuple[str, Any]], total: int, on_progress: Progress | None
) -> int:
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent)
    try:
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
                for done, (name, document) in enumerate(entries, 1):
                    archive.writestr(name, _dump(document))
                    if on_progress:
                        on_progress(done, total)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, out_path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return out_path.stat().st_size


def _dump(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
