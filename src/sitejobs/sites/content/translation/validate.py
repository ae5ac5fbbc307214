"""Judging what translators return against the site as it is now: every list of the importTranslations status."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitejobs.errors import InvalidParameter, InvalidTranslationZip
from sitejobs.sites.content.model import JsonObject, SiteContent
from sitejobs.sites.content.translation import strings
from sitejobs.sites.content.translation.archive import LIMITS, ZipLimits, read_json_entries
from sitejobs.sites.content.translation.layout import (
    ASSETS,
    JOB,
    PAGE_ENTRY_KEYS,
    ROOT,
    SITE,
    SITEINFO,
    STRUCTURE,
    Progress,
    checked_languages,
    item_file,
)
from sitejobs.sites.content.translation.report import (
    AssetValidation,
    PartValidation,
    SiteValidation,
    TranslationValidation,
)

Check = Callable[[Any], object]  # raises strings.ShapeError when a parsed document has the wrong shape


@dataclass(frozen=True)
class _Expected:
    """A file each returned language should hold; its documents are kept under `key`."""

    file_name: str
    key: str  # site: the file name; assets: the content item id
    check: Check


def validate_translation_zip(
    site: SiteContent,
    zip_path: Path,
    *,
    limits: ZipLimits | None = None,
    site_id: str | None = None,
    on_progress: Progress | None = None,
) -> TranslationValidation:
    """Judge a returned translation zip against the site as it is now; nothing is changed."""
    files = read_json_entries(zip_path, limits or LIMITS)
    site_job = _job(files, f"{SITE}/{JOB}")
    asset_job = _job(files, f"{ASSETS}/{JOB}")
    job = site_job or asset_job
    if job is None:
        raise InvalidTranslationZip(
            f"'{zip_path.name}' has neither site/job.json nor assets/job.json: it is not a translation zip."
        )
    expected_id = site_id or site.name
    if site_job is not None and site_job.get("siteId", expected_id) != expected_id:
        raise InvalidTranslationZip(
            f"'{zip_path.name}' holds translations of site '{site_job['siteId']}', not of '{expected_id}'."
        )
    targets: list[str] = job["targetLanguages"]
    site_part, site_expected = _site_expectations(site, site_job, files)
    asset_part, asset_expected = _asset_expectations(site, asset_job)
    folders = _language_folders(files, targets)
    progress = _Progress(len(targets) * (len(site_expected) + len(asset_expected)), on_progress)
    site_docs = _judge(site_part, targets, folders[SITE], site_expected, progress)
    asset_docs = _judge(asset_part, targets, folders[ASSETS], asset_expected, progress)

    imported_site: list[JsonObject] = []
    for entry in site.structure:
        file_name = f"{entry['id']}.json"
        if any(file_name in docs for docs in site_docs.values()):
            imported_site.append({"fileName": file_name, "page": _page_entry(entry)})
            site_part.items_to_be_imported.append({"id": entry["id"], "name": entry.get("name", "")})
    for file_name in (SITEINFO, STRUCTURE):
        if any(file_name in docs for docs in site_docs.values()):
            imported_site.append({"fileName": file_name})
    imported_assets: list[JsonObject] = []
    for expected in asset_expected:
        if any(expected.key in docs for docs in asset_docs.values()):
            name = site.content_items[expected.key].get("name", "")
            imported_assets.append({"id": expected.key, "name": name})
            asset_part.items_to_be_imported.append({"id": expected.key, "name": name})
    return TranslationValidation(
        site_name=site.name,
        job_name=str(job.get("jobName", "")),
        source_language=job["sourceLanguage"],
        target_languages=list(targets),
        site=site_part,
        assets=asset_part,
        imported_site_translations=imported_site,
        imported_asset_translations=imported_assets,
        site_documents=site_docs,
        asset_documents=asset_docs,
    )


def _job(files: dict[str, bytes], name: str) -> JsonObject | None:
    if name not in files:
        return None
    try:
        job = json.loads(files[name].decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidTranslationZip(f"{name} is not a JSON document in UTF-8.") from None
    if not isinstance(job, dict):
        raise InvalidTranslationZip(f"{name} must hold a JSON object.")
    source, targets = job.get("sourceLanguage"), job.get("targetLanguages")
    if not isinstance(source, str) or not isinstance(targets, list):
        raise InvalidTranslationZip(f"{name} must name its sourceLanguage and its targetLanguages.")
    try:
        job["targetLanguages"] = checked_languages(source, targets)
    except InvalidParameter as exc:
        raise InvalidTranslationZip(f"{name}: {exc.message}") from None
    return job


def _site_expectations(
    site: SiteContent, job: JsonObject | None, files: dict[str, bytes]
) -> tuple[SiteValidation, list[_Expected]]:
    """The files each language should return for the site, and the pages deleted since the export."""
    part = SiteValidation()
    if job is None:
        return part, []
    current = {entry["id"] for entry in site.structure}
    exported_names = _exported_page_names(files)
    expected: list[_Expected] = []
    for page_id in _listed(job, "pages", int):
        file_name = f"{page_id}.json"
        if page_id in current:
            segments = strings.page_document(site.pages.get(page_id, {}))[1]
            expected.append(_Expected(file_name, file_name, _shape(segments)))
        else:
            part.deleted_pages.append({"id": page_id, "name": exported_names.get(page_id, file_name)})
    expected.append(_Expected(SITEINFO, SITEINFO, _shape(strings.siteinfo_document(site.siteinfo)[1])))
    expected.append(_Expected(STRUCTURE, STRUCTURE, strings.structure_names))
    return part, expected


def _asset_expectations(site: SiteContent, job: JsonObject | None) -> tuple[AssetValidation, list[_Expected]]:
    """The content item files each language should return, and the items gone or no longer translatable."""
    part = AssetValidation()
    if job is None:
        return part, []
    expected: list[_Expected] = []
    names = {e["id"]: e.get("name", "") for e in job["contentItems"] if isinstance(e, dict)}
    for item_id in _listed(job, "contentItems", str):
        name = names[item_id]
        item = site.content_items.get(item_id)
        if item is None:
            part.deleted_master_items.append({"id": item_id, "name": name})
        elif item.get("translatable", True) is False:
            part.non_translatable_items.append({"id": item_id, "name": item.get("name", name)})
        else:
            segments = strings.item_segments(item)
            expected.append(_Expected(item_file(item_id, name), item_id, _shape(segments)))
    return part, expected


def _listed(job: JsonObject, key: str, id_type: type) -> list[Any]:
    """The ids of the pages or items a job.json lists, once each, in order; refuses entries without one."""
    ids: list[Any] = []
    for entry in job.get(key) or []:
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        if type(entry_id) is not id_type or entry_id == "":
            raise InvalidTranslationZip(f"job.json lists {key} without a valid id: {entry!r:.80}")
        if entry_id not in ids:
            ids.append(entry_id)
    return ids


def _shape(segments: list[strings.Segment]) -> Check:
    return lambda doc: strings.check_shape(doc, segments)


def _language_folders(files: dict[str, bytes], targets: list[str]) -> dict[str, dict[str, dict[str, bytes]]]:
    """`{part: {language: {file name: bytes}}}` for the target languages' folders (case-insensitive)."""
    spelled = {target.lower(): target for target in targets}
    folders: dict[str, dict[str, dict[str, bytes]]] = {SITE: {}, ASSETS: {}}
    for name, data in files.items():
        parts = name.split("/")
        if len(parts) == 3 and parts[0] in folders and parts[1].lower() in spelled:
            folders[parts[0]].setdefault(spelled[parts[1].lower()], {})[parts[2]] = data
    return folders


class _Progress:
    def __init__(self, total: int, report: Progress | None) -> None:
        self.total, self.done, self.report = total, 0, report

    def step(self) -> None:
        self.done += 1
        if self.report:
            self.report(self.done, self.total)


def _judge(
    part: PartValidation,
    targets: list[str],
    folders: dict[str, dict[str, bytes]],
    expected: list[_Expected],
    progress: _Progress,
) -> dict[str, dict[str, JsonObject]]:
    """Sort each language and each expected file into the part's lists; the valid documents, by key."""
    documents: dict[str, dict[str, JsonObject]] = {}
    if not expected:
        return documents
    for language in targets:
        returned = folders.get(language)
        if not returned:
            part.languages_not_returned.append(language)
            for _ in expected:
                progress.step()
            continue
        complete = True
        for want in expected:
            progress.step()
            label = f"{language}/{want.file_name}"
            data = returned.get(want.file_name)
            if data is None:
                part.translations_missed.append(label)
                complete = False
                continue
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                part.translations_invalid_encoding.append(label)
                complete = False
                continue
            try:
                doc = json.loads(text, parse_constant=_no_constant)
                want.check(doc)
            except (ValueError, RecursionError):  # strings.ShapeError is a ValueError
                part.translations_corrupted.append(label)
                complete = False
                continue
            documents.setdefault(language, {})[want.key] = doc
        (part.languages_returned_complete if complete else part.languages_returned_incomplete).append(
            language
        )
    return documents


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _exported_page_names(files: dict[str, bytes]) -> dict[int, str]:
    """The page names as exported (site/root/structure.json), to name pages deleted since; {} if absent."""
    try:
        doc = json.loads(files[f"{SITE}/{ROOT}/{STRUCTURE}"].decode("utf-8-sig"))
        return strings.structure_names(doc)
    except (KeyError, UnicodeDecodeError, ValueError, RecursionError):
        return {}


def _page_entry(entry: JsonObject) -> JsonObject:
    """A structure entry as the importTranslations `_status` shows it (no parentId on the root page)."""
    page: JsonObject = {key: entry[key] for key in PAGE_ENTRY_KEYS if key in entry}
    if page.get("parentId", 0) is None:
        del page["parentId"]
    page["children"] = list(page.get("children") or [])
    return page
