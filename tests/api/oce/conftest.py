"""The seed's `_status` examples, read from the seed itself (not transcribed), and documents built around them."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sitejobs.api.oce.query import Query, default_query, parse_query
from sitejobs.api.oce.resources import STATUS, STATUS_PAGES, ResourceSpec
from sitejobs.api.oce.shaping import Loader, page_collection
from tests.conftest import REPO

SEED = REPO.parent / "shared" / "seeds" / "004_06b32018673fb6cd.txt"
BASE = "https://sites.example.com/sites/management/api/v1"
_EXAMPLE = re.compile(
    r"^200OK - (?P<title>[^\n]+)\n.*?^Request\n\s*GET (?P<url>\S+)\n\s*Response Body\n\s*", re.M | re.S
)


@dataclass(frozen=True)
class SeedExample:
    title: str
    query: str
    body: dict[str, Any]


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def seed_examples() -> list[SeedExample]:
    text = seed_text()
    examples = []
    decoder = json.JSONDecoder()
    for match in _EXAMPLE.finditer(text):
        body, _ = decoder.raw_decode(text, match.end())
        examples.append(SeedExample(match.group("title"), urlsplit(match.group("url")).query, body))
    return examples


def seed_not_found_body() -> dict[str, Any]:
    text = seed_text()
    start = text.index("{", text.index("Example Response Body"))
    body, _ = json.JSONDecoder().raw_decode(text, start)
    assert isinstance(body, dict)
    return body


def query(text: str, spec: ResourceSpec = STATUS) -> Query:
    return parse_query(parse_qsl(text, keep_blank_values=True), spec)


def link(rel: str, href: str) -> dict[str, Any]:
    return {"rel": rel, "href": href, "templated": False, "mediaType": "application/json", "method": "GET"}


def status_links(context: str, *, pages: bool = False) -> list[dict[str, Any]]:
    """The links a job status carries, per the seed's list: self, canonical, parent, describedBy, pages."""
    own = f"{BASE}/sites/_status/{context}"
    links = [
        link("self", own),
        link("canonical", own),
        link("parent", f"{BASE}/sites"),
        link("describedBy", f"{BASE}/metadata-catalog/sites/_status"),
    ]
    if pages:
        links.append(link("pages", own + "/pages"))
    return links


def full_document(seed_body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Loader]]:
    """The whole status document a server holds for a seed example, with every link, and its relations:
    what the seed's query strings cut down. The `pages` of a refresh become the relation `expand` loads."""
    doc = copy.deepcopy(seed_body)
    relations: dict[str, Loader] = {}
    pages = doc.pop("pages", None)
    if pages is not None:
        items = pages["items"]
        relations["pages"] = lambda: page_collection(items, default_query(STATUS_PAGES))
    file = doc.get("translationFile")
    if file is not None:
        file["links"].insert(0, link("self", f"{BASE}/documents/files/{file['id']}"))
    doc["links"] = status_links(doc["context"], pages=pages is not None)
    return doc, relations
