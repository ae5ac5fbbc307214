"""Building site archives from the SFRA fixture, running the import job, and reading the store back."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import select

from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine
from sitejobs.sites.commerce import schema
from tests.conftest import FIXTURES
from tests.timing import deadline_after

DEMO = FIXTURES / "sfcc-site-archive" / "demo_data_sfra"
TOP = "demo_data_sfra"
JOB = "sfcc-site-archive-import"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def fixture_entries(*only: str) -> dict[str, bytes]:
    """The fixture's files as zip entries under the top folder; `only` keeps the paths starting so."""
    entries = {}
    for path in sorted(DEMO.rglob("*")):
        rel = path.relative_to(DEMO).as_posix()
        if path.is_file() and (not only or rel.startswith(only)):
            entries[f"{TOP}/{rel}"] = path.read_bytes()
    return entries


def write_zip(instance: Path, name: str, entries: Mapping[str, bytes]) -> Path:
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for entry, data in entries.items():
            zf.writestr(entry, data)
    return path


def instance_dir(engine: JobEngine) -> Path:
    return engine.settings.impex_dir / "src" / "instance"


def run_import(engine: JobEngine, file_name: str, mode: str = "merge", timeout: float = 120) -> Execution:
    return run_job(engine, JOB, {"file_name": file_name, "mode": mode}, timeout)


def run_job(engine: JobEngine, job_id: str, request: dict[str, Any], timeout: float = 120) -> Execution:
    """Submit a system job with its request document and wait for it to end (an executor must be running)."""
    execution = engine.submit(job_id, request=request)
    deadline = deadline_after(timeout)
    while time.monotonic() < deadline:
        current = engine.get(execution.id)
        assert current is not None
        if current.is_terminal:
            return current
        time.sleep(0.05)
    raise AssertionError(f"{job_id} execution {execution.id} did not finish in {timeout} s")


def rows(engine: JobEngine, table: str, **where: Any) -> list[dict[str, Any]]:
    t = schema.TABLES[table]
    query = select(t).where(*(t.c[k] == v for k, v in where.items())).order_by(*t.primary_key.columns)
    with engine.db.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def snapshot(engine: JobEngine) -> dict[str, list[dict[str, Any]]]:
    """Every row of the site store, without the revision each import stamps (bookkeeping of the search index's
    delta update, not data: importing the same objects again gives them a new one)."""
    return {
        name: [{k: v for k, v in row.items() if k != "revision"} for row in rows(engine, name)]
        for name in schema.TABLES
    }


def unrevised(store: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """A snapshot without the revision column, which only says which import last changed a row."""
    return {
        name: [{k: v for k, v in r.items() if k != "revision"} for r in table]
        for name, table in store.items()
    }


def files_under(root: Path, skip: Callable[[Path], bool]) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and not skip(p)}


# ---- what the fixture holds, read with a plain (non-streaming) parse ----------------------------------------


def parse(rel: str) -> etree._Element:
    return etree.parse(str(DEMO / rel), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()


def children(root: etree._Element, tag: str) -> list[etree._Element]:
    return [c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == tag]


def descendants(root: etree._Element, tag: str) -> list[etree._Element]:
    return list(root.iter(f"{{*}}{tag}"))


def c14n(xml: str | etree._Element) -> str:
    """Canonical XML (C14N 2.0) of an element or of XML text, for comparing what was stored with the source."""
    text = xml if isinstance(xml, str) else etree.tostring(xml, encoding="unicode", with_tail=False)
    return str(etree.canonicalize(xml_data=text))


def ids(elements: Iterable[etree._Element], *attributes: str) -> set[tuple[str, ...]]:
    return {tuple(e.get(a) or "" for a in attributes) for e in elements}
