"""Translation zips end to end, without a store: export, what translators return, validation, merge."""

from __future__ import annotations

import copy
import json
import struct
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitejobs.errors import InvalidParameter, InvalidTranslationZip, UnsafeZip
from sitejobs.sites.content.model import JsonObject, SiteContent
from sitejobs.sites.content.translation import (
    ZipLimits,
    export_translation_zip,
    merge_translations,
    validate_translation_zip,
)
from sitejobs.sites.content.translation.strings import item_segments, page_document, siteinfo_document
from tests.sites.content.translation_helpers import SEED_ITEM, returned_zip, seed_example, template_site

TRANSLATE_EXAMPLE = "200OK - Get the Status of a Create Site Translation Job"
IMPORT_EXAMPLE = "200OK - Get the Status of an Import Site Translation Job"
ITEM_FILE = f"{SEED_ITEM['id']}-{SEED_ITEM['name']}.json"
WELCOME = ("componentInstances", "81e3252e-0bc8-4d6f-a8f7-00c4a392ddb8", "data")  # page 10's title


def fr(text: str) -> str:
    return f"fr:{text}"


def de(text: str) -> str:
    return f"de:{text}"


def export(site: SiteContent, tmp_path: Path, export_type: str = "siteAll", **kwargs: Any) -> Path:
    out = tmp_path / "AcmeProductLaunch.zip"
    export_translation_zip(
        site,
        job_name="AcmeProductLaunch",
        source_language="en",
        target_languages=["fr", "de"],
        export_type=export_type,
        out_path=out,
        **kwargs,
    )
    return out


def read(zip_path: Path, name: str) -> Any:
    with zipfile.ZipFile(zip_path) as archive:
        return json.loads(archive.read(name))


def at(doc: Any, *path: str | int) -> Any:
    for step in path:
        doc = doc[step]
    return doc


# ---- export -------------------------------------------------------------------------------------------------


def test_export_writes_the_contract_layout_with_only_the_translatable_strings(tmp_path: Path) -> None:
    site = template_site()
    out = tmp_path / "AcmeProductLaunch.zip"
    result = export_translation_zip(
        site,
        job_name="AcmeProductLaunch",
        source_language="en",
        target_languages=["fr", "de"],
        export_type="siteAll",
        out_path=out,
    )
    page_ids = [10, 100, 110, 120, 130, 140, 150, 160, 200]
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == [
            "site/job.json",
            "site/root/structure.json",
            "site/root/siteinfo.json",
            *(f"site/root/{page_id}.json" for page_id in page_ids),
            "assets/job.json",
            f"assets/root/{ITEM_FILE}",
        ]
    job = read(out, "site/job.json")
    assert job["jobName"] == "AcmeProductLaunch"
    assert job["sourceLanguage"] == "en"
    assert job["targetLanguages"] == ["fr", "de"]
    assert job["siteId"] == "AcmeProductLaunch"
    assert job["pages"] == [{"name": f"{page_id}.json", "id": page_id} for page_id in page_ids]
    assets_job = read(out, "assets/job.json")
    assert assets_job["contentItems"] == [{"name": "AcmeAssets", "id": SEED_ITEM["id"]}]

    assert read(out, "site/root/structure.json")["pages"][:2] == [
        {"id": 10, "name": "Home"},
        {"id": 100, "name": "Developing Templates"},
    ]
    assert list(read(out, "site/root/siteinfo.json")["properties"]) == ["footer"]  # the only non-empty text
    home = read(out, "site/root/10.json")
    assert at(home, *WELCOME) == {"userText": "<div>Welcome!</div>"}
    assert at(home, "componentInstances", "81e3252e-0bc8-4d6f-a8f7-00c4a392ddb8", "id") == "scs-title"
    socialbar = at(home, "componentInstances", "bca98e09-a67d-4e03-b7a3-a38e32b1a344", "data", "nlsImages")
    assert socialbar[0] == {"link": "http://www.facebook.com"}  # empty titles and alt texts are left out
    assert len(socialbar) == 5  # one per image: the renderer overlays them by position
    nested = at(
        read(out, "site/root/150.json"),
        "componentInstances",
        "7239dca6-e70e-4115-9ede-a890426d1fca",
        "data",
        "nlsNestedComponents",
    )
    assert nested[1] == {"id": "titleId", "data": {"userText": "<div>Local Component</div>"}}
    text = json.dumps(home)
    for layout_only in ("innerHTML", "fontFamily", "pageLayout", "grid", "slots"):
        assert layout_only not in text
    assert read(out, f"assets/root/{ITEM_FILE}")["fields"]["title"] == "Acme product launch"

    assert result.file_name == "AcmeProductLaunch.zip"
    assert result.size == out.stat().st_size
    assert result.site_pending_languages == ["fr", "de"]
    assert result.asset_pending_languages == ["fr", "de"]
    assert result.pages == job["pages"]


def test_export_gives_what_the_translate_status_shows(tmp_path: Path) -> None:
    """The seed's translationJob `data` string and pending languages come out of the export."""
    seed_job = seed_example(TRANSLATE_EXAMPLE)["translationJob"]
    result = export_translation_zip(
        template_site(),
        job_name=seed_job["name"],
        source_language="en",
        target_languages=["fr", "de"],
        export_type="siteAll",
        out_path=tmp_path / "AcmeProductLaunch.zip",
    )
    data = result.job_data(repository_id=seed_job["repositoryId"], site_guid=seed_job["siteGUID"])
    assert data == seed_job["data"]
    assert result.asset_pending_languages == seed_job["assetPendingLanguages"]
    assert result.site_pending_languages == seed_job["sitePendingLanguages"]


def test_a_site_items_export_leaves_the_assets_out(tmp_path: Path) -> None:
    out = tmp_path / "site-only.zip"
    result = export_translation_zip(
        template_site(),
        job_name="j",
        source_language="en",
        target_languages=["fr"],
        export_type="siteItems",
        out_path=out,
    )
    with zipfile.ZipFile(out) as archive:
        assert not [name for name in archive.namelist() if name.startswith("assets/")]
    assert result.asset_pending_languages == []
    assert result.content_items == []


@pytest.mark.parametrize(
    ("targets", "export_type", "message"),
    [
        (["en", "fr"], "siteAll", "source language"),
        (["fr", "FR"], "siteAll", "twice"),
        ([], "siteAll", "at least one"),
        (["../x"], "siteAll", "not a language"),
        (["fr"], "everything", "exportType"),
    ],
)
def test_export_refuses_bad_arguments(
    tmp_path: Path, targets: list[str], export_type: str, message: str
) -> None:
    with pytest.raises(InvalidParameter, match=message):
        export_translation_zip(
            template_site(),
            job_name="j",
            source_language="en",
            target_languages=targets,
            export_type=export_type,
            out_path=tmp_path / "j.zip",
        )
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_the_previous_file_and_no_temporary_one(tmp_path: Path) -> None:
    site = template_site()
    out = tmp_path / "AcmeProductLaunch.zip"
    out.write_bytes(b"the previous export")
    site.pages[200]["properties"]["title"] = "Privacy"
    site.pages[200]["componentInstances"]["x"] = {"id": "scs-title", "data": {"userText": "ok"}}
    site.pages[200]["componentInstances"]["x"]["id"] = {1, 2}  # not JSON: writing this page fails
    with pytest.raises(TypeError):
        export(site, tmp_path)
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["AcmeProductLaunch.zip"]


def test_export_and_validation_report_progress(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    out = tmp_path / "p.zip"
    export_translation_zip(
        template_site(),
        job_name="j",
        source_language="en",
        target_languages=["fr", "de"],
        export_type="siteAll",
        out_path=out,
        on_progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (14, 14)
    assert [done for done, _ in seen] == list(range(1, 15))
    checked: list[tuple[int, int]] = []
    back = returned_zip(out, tmp_path / "back.zip", {"fr": fr})
    validate_translation_zip(template_site(), back, on_progress=lambda d, t: checked.append((d, t)))
    assert checked[-1] == (2 * (11 + 1), 2 * (11 + 1))  # 2 languages x (9 pages, siteinfo, structure, item)


# ---- validation ---------------------------------------------------------------------------------------------


def test_french_back_and_german_missing_gives_the_seed_import_status(tmp_path: Path) -> None:
    site = template_site()
    back = returned_zip(export(site, tmp_path), tmp_path / "back.zip", {"fr": fr})
    status = validate_translation_zip(site, back).to_json()
    seed = seed_example(IMPORT_EXAMPLE)

    assert list(status) == list(seed)[list(seed).index("valid") :]
    assert status["assetValidation"] == seed["assetValidation"]
    assert status["siteValidation"] == seed["siteValidation"]
    assert status["importedAssetTranslations"] == seed["importedAssetTranslations"]
    for key in ("valid", "sourceLanguage", "targetLanguages", "validationOnly"):
        assert status[key] == seed[key]

    imported = status["importedSiteTranslations"]
    page_files = [f"{entry['id']}.json" for entry in site.structure]
    assert [entry["fileName"] for entry in imported] == [*page_files, "siteinfo.json", "structure.json"]
    assert imported[-2:] == seed["importedSiteTranslations"][-2:]
    ours = {entry["fileName"]: entry for entry in imported}
    for theirs in seed["importedSiteTranslations"][:-2]:  # 10, 100, 110 … 140: the pages both sites have
        mine = ours[theirs["fileName"]]
        assert list(mine) == list(theirs)
        assert list(mine["page"]) == list(theirs["page"])
        assert {**mine["page"], "children": None} == {**theirs["page"], "children": None}
        assert mine["page"]["children"] == site.page_entry(mine["page"]["id"])["children"]


def test_validation_only_lists_what_would_be_imported(tmp_path: Path) -> None:
    site = template_site()
    back = returned_zip(export(site, tmp_path), tmp_path / "back.zip", {"fr": fr})
    status = validate_translation_zip(site, back).to_json(validation_only=True)
    assert status["validationOnly"] is True
    assert "importedSiteTranslations" not in status
    assert "importedAssetTranslations" not in status
    to_import = status["siteValidation"]["itemsToBeImported"]
    assert to_import == [{"id": entry["id"], "name": entry["name"]} for entry in site.structure]
    assert status["assetValidation"]["itemsToBeImported"] == [{"id": SEED_ITEM["id"], "name": "AcmeAssets"}]


def test_a_language_returned_without_some_files_is_incomplete(tmp_path: Path) -> None:
    site = template_site()
    back = returned_zip(
        export(site, tmp_path),
        tmp_path / "back.zip",
        {"fr": fr, "de": de},
        drop={"de": {"site/120.json", "site/structure.json", f"assets/{ITEM_FILE}"}},
    )
    validation = validate_translation_zip(site, back)
    status = validation.to_json()["siteValidation"]
    assert status["valid"] is True
    assert status["languagesReturnedComplete"] == ["fr"]
    assert status["languagesReturnedIncomplete"] == ["de"]
    assert status["languagesNotReturned"] == []
    assert status["translationsMissed"] == ["de/120.json", "de/structure.json"]
    assert validation.assets.languages_not_returned == ["de"]  # its only file was left out

    german = merge_translations(site, validation).translations["de"]
    assert at(german.pages[10], *WELCOME, "userText") == "de:<div>Welcome!</div>"
    assert german.pages[120] == site.pages[120]  # nothing came back for it
    assert german.structure == site.structure
    assert german.content_items == {}


def test_corrupted_and_wrongly_encoded_files_are_listed_and_skipped(tmp_path: Path) -> None:
    site = template_site()
    latin1 = json.dumps({"properties": {"title": "Thèmes"}}, ensure_ascii=False).encode("latin-1")
    back = returned_zip(
        export(site, tmp_path),
        tmp_path / "back.zip",
        {"fr": fr},
        replace={
            "site/fr/110.json": b'{"componentInstances": {',  # cut short
            "site/fr/120.json": b'{"componentInstances": []}',  # not the shape sent out
            "site/fr/140.json": b'{"properties": {"footer": NaN}}',  # NaN is not JSON
            "site/fr/130.json": latin1,
            f"assets/fr/{ITEM_FILE}": b'{"fields": {"title": 7}}',
        },
    )
    validation = validate_translation_zip(site, back)
    status = validation.to_json()
    assert status["valid"] is False
    assert status["siteValidation"]["translationsCorrupted"] == ["fr/110.json", "fr/120.json", "fr/140.json"]
    assert status["siteValidation"]["translationsInvalidEncoding"] == ["fr/130.json"]
    assert status["siteValidation"]["languagesReturnedIncomplete"] == ["fr"]
    assert status["assetValidation"]["translationsCorrupted"] == [f"fr/{ITEM_FILE}"]
    files = [entry["fileName"] for entry in status["importedSiteTranslations"]]
    assert "110.json" not in files
    assert "130.json" not in files
    assert "10.json" in files

    french = merge_translations(site, validation).translations["fr"]
    for page_id in (110, 120, 130, 140):
        assert french.pages[page_id] == site.pages[page_id]
    assert at(french.pages[10], *WELCOME, "userText") == "fr:<div>Welcome!</div>"


def test_a_bom_and_a_language_folder_in_other_case_are_accepted(tmp_path: Path) -> None:
    site = template_site()
    exported = export(site, tmp_path)
    back = returned_zip(exported, tmp_path / "back.zip", {"FR": fr})
    validation = validate_translation_zip(site, back)
    assert validation.site.languages_returned_complete == ["fr"]
    bom = b"\xef\xbb\xbf" + json.dumps({"properties": {"footer": "fr:pied"}}).encode()
    back = returned_zip(exported, tmp_path / "bom.zip", {"fr": fr}, replace={"site/fr/siteinfo.json": bom})
    validation = validate_translation_zip(site, back)
    assert validation.valid
    assert (
        merge_translations(site, validation).translations["fr"].siteinfo["properties"]["footer"] == "fr:pied"
    )


def test_pages_and_items_gone_since_the_export_are_reported_not_missed(tmp_path: Path) -> None:
    site = template_site()
    extra = {**copy.deepcopy(SEED_ITEM), "id": "CORE0000000000000000000000000000EE", "name": "Gone"}
    site.content_items[extra["id"]] = extra
    frozen = {**copy.deepcopy(SEED_ITEM), "id": "CORE0000000000000000000000000000FF", "name": "Frozen"}
    site.content_items[frozen["id"]] = frozen
    exported = export(site, tmp_path)
    del site.pages[150]
    site.structure = [entry for entry in site.structure if entry["id"] != 150]
    site.page_entry(100)["children"].remove(150)
    del site.content_items[extra["id"]]
    site.content_items[frozen["id"]]["translatable"] = False

    back = returned_zip(exported, tmp_path / "back.zip", {"fr": fr, "de": de})
    status = validate_translation_zip(site, back).to_json()
    assert status["siteValidation"]["deletedPages"] == [{"id": 150, "name": "Components"}]
    assert status["siteValidation"]["translationsMissed"] == []
    assert status["siteValidation"]["languagesReturnedComplete"] == ["fr", "de"]
    assert "150.json" not in [entry["fileName"] for entry in status["importedSiteTranslations"]]
    assert status["assetValidation"]["deletedMasterItems"] == [{"id": extra["id"], "name": "Gone"}]
    assert status["assetValidation"]["nonTranslatableItems"] == [{"id": frozen["id"], "name": "Frozen"}]
    assert status["importedAssetTranslations"] == [{"id": SEED_ITEM["id"], "name": "AcmeAssets"}]


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil.json", "climbs out"),
        ("site/fr/../../../etc/passwd.json", "climbs out"),
        ("site\\..\\..\\x.json", "climbs out"),
        ("/etc/x.json", "absolute"),
        ("C:/x.json", "absolute"),
    ],
)
def test_entries_outside_the_zip_are_refused(tmp_path: Path, name: str, message: str) -> None:
    exported = export(template_site(), tmp_path)
    with zipfile.ZipFile(exported) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    bad = _zip(tmp_path / "bad.zip", {**entries, name: b"{}"})
    with pytest.raises(UnsafeZip, match=message):
        validate_translation_zip(template_site(), bad)


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    exported = export(template_site(), tmp_path)
    with zipfile.ZipFile(exported) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    bomb = _zip(tmp_path / "bomb.zip", {**entries, "site/fr/10.json": b" " * 60_000_000})
    assert bomb.stat().st_size < 200_000
    with pytest.raises(UnsafeZip, match="expands"):
        validate_translation_zip(template_site(), bomb)
    many = {f"site/fr/{n}.json": b" " * 900_000 for n in range(100)}  # each small, together a bomb
    with pytest.raises(UnsafeZip, match="expands"):
        validate_translation_zip(template_site(), _zip(tmp_path / "many.zip", {**entries, **many}))
    with pytest.raises(UnsafeZip, match="at most 4 are accepted"):
        validate_translation_zip(template_site(), exported, limits=ZipLimits(max_file_bytes=4))
    with pytest.raises(UnsafeZip, match="entries"):
        validate_translation_zip(template_site(), exported, limits=ZipLimits(max_entries=3))


def test_a_header_that_understates_the_size_gets_no_further(tmp_path: Path) -> None:
    path = _zip(tmp_path / "liar.zip", {"site/job.json": b'{"a": "' + b"0" * 3_000_000 + b'"}'})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1000)  # uncompressed size in the central directory
    struct.pack_into("<I", data, 22, 1000)  # and in the local header
    path.write_bytes(bytes(data))
    with pytest.raises((UnsafeZip, InvalidTranslationZip)):
        validate_translation_zip(template_site(), path)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"site/job.json": b"{}", "site/fr/notes.txt": b"hi"}, "only .json"),
        ({"site/fr/10.json": b"{}"}, "not a translation zip"),
        ({"site/job.json": b"[1]"}, "JSON object"),
        ({"site/job.json": b'{"sourceLanguage": "en"}'}, "targetLanguages"),
        ({"site/job.json": b'{"sourceLanguage": "en", "targetLanguages": ["root"]}'}, "not a language"),
        (
            {"site/job.json": b'{"sourceLanguage": "en", "targetLanguages": ["fr"], "pages": [{}]}'},
            "valid id",
        ),
        (
            {"site/job.json": b'{"siteId": "Other", "sourceLanguage": "en", "targetLanguages": ["fr"]}'},
            "site 'Other'",
        ),
    ],
)
def test_what_is_not_a_translation_zip_of_this_site_is_refused(
    tmp_path: Path, entries: dict[str, bytes], message: str
) -> None:
    with pytest.raises(InvalidTranslationZip, match=message):
        validate_translation_zip(template_site(), _zip(tmp_path / "x.zip", entries))


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK but not really")
    with pytest.raises(InvalidTranslationZip, match="not a zip"):
        validate_translation_zip(template_site(), path)


# ---- merge --------------------------------------------------------------------------------------------------


def test_merge_puts_french_into_its_variant_and_leaves_the_base_alone(tmp_path: Path) -> None:
    site = template_site()
    before = copy.deepcopy(site)
    back = returned_zip(export(site, tmp_path), tmp_path / "back.zip", {"fr": fr}, keep_root=False)
    merged = merge_translations(site, validate_translation_zip(site, back))

    assert site == before
    assert merged.pages == before.pages
    assert merged.structure == before.structure
    assert set(merged.translations) == {"fr"}
    french = merged.translations["fr"]
    welcome = at(french.pages[10], *WELCOME)
    assert welcome["userText"] == "fr:<div>Welcome!</div>"
    assert "innerHTML" not in welcome  # the English rendering would be stale
    assert welcome["fontFamily"] == at(site.pages[10], *WELCOME, "fontFamily")
    assert [entry["name"] for entry in french.structure][:2] == ["fr:Home", "fr:Developing Templates"]
    assert [entry["pageUrl"] for entry in french.structure] == [e["pageUrl"] for e in site.structure]
    assert french.siteinfo["properties"]["footer"].startswith('fr:<div class="scs-cookie-consent"')
    item = french.content_items[SEED_ITEM["id"]]
    assert item["fields"]["title"] == "fr:Acme product launch"
    assert item["fields"]["sku_dnt"] == "ANV-001"
    assert item["fields"]["author"]["id"] == SEED_ITEM["fields"]["author"]["id"]
    assert (item["language"], item["languageIsMaster"]) == ("fr", False)


def test_a_careless_translator_changes_nothing_but_the_translatable_strings(tmp_path: Path) -> None:
    """The translator rewrites every string it got, component ids and item types too."""
    site = template_site()
    back = returned_zip(export(site, tmp_path), tmp_path / "back.zip", {"fr": fr})
    french = merge_translations(site, validate_translation_zip(site, back)).translations["fr"]
    assert_only_translatable_changed(site, french.pages, french.siteinfo, french.content_items)


def test_blank_translations_leave_the_source_text(tmp_path: Path) -> None:
    site = template_site()
    back = returned_zip(
        export(site, tmp_path),
        tmp_path / "back.zip",
        {"fr": lambda text: "  " if "Welcome" in text or text == "Home" else fr(text)},
    )
    french = merge_translations(site, validate_translation_zip(site, back)).translations["fr"]
    assert at(french.pages[10], *WELCOME, "userText") == "<div>Welcome!</div>"
    assert french.structure[0]["name"] == "Home"
    assert french.structure[1]["name"] == "fr:Developing Templates"


def test_a_later_import_keeps_earlier_translations(tmp_path: Path) -> None:
    site = template_site()
    exported = export(site, tmp_path)
    first = returned_zip(exported, tmp_path / "first.zip", {"fr": fr})
    site = merge_translations(site, validate_translation_zip(site, first))
    everything_but_120 = {f"site/{p}.json" for p in (10, 100, 110, 130, 140, 150, 160, 200)}
    second = returned_zip(
        exported,
        tmp_path / "second.zip",
        {"fr": lambda text: f"fr2:{text}"},
        drop={
            "fr": everything_but_120 | {"site/siteinfo.json", "site/structure.json", f"assets/{ITEM_FILE}"}
        },
    )
    french = merge_translations(site, validate_translation_zip(site, second)).translations["fr"]
    assert at(french.pages[10], *WELCOME, "userText") == "fr:<div>Welcome!</div>"
    title_120 = french.pages[120]["componentInstances"]
    assert any(c.get("data", {}).get("userText", "").startswith("fr2:") for c in title_120.values())
    assert french.structure[0]["name"] == "fr:Home"
    assert french.content_items[SEED_ITEM["id"]]["fields"]["title"] == "fr:Acme product launch"


def test_merge_refuses_a_validation_made_for_another_site(tmp_path: Path) -> None:
    site = template_site()
    back = returned_zip(export(site, tmp_path), tmp_path / "back.zip", {"fr": fr})
    validation = validate_translation_zip(site, back)
    other = template_site()
    other.name = "Other"
    with pytest.raises(InvalidTranslationZip, match="validated against site 'AcmeProductLaunch'"):
        merge_translations(other, validation)
    assert other.translations == {}


# ---- property -----------------------------------------------------------------------------------------------

texts = st.text(min_size=1, max_size=24).filter(str.strip)


@st.composite
def components(draw: st.DrawFn) -> JsonObject:
    kind = draw(st.sampled_from(["title", "images", "nested", "layout"]))
    if kind == "title":
        text = draw(texts)
        return {
            "type": "scs-title",
            "id": "scs-title",
            "data": {"userText": text, "innerHTML": text, "width": 4},
        }
    if kind == "images":
        images = [
            {"name": "ICON", "title": draw(st.just("") | texts), "altText": draw(texts), "link": draw(texts)}
            for _ in range(draw(st.integers(1, 3)))
        ]
        return {"type": "scs-gallery", "id": "scs-gallery", "data": {"images": images}}
    if kind == "nested":
        nested = [{"id": f"n{i}", "data": {"userText": draw(texts)}} for i in range(draw(st.integers(1, 3)))]
        return {"type": "scs-component", "id": "Custom", "data": {"nestedComponents": nested}}
    return {"type": "scs-sectionlayout", "id": "scs-sl", "data": {"components": ["a"], "styles": ["x"]}}


@st.composite
def sites(draw: st.DrawFn) -> SiteContent:
    ids = draw(st.lists(st.integers(1, 99_999), min_size=1, max_size=4, unique=True))
    structure = [
        {
            "id": page_id,
            "name": draw(texts),
            "parentId": None if index == 0 else ids[0],
            "pageUrl": f"p{page_id}.html",
            "children": ids[1:] if index == 0 else [],
        }
        for index, page_id in enumerate(ids)
    ]
    pages = {
        page_id: {
            "properties": {"title": draw(st.none() | texts), "pageLayout": "index.html"},
            "componentInstances": {f"c{j}": draw(components()) for j in range(draw(st.integers(0, 3)))},
        }
        for page_id in ids
    }
    items = {
        f"CORE{i}": {
            "id": f"CORE{i}",
            "name": draw(texts),
            "type": "T",
            "fields": {"a": draw(texts), "b_dnt": "x"},
        }
        for i in range(draw(st.integers(0, 2)))
    }
    return SiteContent(
        name="S",
        siteinfo={"properties": {"footer": draw(texts), "themeName": "T"}},
        structure=structure,
        pages=pages,
        content_items=items,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(site=sites(), prefix=st.text(min_size=1, max_size=4))
def test_every_translatable_string_comes_back_translated(site: SiteContent, prefix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        out = tmp / "s.zip"
        export_translation_zip(
            site,
            job_name="j",
            source_language="en",
            target_languages=["fr"],
            export_type="siteAll",
            out_path=out,
        )
        back = returned_zip(out, tmp / "back.zip", {"fr": lambda text: prefix + text})
        validation = validate_translation_zip(site, back)
        assert validation.site.languages_returned_complete == ["fr"]
        merged = merge_translations(site, validation)
    french = merged.translations["fr"]
    for page_id, page in site.pages.items():
        for segment in page_document(page)[1]:
            assert at(french.pages[page_id], *segment.site_path) == prefix + segment.text
    for segment in siteinfo_document(site.siteinfo)[1]:
        assert at(french.siteinfo, *segment.site_path) == prefix + segment.text
    assert [e["name"] for e in french.structure] == [prefix + e["name"] for e in site.structure]
    for item_id, item in site.content_items.items():
        for segment in item_segments(item):
            assert at(french.content_items[item_id], *segment.site_path) == prefix + segment.text
    assert_only_translatable_changed(site, french.pages, french.siteinfo, french.content_items)


def assert_only_translatable_changed(
    site: SiteContent,
    pages: dict[int, JsonObject],
    siteinfo: JsonObject,
    items: dict[str, JsonObject],
) -> None:
    """Leaf by leaf: a value differs from the base only where a translatable string sits; only stale
    `innerHTML` disappears; items only gain their language."""
    for page_id, page in site.pages.items():
        allowed = {s.site_path for s in page_document(page)[1]}
        _compare(page, pages[page_id], allowed, ())
    _compare(site.siteinfo, siteinfo, {s.site_path for s in siteinfo_document(site.siteinfo)[1]}, ())
    for item_id, variant in items.items():
        master = site.content_items[item_id]
        assert (variant["language"], variant["languageIsMaster"]) == ("fr", False)
        own = ("language", "languageIsMaster")
        _compare(
            {k: v for k, v in master.items() if k not in own},
            {k: v for k, v in variant.items() if k not in own},
            {s.site_path for s in item_segments(master)},
            (),
        )


def _compare(
    base: Any, variant: Any, allowed: set[tuple[str | int, ...]], path: tuple[str | int, ...]
) -> None:
    if isinstance(base, dict) and isinstance(variant, dict):
        assert set(variant) <= set(base), f"added at {path}"
        for key in set(base) - set(variant):
            assert key == "innerHTML", f"{(*path, key)} removed"
        for key in variant:
            _compare(base[key], variant[key], allowed, (*path, key))
    elif isinstance(base, list) and isinstance(variant, list):
        assert len(base) == len(variant), f"list at {path} resized"
        for index, (b, v) in enumerate(zip(base, variant, strict=True)):
            _compare(b, v, allowed, (*path, index))
    else:
        assert base == variant or path in allowed, f"{path} changed: {base!r} -> {variant!r}"
