"""The Sites Management error document, built from the one exception tree in `sitejobs.errors`.

`OCE_ERRORS` is the single table from exception class to OCE title and `o:errorCode`; a class without a row
takes its nearest ancestor's, and a row's blanks are derived from the HTTP status (title = the reason phrase,
code = `OCE-SITEMGMT-000{status}`). Only two codes are Oracle's, both shown in the seed: 009004 (site already
exists) and 009024 (site job not found). The 0099xx codes and the 000{status} codes are sitejobs' own.

Two renderings, because the seed shows both:
- `error_document`: the body of an error response. `status` is a string (the seed's 404 example) and
  `o:errorDetails` is present only when there are details.
- `job_error`: the `error` field of a failed job's status. `status` is a number and `o:errorDetails` is always
  present (the seed's failed create/copy example).

The exception's `arguments` become extra detail fields (`"jobStatus": {"context": …}` for a missing job).

`type` is the RFC 2616 section of the status (10.4.x for 4xx, 10.5.x for 5xx; RFC 6585 for 429), except where
the seed pins one: it shows `#sec10.4.1` on its 404 and on its 409, so those two rows keep that anchor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sitejobs.api.faults import common_headers, json_response
from sitejobs.errors import (
    BadQueryParameter,
    ComponentNotFound,
    ExpansionFailed,
    InvalidTranslationZip,
    PublishFailed,
    ResourceAlreadyExists,
    ResourceInUse,
    SiteAlreadyExists,
    SiteJobNotFound,
    SitejobsError,
    SiteNotFound,
    SiteStateConflict,
    TemplateInvalid,
    TemplateNotFound,
    ThemeNotFound,
    Unauthorized,
    UnsafeZip,
)

__all__ = [
    "OCE_ERRORS",
    "OceError",
    "error_document",
    "error_headers",
    "job_error",
    "render",
    "row_for",
    "type_url",
]

RFC2616 = "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec"
RFC6585_429 = "https://tools.ietf.org/html/rfc6585#section-4"
_RESERVED = frozenset({"type", "title", "status", "detail", "o:errorCode", "o:errorDetails"})


@dataclass(frozen=True, slots=True)
class OceError:
    """One row: `None` means "derived from the HTTP status"."""

    title: str | None = None
    code: str | None = None
    #: An RFC 2616 section such as "10.4.1", when the documented examples use a fixed one.
    section: str | None = None


OCE_ERRORS: Mapping[type[SitejobsError], OceError] = {
    SitejobsError: OceError(),
    SiteJobNotFound: OceError("Site Job Not Found", "OCE-SITEMGMT-009024", section="10.4.1"),
    SiteAlreadyExists: OceError("Site Already Exists", "OCE-SITEMGMT-009004", section="10.4.1"),
    SiteNotFound: OceError("Site Not Found", "OCE-SITEMGMT-009901"),
    TemplateNotFound: OceError("Template Not Found", "OCE-SITEMGMT-009902"),
    ThemeNotFound: OceError("Theme Not Found", "OCE-SITEMGMT-009903"),
    ComponentNotFound: OceError("Component Not Found", "OCE-SITEMGMT-009904"),
    BadQueryParameter: OceError("Invalid Query Parameter", "OCE-SITEMGMT-009905"),
    ExpansionFailed: OceError("Expansion Failed", "OCE-SITEMGMT-009906"),
    ResourceAlreadyExists: OceError("Resource Already Exists", "OCE-SITEMGMT-009907"),
    TemplateInvalid: OceError("Template Not Valid", "OCE-SITEMGMT-009908"),
    InvalidTranslationZip: OceError("Translation File Not Valid", "OCE-SITEMGMT-009909"),
    UnsafeZip: OceError("Unsafe Zip", "OCE-SITEMGMT-009910"),
    PublishFailed: OceError("Publish Failed", "OCE-SITEMGMT-009911"),
    SiteStateConflict: OceError("Site State Conflict", "OCE-SITEMGMT-009912"),
    ResourceInUse: OceError("Resource In Use", "OCE-SITEMGMT-009913"),
}


def row_for(error: SitejobsError) -> OceError:
    """The row of the error's class or its nearest ancestor's (the root always has one)."""
    for cls in type(error).__mro__:
        row = OCE_ERRORS.get(cls)
        if row is not None:
            return row
    raise AssertionError("SitejobsError has a row")  # pragma: no cover


def type_url(status: int, section: str | None = None) -> str:
    if section is not None:
        return RFC2616 + section
    if status == 429:
        return RFC6585_429
    if 400 <= status <= 417:
        return f"{RFC2616}10.4.{status - 399}"
    if 500 <= status <= 505:
        return f"{RFC2616}10.5.{status - 499}"
    return f"{RFC2616}10.{status // 100}"


def error_document(error: SitejobsError) -> dict[str, Any]:
    """The response body for `error`, as the seed's 404 example shows it."""
    return _document(error, embedded=False)


def job_error(error: SitejobsError) -> dict[str, Any]:
    """The `error` field of a failed job's status, as the seed's failed create/copy job shows it."""
    return _document(error, embedded=True)


def error_headers(error: SitejobsError) -> dict[str, str]:
    """Headers the error's response must carry: `Retry-After` on 429 and 503, `Allow` on 405, the auth
    challenge on 401."""
    headers = common_headers(error)
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = 'Basic realm="sitejobs", Bearer realm="sitejobs"'
    return headers


def render(_request: Request, error: SitejobsError) -> Response:
    """The error response of the surface: the document and its headers."""
    return json_response(error_document(error), error.status, error_headers(error))


def _document(error: SitejobsError, *, embedded: bool) -> dict[str, Any]:
    row = row_for(error)
    status = error.status
    doc: dict[str, Any] = {
        "type": type_url(status, row.section),
        "title": row.title or _phrase(status),
        "status": status if embedded else str(status),
        "detail": error.message,
        "o:errorCode": row.code or f"OCE-SITEMGMT-{status:06d}",
    }
    details = [_document(error.cause, embedded=embedded)] if isinstance(error, ExpansionFailed) else []
    if details or embedded:
        doc["o:errorDetails"] = details
    for key, value in error.arguments.items():
        if key not in _RESERVED:
            doc[key] = value
    return doc


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
