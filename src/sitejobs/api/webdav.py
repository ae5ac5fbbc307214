"""WebDAV under `/on/demandware.servlet/webdav/Sites/`: the Impex folder and the job logs, as sfcc-ci uses them.

Areas (the first segment after `Sites/`, matched case-insensitively, echoed in hrefs as the client spelt it):

- `Impex` → FILES_DIR/impex (the files dir every node shares; the data dir when none is set), read-write.
  `src/instance` and `log` always exist there (made on use). `Impex/log/{name}` also shows, read-only, every
  execution log (kept in the store, see `webdav_logs`): that is where sfcc-ci reads a job's log
  (`is_log_file_existing`, `log_file_name`). A real file in impex/log wins.
- `LOGS/jobs/{job_id}/{name}`: the same logs, read-only (the `log_file_path`).
- `Sites/` and `Sites/LOGS/` themselves are read-only collections listing what is below them.

Methods: OPTIONS; GET and HEAD (streamed, with Content-Length, Last-Modified, ETag, Range); PUT (streamed into a
temporary file in the target folder, then renamed over the target: 201 new, 204 replaced; chunked bodies welcome;
larger than `webdav_max_upload_bytes` → 413 and nothing kept; disk full → 507 and nothing kept); DELETE (a file or a
folder tree: 204); PROPFIND (Depth 0 or 1; `infinity` and no Depth header are answered as 1; 207 in the DAV:
namespace); MKCOL (201; 405 if it exists; 409 if the parent does not); MOVE (Destination, Overwrite T/F; 201/204,
412 when Overwrite is F and the destination exists). No LOCK, COPY or PROPPATCH: 405.

Permissions: the bearer token of the Data API, checked with `authorize()` against the client's OCAPI-settings grants.
The resource id is the path below `/webdav/Sites` with the area in lower case:
`/webdav/Sites/impex/src/instance/site.zip`, `/webdav/Sites/logs/jobs/hello-world/Job-….log`, `/webdav/Sites`.
GET, HEAD and PROPFIND need `get` on it; PUT and MKCOL `put`; DELETE `delete`; MOVE `delete` on the source and `put`
on the destination. PROPFIND checks the collection asked for, not each child it lists. So
`{"resource_id": "/webdav/Sites/impex/**", "methods": ["get", "put", "delete"]}` grants the whole Impex folder,
`/**` (`clients add --all`) grants everything, and the default job grants grant nothing here (403).
Read-only areas refuse writes with 403 whatever the grants.

Safety: a path segment may not be empty (`//`), `.` or `..` (also percent-encoded, once or more), nor hold a
backslash, NUL or another control character (400); a path whose real location (symlinks followed) leaves its area's
folder is refused (403). Both are checked before anything touches the disk.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import logging
import mimetypes
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URLPath
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from sitejobs.api import webdav_logs
from sitejobs.api.faults import common_headers
from sitejobs.api.security import authorize
from sitejobs.api.services import Started, services
from sitejobs.api.surface import Surface
from sitejobs.api.webdav_logs import LogFile
from sitejobs.engine.service import JobEngine
from sitejobs.errors import (
    BadRequest,
    Forbidden,
    HttpError,
    MethodNotAllowed,
    NotFound,
    RequestTooLarge,
    SitejobsError,
    UnsupportedMediaType,
)
from sitejobs.settings import Settings

log = logging.getLogger(__name__)

SITES_PREFIX = "/on/demandware.servlet/webdav/Sites"
RESOURCE_ROOT = "/webdav/Sites"
DAV_NS = "DAV:"
SITEJOBS_NS = "urn:sitejobs:webdav"
XML_TYPE = 'application/xml; charset="utf-8"'
ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, MKCOL, MOVE"
TEMP_PREFIX = ".sitejobs-upload-"
WRITE_BYTES = 1 << 20
MAX_PROPFIND_BODY = 64 * 1024
IMPEX_FOLDERS = (("src", "instance"), ("log",))


class Conflict(HttpError):
    def __init__(self, message: str) -> None:
        super().__init__(409, message)


class PreconditionFailed(HttpError):
    def __init__(self, message: str) -> None:
        super().__init__(412, message)


class InsufficientStorage(HttpError):
    def __init__(self, message: str = "There is no space left on the server's disk.") -> None:
        super().__init__(507, message)


# ---- paths ----------------------------------------------------------------------------------------------------


def split_path(rest: str) -> tuple[str, ...]:
    """The checked segments of a decoded path below `Sites` ("" or "/", "/impex/src/instance/a.zip", …)."""
    if rest in ("", "/"):
        return ()
    if not rest.startswith("/"):
        raise NotFound(f"No WebDAV resource at 'Sites{rest}'.")
    segments = rest[1:].split("/")
    if segments[-1] == "":
        segments.pop()  # a collection's trailing slash
    for segment in segments:
        _check_segment(segment)
    return tuple(segments)


def _check_segment(segment: str) -> None:
    if segment == "":
        raise BadRequest("The path has an empty segment ('//').")
    decoded = segment
    for _ in range(8):  # '%2e', '%252e', … all end as '.'
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    if segment in (".", "..") or decoded in (".", "..") or "/" in decoded:
        raise BadRequest(f"The path segment '{segment}' is not allowed.")
    if any(c == "\\" or ord(c) < 0x20 or c == "\x7f" for c in segment + decoded):
        raise BadRequest(f"The path segment {segment!r} holds a character that is not allowed.")
    if decoded.startswith(TEMP_PREFIX):
        raise BadRequest(f"Names starting with '{TEMP_PREFIX}' are reserved.")


def resource_id(parts: tuple[str, ...]) -> str:
    if not parts:
        return RESOURCE_ROOT
    return "/".join((RESOURCE_ROOT, parts[0].lower(), *parts[1:]))


def href_of(parts: tuple[str, ...], collection: bool) -> str:
    path = "/".join((SITES_PREFIX, *(quote(p, safe="") for p in parts)))
    return path + "/" if collection else path


#: A child in a listing: a file or folder on disk, a virtual collection (None), or a job log.
Child = tuple[str, Path | LogFile | None]


@dataclass(frozen=True)
class Target:
    parts: tuple[str, ...]
    #: The file or folder; None for a virtual collection (`Sites/`, `Sites/LOGS/`) or a job log.
    path: Path | None
    writable: bool
    #: Children shown besides the folder's own (Sites/ and LOGS/, or the job logs in Impex/log).
    extra: Callable[[], list[Child]] | None = None
    #: A job log (made from the store).
    log: LogFile | None = None

    @property
    def is_area_root(self) -> bool:
        return len(self.parts) <= 1


def resolve(settings: Settings, engine: JobEngine, parts: tuple[str, ...]) -> Target:
    """Where `parts` lives on disk (or in the store, for a job log); refuses a real location outside the area's
    folder."""
    if not parts:
        return Target(parts, None, False, lambda: [("Impex", None), ("LOGS", None)])
    area, rest = parts[0].lower(), parts[1:]
    if area == "impex":
        root = settings.impex_dir
        for folder in IMPEX_FOLDERS:
            root.joinpath(*folder).mkdir(parents=True, exist_ok=True)
        path = root.joinpath(*rest)
        if rest == ("log",):
            return Target(parts, _inside(path, root), True, lambda: _impex_job_logs(engine, path))
        if len(rest) == 2 and rest[0] == "log" and not os.path.lexists(path):
            found = webdav_logs.find(engine, rest[1])
            if found is not None:
                return Target(parts, None, False, log=found)
        return Target(parts, _inside(path, root), True)
    if area == "logs":
        if not rest:
            return Target(parts, None, False, lambda: [("jobs", None)])
        if rest[0].lower() != "jobs":
            raise NotFound(f"No WebDAV resource at '{'/'.join(parts)}'.")
        if len(rest) == 1:
            return Target(parts, None, False, lambda: [(j, None) for j in webdav_logs.job_ids(engine)])
        if len(rest) == 2:
            job_id = rest[1]
            return Target(
                parts, None, False, lambda: [(f.name, f) for f in webdav_logs.listing(engine, job_id)]
            )
        found = webdav_logs.find(engine, rest[2], job_id=rest[1]) if len(rest) == 3 else None
        return Target(parts, None, False, log=found)  # read-only, and without a log: nothing there
    raise NotFound(f"No WebDAV area '{parts[0]}': there are Impex and LOGS.")


def _inside(path: Path, root: Path) -> Path:
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if real != real_root and not real.startswith(real_root + os.sep):
        raise Forbidden("The path leads outside its WebDAV area.")
    return path


def _impex_job_logs(engine: JobEngine, impex_log: Path) -> list[Child]:
    return [(f.name, f) for f in webdav_logs.listing(engine) if not (impex_log / f.name).exists()]


def _content_type(name: str) -> str:
    if name.endswith((".log", ".txt")):
        return "text/plain; charset=utf-8"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


# ---- responses ------------------------------------------------------------------------------------------------


def error_response(error: SitejobsError, method: str) -> Response:
    root = ET.Element("D:error", {"xmlns:D": DAV_NS, "xmlns:sj": SITEJOBS_NS})
    ET.SubElement(root, "sj:message").text = error.message
    headers = common_headers(error)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="sitejobs"'
    if error.status == 405:
        headers["Allow"] = ALLOW
    if method == "PUT":
        headers["Connection"] = "close"  # the body may not have been read to its end
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, error.status, headers=headers, media_type=XML_TYPE)


def _os_error(exc: OSError) -> SitejobsError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):  # a full disk, quota or file size limit
        return InsufficientStorage()
    if exc.errno == errno.ENOENT:
        return NotFound("No such file or folder.")
    if exc.errno in (errno.ENAMETOOLONG, errno.EINVAL):
        return BadRequest("The name is not allowed on this server.")
    if exc.errno in (errno.ENOTDIR, errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST):
        return Conflict("The path conflicts with an existing file or folder.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return Forbidden("The server may not write there.")
    log.error("WebDAV file operation failed: %s", exc)
    return SitejobsError("The server could not complete the file operation.")


def _etag(st: os.stat_result) -> str:
    base = f"{st.st_mtime}-{st.st_size}"  # the same as FileResponse's
    return f'"{hashlib.md5(base.encode(), usedforsecurity=False).hexdigest()}"'


def _iso(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _response_element(href: str, name: str, st: os.stat_result | None, collection: bool) -> ET.Element:
    d = "D:"  # the prefix bound on the multistatus element
    response = ET.Element(d + "response")
    ET.SubElement(response, d + "href").text = href
    propstat = ET.SubElement(response, d + "propstat")
    prop = ET.SubElement(propstat, d + "prop")
    ET.SubElement(prop, d + "displayname").text = name
    resourcetype = ET.SubElement(prop, d + "resourcetype")
    if collection:
        ET.SubElement(resourcetype, d + "collection")
    else:
        ET.SubElement(prop, d + "getcontenttype").text = _content_type(name)
        ET.SubElement(prop, d + "getcontentlength").text = str(st.st_size if st else 0)
    if st is not None:
        ET.SubElement(prop, d + "getlastmodified").text = formatdate(st.st_mtime, usegmt=True)
        ET.SubElement(prop, d + "creationdate").text = _iso(min(st.st_mtime, st.st_ctime))
        if not collection:
            ET.SubElement(prop, d + "getetag").text = _etag(st)
    ET.SubElement(propstat, d + "status").text = "HTTP/1.1 200 OK"
    return response


def _multistatus(settings: Settings, target: Target, depth: int) -> bytes:
    """The 207 body for `target` and, at depth 1, its children."""
    root = ET.Element("D:multistatus", {"xmlns:D": DAV_NS})
    name = target.parts[-1] if target.parts else "Sites"
    children: list[Child]
    if target.log is not None:
        root.append(_response_element(href_of(target.parts, False), name, target.log.st, False))
        children = []
    elif target.path is None:
        if target.extra is None:
            raise NotFound(f"'{'/'.join(target.parts)}' does not exist.")
        root.append(_response_element(href_of(target.parts, True), name, None, True))
        children = target.extra() if depth else []
    else:
        st = target.path.stat()
        collection = os.path.isdir(target.path)
        root.append(_response_element(href_of(target.parts, collection), name, st, collection))
        children = []
        if depth and collection:
            real_root = os.path.realpath(target.path)
            for entry in sorted(os.scandir(target.path), key=lambda e: e.name):
                if entry.name.startswith(TEMP_PREFIX) or not _stays_in(entry.path, real_root):
                    continue
                children.append((entry.name, Path(entry.path)))
            if target.extra:
                children.extend(sorted(target.extra(), key=lambda c: c[0]))
    for child_name, child_path in children:
        if isinstance(child_path, LogFile):
            href = href_of((*target.parts, child_name), False)
            root.append(_response_element(href, child_name, child_path.st, False))
            continue
        child_st = None
        with contextlib.suppress(OSError):
            child_st = child_path.stat() if child_path else None
        if child_path is not None and child_st is None:
            continue  # gone meanwhile
        collection = child_path is None or os.path.isdir(child_path)
        href = href_of((*target.parts, child_name), collection)
        root.append(_response_element(href, child_name, child_st, collection))
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def _stays_in(path: str, real_root: str) -> bool:
    real = os.path.realpath(path)
    return real.startswith(real_root + os.sep)


# ---- methods --------------------------------------------------------------------------------------------------


def _settings(request: Request) -> Settings:
    settings: Settings = services(request).settings
    return settings


def _resolve(request: Request, parts: tuple[str, ...]) -> Target:
    engine: JobEngine = services(request).engine
    return resolve(_settings(request), engine, parts)


def _parts(request: Request) -> tuple[str, ...]:
    return split_path(request.path_params.get("rest", ""))


async def _read_small_body(request: Request, limit: int) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RequestTooLarge(f"The request body exceeds {limit} bytes.")
    return bytes(body)


async def options(request: Request) -> Response:
    return Response(status_code=200, headers={"DAV": "1", "Allow": ALLOW, "MS-Author-Via": "DAV"})


async def get(request: Request) -> Response:
    parts = _parts(request)
    authorize(request, resource_id(parts), "get")
    target = await run_in_threadpool(_resolve, request, parts)
    if target.log is not None:
        return Response(
            target.log.body,
            media_type=_content_type(target.log.name),
            headers={
                "Last-Modified": formatdate(target.log.st.st_mtime, usegmt=True),
                "ETag": _etag(target.log.st),
            },
        )
    if target.path is None and target.extra is None:
        raise NotFound(f"'{'/'.join(parts)}' does not exist.")
    if target.path is None or target.path.is_dir():
        raise MethodNotAllowed(f"'{'/'.join(parts) or 'Sites'}' is a collection: list it with PROPFIND.")
    try:
        st = await run_in_threadpool(target.path.stat)
    except FileNotFoundError:
        raise NotFound(f"'{'/'.join(parts)}' does not exist.") from None
    return FileResponse(target.path, stat_result=st, media_type=_content_type(target.path.name))


async def propfind(request: Request) -> Response:
    parts = _parts(request)
    authorize(request, resource_id(parts), "get")
    depth_header = request.headers.get("depth", "infinity").strip().lower()
    if depth_header not in ("0", "1", "infinity"):
        raise BadRequest("Depth must be 0, 1 or infinity.")
    body = await _read_small_body(request, MAX_PROPFIND_BODY)
    if body.strip():
        try:
            ET.fromstring(body)  # expat: no external entities, bounded expansion; the body is small
        except ET.ParseError:
            raise BadRequest("The PROPFIND body is not well-formed XML.") from None
    target = await run_in_threadpool(_resolve, request, parts)
    depth = 0 if depth_header == "0" else 1
    xml = await run_in_threadpool(_multistatus, _settings(request), target, depth)
    return Response(xml, 207, media_type=XML_TYPE)


def _writable(target: Target, what: str) -> Path:
    if not target.writable or target.path is None:
        raise Forbidden(f"'{'/'.join(target.parts) or 'Sites'}' is read-only.")
    if target.is_area_root:
        raise Forbidden(f"The area '{target.parts[0]}' itself cannot be {what}.")
    return target.path


async def put(request: Request) -> Response:
    parts = _parts(request)
    authorize(request, resource_id(parts), "put")
    settings = _settings(request)
    target = _resolve(request, parts)
    if target.path is not None and target.is_area_root:
        raise MethodNotAllowed("An area is a collection: PUT a file into it.")
    path = _writable(target, "replaced")
    if path.is_dir():
        raise MethodNotAllowed(f"'{'/'.join(parts)}' is a collection.")
    if not path.parent.is_dir():
        raise Conflict("The parent folder does not exist: create it with MKCOL first.")
    limit = settings.webdav_max_upload_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise RequestTooLarge(f"The file is larger than the limit of {limit} bytes.", limit=limit)
    existed = os.path.lexists(path)
    await _receive_into(request, path, limit)
    return Response(status_code=204 if existed else 201)


def _write(handle: BinaryIO, data: bytes | bytearray) -> None:
    handle.write(data)


def _finish(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())


async def _receive_into(request: Request, path: Path, limit: int) -> None:
    """Stream the body into a temporary file beside `path` and rename it over `path`; keep nothing on failure."""
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            size = 0
            pending = bytearray()
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise RequestTooLarge(f"The file is larger than the limit of {limit} bytes.", limit=limit)
                pending += chunk
                if len(pending) >= WRITE_BYTES:
                    data, pending = pending, bytearray()
                    await run_in_threadpool(_write, handle, data)
            if pending:
                await run_in_threadpool(_write, handle, pending)
            await run_in_threadpool(_finish, handle)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


async def delete(request: Request) -> Response:
    parts = _parts(request)
    authorize(request, resource_id(parts), "delete")
    path = _writable(_resolve(request, parts), "deleted")
    if not os.path.lexists(path):
        raise NotFound(f"'{'/'.join(parts)}' does not exist.")
    await run_in_threadpool(_remove, path)
    return Response(status_code=204)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


async def mkcol(request: Request) -> Response:
    parts = _parts(request)
    authorize(request, resource_id(parts), "put")
    if await _read_small_body(request, MAX_PROPFIND_BODY):
        raise UnsupportedMediaType("MKCOL takes no body.")
    target = _resolve(request, parts)
    if target.path is None and len(parts) > 2:  # below LOGS/jobs: the job logs, made by jobs alone
        raise Forbidden(f"'{'/'.join(parts[:2])}' is read-only.")
    if target.path is None or target.is_area_root:
        raise MethodNotAllowed(f"'{'/'.join(parts) or 'Sites'}' already exists.")
    path = _writable(target, "created")
    if os.path.lexists(path):
        raise MethodNotAllowed(f"'{'/'.join(parts)}' already exists.")
    if not path.parent.is_dir():
        raise Conflict("The parent folder does not exist.")
    path.mkdir()
    return Response(status_code=201)


async def move(request: Request) -> Response:
    parts = _parts(request)
    destination = request.headers.get("destination")
    if not destination:
        raise BadRequest("MOVE needs a Destination header.")
    dest_path = unquote(urlsplit(destination).path)
    if not dest_path.startswith(SITES_PREFIX + "/"):
        raise BadRequest(f"The Destination must be below {SITES_PREFIX}/.")
    dest_parts = split_path(dest_path[len(SITES_PREFIX) :])
    overwrite = request.headers.get("overwrite", "T").strip().upper()
    if overwrite not in ("T", "F"):
        raise BadRequest("Overwrite must be T or F.")
    authorize(request, resource_id(parts), "delete")
    authorize(request, resource_id(dest_parts), "put")
    source = _writable(_resolve(request, parts), "moved")
    target = _writable(_resolve(request, dest_parts), "replaced")
    if not os.path.lexists(source):
        raise NotFound(f"'{'/'.join(parts)}' does not exist.")
    real_source, real_target = os.path.realpath(source), os.path.realpath(target)
    if real_source == real_target:
        raise Forbidden("The source and the destination are the same.")
    if real_target.startswith(real_source + os.sep):
        raise Conflict("A collection cannot be moved into itself.")
    if not target.parent.is_dir():
        raise Conflict("The destination's parent folder does not exist.")
    existed = os.path.lexists(target)
    if existed and overwrite == "F":
        raise PreconditionFailed("The destination exists and Overwrite is F.")
    await run_in_threadpool(_move, source, target, existed)
    return Response(status_code=204 if existed else 201)


def _move(source: Path, target: Path, existed: bool) -> None:
    if existed and ((target.is_dir() and not target.is_symlink()) or source.is_dir()):
        _remove(target)
    os.replace(source, target)


HANDLERS: dict[str, Callable[[Request], Awaitable[Response]]] = {
    "OPTIONS": options,
    "GET": get,
    "HEAD": get,
    "PUT": put,
    "DELETE": delete,
    "PROPFIND": propfind,
    "MKCOL": mkcol,
    "MOVE": move,
}


class WebDAV:
    """The ASGI endpoint: every method, every path below `Sites`; errors as a small DAV:error document."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        method = request.method.upper()
        handler = HANDLERS.get(method)
        try:
            if handler is None:
                raise MethodNotAllowed(f"WebDAV method {method} is not supported here.")
            response = await handler(request)
        except ClientDisconnect:
            log.info("WebDAV client went away during %s %s", method, scope["path"])
            return
        except SitejobsError as exc:
            response = error_response(exc, method)
        except OSError as exc:
            response = error_response(_os_error(exc), method)
        await response(scope, receive, send)


class WebDAVRoute(BaseRoute):
    """Every path below `Sites`, whatever characters it holds (a `{path:path}` route skips a decoded newline, so
    such a request would get another surface's 404 instead of this one's 400)."""

    def __init__(self) -> None:
        self.app = WebDAV()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            path, root = scope["path"], scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]
            if path == SITES_PREFIX or path.startswith(SITES_PREFIX + "/"):
                rest = path[len(SITES_PREFIX) :]
                return Match.FULL, {"endpoint": self.app, "path_params": {"rest": rest}}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def render(request: Request, error: SitejobsError) -> Response:
    """What escaped the handlers (an unexpected error, the router's 404 for a path outside `Sites`)."""
    return error_response(error, request.method.upper())


def create_webdav(started: Started) -> Surface:
    """The WebDAV sub-app: every path below `Sites`, each route enforcing its own body limit."""
    return Surface(started, [WebDAVRoute()], render, max_body_bytes=None)
