"""Zip safety and the XML stream, without a store: lying headers, limits, names, DOCTYPEs, flat streaming."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from sitejobs.sites.commerce.archive import ArchiveLimits, SiteArchive, resolve_archive
from sitejobs.sites.commerce.errors import (
    ArchiveNotFound,
    ForbiddenDoctype,
    InvalidArchive,
    InvalidFileName,
    MalformedXml,
    UnsafeArchive,
)
from sitejobs.sites.commerce.xmlstream import XmlStream, local


def _zip(tmp_path: Path, entries: dict[str, bytes]) -> Path:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_a_header_that_understates_the_size_gets_no_further(tmp_path: Path) -> None:
    """Patch the central directory and local header to claim 1,000 bytes for 10 MB of zeros."""
    path = _zip(tmp_path, {"top/big.xml": b"<x>" + b"0" * 10_000_000 + b"</x>"})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1000)  # uncompressed size in the central directory
    struct.pack_into("<I", data, 22, 1000)  # and in the local header
    path.write_bytes(bytes(data))
    with SiteArchive(path, ArchiveLimits()) as archive:
        [entry] = archive.entries
        assert entry.size == 1000
        with pytest.raises((UnsafeArchive, InvalidArchive)):
            b"".join(archive.chunks(entry))


def test_streamed_bytes_are_counted_against_the_declared_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if the zip reader handed out more than declared, the count stops it."""
    path = _zip(tmp_path, {"top/a.xml": b"<a/>"})
    with SiteArchive(path, ArchiveLimits()) as archive:
        [entry] = archive.entries
        monkeypatch.setattr(archive._zip, "open", lambda _info: io.BytesIO(b"<a/>" * 1000))
        with pytest.raises(UnsafeArchive, match="past its declared size"):
            b"".join(archive.chunks(entry))


def test_streamed_bytes_are_counted_against_the_total(tmp_path: Path) -> None:
    path = _zip(tmp_path, {"top/a.xml": b"<a>" + b"x" * 5000 + b"</a>", "top/b.xml": b"<b/>"})
    limits = ArchiveLimits(max_bytes=6000)
    with SiteArchive(path, limits) as archive:
        archive._inflated = 2000  # as if an earlier entry had inflated more than it declared
        with pytest.raises(UnsafeArchive, match="expands past"):
            b"".join(archive.chunks(archive.entries[0]))


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("top/../../etc/x.xml", UnsafeArchive),
        ("top\\..\\x.xml", UnsafeArchive),
        ("/abs/x.xml", UnsafeArchive),
        ("C:/x.xml", UnsafeArchive),
        ("x.xml", InvalidArchive),
    ],
)
def test_entry_names_are_checked(tmp_path: Path, name: str, error: type[Exception]) -> None:
    path = _zip(tmp_path, {"top/ok.xml": b"<a/>", name: b"<a/>"})
    with pytest.raises(error):
        SiteArchive(path, ArchiveLimits())


def test_symbolic_links_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as zf:
        link = zipfile.ZipInfo("top/link.xml")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(UnsafeArchive, match="symbolic link"):
        SiteArchive(path, ArchiveLimits())


def test_macos_resource_forks_are_ignored(tmp_path: Path) -> None:
    path = _zip(tmp_path, {"top/a.xml": b"<a/>", "__MACOSX/top/._a.xml": b"\x00\x05"})
    with SiteArchive(path, ArchiveLimits()) as archive:
        assert archive.top == "top"
        assert [e.path for e in archive.entries] == ["a.xml"]


@pytest.mark.parametrize("name", ["", "..", "a/b.zip", "a\\b.zip", "..zip", " a.zip"])
def test_file_names_must_be_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidFileName):
        resolve_archive(tmp_path, name)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ArchiveNotFound):
        resolve_archive(tmp_path, "nope.zip")


def _stream(data: bytes, size: int = 7) -> XmlStream:
    return XmlStream("t/x.xml", (data[i : i + size] for i in range(0, len(data), size)))


def test_doctype_is_refused_before_the_parser_reads_it() -> None:
    with pytest.raises(ForbiddenDoctype, match="line 3"):
        _ = _stream(
            b'<?xml version="1.0"?>\n<!-- hi -->\n<!DOCTYPE x SYSTEM "file:///etc/passwd">\n<x/>'
        ).root


def test_malformed_xml_names_the_file_and_line() -> None:
    stream = _stream(b"<x>\n<y>\n</x>")
    with pytest.raises(MalformedXml, match=r"'t/x\.xml' at line 3"):
        list(stream.events())


def test_undeclared_entities_are_malformed() -> None:
    """With resolve_entities=False libxml2 reports these without a useful position; the file is named."""
    stream = _stream(b"<x>\n<y>&nope;</y></x>")
    with pytest.raises(MalformedXml, match=r"'t/x\.xml'"):
        list(stream.events())


def test_unwatched_children_are_handed_over_in_order_and_memory_is_released() -> None:
    body = "".join(f"<p id='{i}'><n>{i}</n></p><r k='{i}'/>" for i in range(1000))
    stream = _stream(f"<root xmlns='urn:x'>{body}<tail/></root>".encode(), size=64)
    seen = []
    widest = 0
    for event in stream.events(watch=("p",)):
        if event.kind == "object":
            seen.append((local(event.element.tag), event.element.get("id") or event.element.get("k")))
            root = event.element.getparent()
            widest = max(widest, len(root) if root is not None else 0)
    assert seen[:4] == [("p", "0"), ("r", "0"), ("p", "1"), ("r", "1")]
    assert len(seen) == 2001
    assert seen[-1] == ("tail", None)
    # A stub, the unwatched siblings and what the parser read ahead within its 64-byte chunk: never the file.
    assert widest <= 8
