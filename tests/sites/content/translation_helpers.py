"""Test-only: a SiteContent read straight from a fixture template, and a translator working on the zip."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sitejobs.sites.content.model import SiteContent
from tests.conftest import FIXTURES

TEMPLATES = FIXTURES / "oce-site-template"
SEED = FIXTURES.parent / "seeds" / "004_06b32018673fb6cd.txt"

# Named as in the seed's importTranslations example, so its asset lists can be compared as they are.
SEED_ITEM: dict[str, Any] = {
    "id": "COREA4145ED68B284FAB9DDCB81AB11721F0",
    "name": "AcmeAssets",
    "type": "Article",
    "language": "en",
    "translatable": True,
    "fields": {
        "title": "Acme product launch",
        "body": "<p>Our new anvil ships today.</p>",
        "sku_dnt": "ANV-001",
        "author": {"id": "CORE0000000000000000000000000000AB", "type": "Author", "name": "Wile E."},
        "tags": ["anvil", "launch"],
    },
}


def template_site(name: str = "StarterTemplate", *, with_items: bool = True) -> SiteContent:
    """The fixture template's siteinfo, structure and pages as a site (plus the seed's content item)."""
    folder = TEMPLATES / name / "template"
    pages = {int(path.stem): json.loads(path.read_text()) for path in (folder / "pages").glob("*.json")}
    return SiteContent(
        name="AcmeProductLaunch",
        siteinfo=json.loads((folder / "siteinfo.json").read_text()),
        structure=json.loads((folder / "structure.json").read_text())["pages"],
        pages=pages,
        default_language="en",
        content_items={SEED_ITEM["id"]: json.loads(json.dumps(SEED_ITEM))} if with_items else {},
    )


def translate_strings(node: Any, translate: Callable[[str], str]) -> Any:
    """Every string of a document passed through `translate`, ids and all: a careless translator."""
    if isinstance(node, dict):
        return {key: translate_strings(value, translate) for key, value in node.items()}
    if isinstance(node, list):
        return [translate_strings(value, translate) for value in node]
    return translate(node) if isinstance(node, str) else node


def returned_zip(
    exported: Path,
    out: Path,
    languages: Mapping[str, Callable[[str], str]],
    *,
    drop: Mapping[str, set[str]] | None = None,
    replace: Mapping[str, bytes] | None = None,
    keep_root: bool = True,
) -> Path:
    """What a translator sends back: the export plus `{part}/{lang}/{file}` for each language.

    `drop[lang]` names files ('site/120.json') the translator left out; `replace` maps a zip entry name to
    the bytes to put there instead of the translation.
    """
    drop = drop or {}
    replace = dict(replace or {})
    with zipfile.ZipFile(exported) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part, folder, file_name = (
                info.filename.split("/") if info.filename.count("/") == 2 else ("", "", "")
            )
            if keep_root or folder != "root":
                target.writestr(info.filename, source.read(info))
            if folder != "root":
                continue
            document = json.loads(source.read(info))
            for language, translate in languages.items():
                if f"{part}/{file_name}" in drop.get(language, set()):
                    continue
                name = f"{part}/{language}/{file_name}"
                data = replace.pop(name, None)
                if data is None:
                    data = json.dumps(translate_strings(document, translate), ensure_ascii=False).encode()
                target.writestr(name, data)
        for name, data in replace.items():
            target.writestr(name, data)
    return out


def seed_example(title: str) -> dict[str, Any]:
    """The JSON response body of the seed's example whose heading starts with `title`."""
    text = SEED.read_text()
    start = text.index(title)
    body = text.index("Response Body", start)
    return dict(json.JSONDecoder().raw_decode(text, text.index("{", body))[0])
