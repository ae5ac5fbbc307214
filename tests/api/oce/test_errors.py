"""The Sites Management error document: the seed's two examples exactly, and every error of the tree in the
same shape with the status, title, code and RFC 2616 anchor a client can rely on."""

from __future__ import annotations

import inspect
import re

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

import sitejobs.errors as errors_module
from sitejobs.api.oce.errors import OCE_ERRORS, error_document, error_headers, job_error, row_for, type_url
from sitejobs.errors import (
    BadQueryParameter,
    ComponentNotFound,
    ExpansionFailed,
    Forbidden,
    HttpError,
    LeaseLost,
    MalformedDocument,
    NotAcceptable,
    SiteAlreadyExists,
    SiteJobNotFound,
    SitejobsError,
    SiteNotFound,
    TemplateNotFound,
    ThemeNotFound,
    TooManyRequests,
    Unauthorized,
)
from tests.api.oce.conftest import seed_examples, seed_not_found_body

RFC = "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec"


def test_missing_job_is_the_seed_404_document() -> None:
    expected = seed_not_found_body()
    assert error_document(SiteJobNotFound(expected["jobStatus"]["context"])) == expected


def test_failed_job_error_is_the_seed_failed_copy_error() -> None:
    failed = next(e for e in seed_examples() if e.title.startswith("Get the Status of a Failed"))
    assert job_error(SiteAlreadyExists("AcmeProductLaunch")) == failed.body["error"]


def _all_error_classes() -> list[type[SitejobsError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors_module, inspect.isclass)
        if issubclass(cls, SitejobsError) and cls.__module__ == errors_module.__name__
    ]


def _instance(cls: type[SitejobsError]) -> SitejobsError:
    special: dict[type[SitejobsError], SitejobsError] = {
        SiteJobNotFound: SiteJobNotFound("ABC"),
        SiteAlreadyExists: SiteAlreadyExists("Acme"),
        errors_module.ResourceAlreadyExists: errors_module.ResourceAlreadyExists("theme", "Acme"),
        BadQueryParameter: BadQueryParameter("limit", "limit must be a whole number from 1, not '0'."),
        TooManyRequests: TooManyRequests(7),
        ExpansionFailed: ExpansionFailed("site", SiteNotFound("S1")),
        HttpError: HttpError(418, "I'm a teapot"),
    }
    if cls in special:
        return special[cls]
    if issubclass(cls, errors_module.ResourceNotFound):
        return cls("name:Acme")
    return cls()


@pytest.mark.parametrize("cls", _all_error_classes(), ids=lambda c: c.__name__)
def test_every_error_renders_in_the_oce_shape(cls: type[SitejobsError]) -> None:
    error = _instance(cls)
    doc = error_document(error)
    embedded = job_error(error)
    assert list(doc)[:5] == ["type", "title", "status", "detail", "o:errorCode"]
    assert doc["status"] == str(error.status)
    assert embedded["status"] == error.status
    assert doc["detail"] == error.message
    assert doc["title"]
    assert re.fullmatch(r"OCE-SITEMGMT-[0-9]{6}", doc["o:errorCode"])
    assert doc["type"].startswith(
        ("http://www.w3.org/Protocols/rfc2616/", "https://tools.ietf.org/html/rfc6585")
    )
    codes = [d["o:errorCode"] for d in doc.get("o:errorDetails", [])]
    assert [d["o:errorCode"] for d in embedded["o:errorDetails"]] == codes  # always there when embedded


@pytest.mark.parametrize(
    ("error", "anchor", "title", "code"),
    [
        (MalformedDocument(), "10.4.1", "Bad Request", "OCE-SITEMGMT-000400"),
        (BadQueryParameter("q", "bad q"), "10.4.1", "Invalid Query Parameter", "OCE-SITEMGMT-009905"),
        (Unauthorized(), "10.4.2", "Unauthorized", "OCE-SITEMGMT-000401"),
        (Forbidden(), "10.4.4", "Forbidden", "OCE-SITEMGMT-000403"),
        (SiteNotFound("S1"), "10.4.5", "Site Not Found", "OCE-SITEMGMT-009901"),
        (TemplateNotFound("name:T"), "10.4.5", "Template Not Found", "OCE-SITEMGMT-009902"),
        (ThemeNotFound("T1"), "10.4.5", "Theme Not Found", "OCE-SITEMGMT-009903"),
        (ComponentNotFound("C1"), "10.4.5", "Component Not Found", "OCE-SITEMGMT-009904"),
        (NotAcceptable(), "10.4.7", "Not Acceptable", "OCE-SITEMGMT-000406"),
        (LeaseLost(), "10.4.10", "Conflict", "OCE-SITEMGMT-000409"),
        (SitejobsError(), "10.5.1", "Internal Server Error", "OCE-SITEMGMT-000500"),
        (HttpError(503, "busy"), "10.5.4", "Service Unavailable", "OCE-SITEMGMT-000503"),
        # Pinned by the seed: its 404 and its 409 both carry the 10.4.1 anchor.
        (SiteJobNotFound("J"), "10.4.1", "Site Job Not Found", "OCE-SITEMGMT-009024"),
        (SiteAlreadyExists("A"), "10.4.1", "Site Already Exists", "OCE-SITEMGMT-009004"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, SitejobsError) else None,
)
def test_title_code_and_anchor(error: SitejobsError, anchor: str, title: str, code: str) -> None:
    doc = error_document(error)
    assert (doc["type"], doc["title"], doc["o:errorCode"]) == (RFC + anchor, title, code)


def test_429_points_at_rfc_6585_and_says_when_to_retry() -> None:
    error = TooManyRequests(12)
    assert error_document(error)["type"] == "https://tools.ietf.org/html/rfc6585#section-4"
    assert error_headers(error) == {"Retry-After": "12"}


def test_401_carries_a_challenge_for_both_schemes_the_toolkit_uses() -> None:
    challenge = error_headers(Unauthorized())["WWW-Authenticate"]
    assert challenge.startswith("Basic ")
    assert "Bearer " in challenge
    assert error_headers(SiteNotFound("S")) == {}


def test_lookup_by_name_or_id_is_named_in_the_details() -> None:
    assert error_document(SiteNotFound("name:Acme"))["site"] == {"name": "Acme"}
    assert error_document(ThemeNotFound("F3A9"))["theme"] == {"id": "F3A9"}
    assert "'Acme'" in SiteNotFound("name:Acme").message


def test_expansion_failure_carries_the_relations_error() -> None:
    cause = SiteNotFound("S1")
    doc = error_document(ExpansionFailed("site", cause))
    assert doc["o:errorDetails"] == [error_document(cause)]
    assert "'site'" in doc["detail"]


def test_arguments_never_override_the_documents_own_fields() -> None:
    error = BadQueryParameter("limit", "bad limit")
    error.arguments["status"] = "forged"
    error.arguments["title"] = "forged"
    doc = error_document(error)
    assert doc["status"] == "400"
    assert doc["title"] == "Invalid Query Parameter"


def test_the_table_has_the_root_so_every_error_has_a_row() -> None:
    assert SitejobsError in OCE_ERRORS
    assert row_for(HttpError(418, "teapot")) is OCE_ERRORS[SitejobsError]
    assert type_url(418) == RFC + "10.4"  # past RFC 2616's list: its class section


def test_documents_render_through_a_starlette_app() -> None:
    """What the lead's fault handler will do: status line, body and headers from the same error."""

    async def limited(request: Request) -> Response:
        raise TooManyRequests(3)

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SitejobsError)
        return JSONResponse(error_document(exc), status_code=exc.status, headers=error_headers(exc))

    app = Starlette(routes=[Route("/limited", limited)], exception_handlers={SitejobsError: handler})
    response = TestClient(app).get("/limited")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json()["o:errorCode"] == "OCE-SITEMGMT-000429"
