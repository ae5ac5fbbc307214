"""The exception tree names no surface's document: a job records an error's code (its class's name) and its
arguments, each surface maps the class to its own names, and records written with the former OCAPI fault-type
codes still restore to their class."""

from __future__ import annotations

import pytest

from sitejobs import errors
from sitejobs.api.ocapi.faults import FAULT_TYPES, fault_type
from sitejobs.api.oce.errors import job_error
from sitejobs.errors import (
    InvalidParameter,
    LeaseLost,
    SitejobsError,
    SiteNotFound,
    StorefrontSiteNotFound,
    TemplateInvalid,
    error_record,
    restore_error,
)


def test_no_exception_class_carries_an_ocapi_name() -> None:
    assert not any(hasattr(cls, "fault_type") for cls in vars(errors).values() if isinstance(cls, type))


def test_a_record_round_trips_to_its_class_with_its_arguments() -> None:
    record = error_record(SiteNotFound("Alpha"))
    assert record["code"] == "SiteNotFound"
    restored = restore_error(record)
    assert type(restored) is SiteNotFound
    assert (restored.status, restored.message, restored.arguments) == (
        404,
        record["message"],
        {"site": {"id": "Alpha"}},
    )
    assert job_error(restored)["o:errorCode"] == "OCE-SITEMGMT-009901"


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("SiteNotFoundException", SiteNotFound),
        ("InvalidTemplateException", TemplateInvalid),
        ("LeaseLostException", LeaseLost),
        ("NoSuchCode", SitejobsError),
    ],
)
def test_records_with_former_codes_restore_to_their_class(code: str, cls: type[SitejobsError]) -> None:
    restored = restore_error({"code": code, "status": 400, "message": "m", "arguments": {}})
    assert type(restored) is cls
    assert (restored.status, restored.message) == (400, "m")


def test_the_ocapi_fault_type_is_the_nearest_row_of_its_table() -> None:
    assert fault_type(StorefrontSiteNotFound()) == "SiteNotFoundException"
    assert fault_type(errors.BadQueryParameter("p", "m")) == FAULT_TYPES[InvalidParameter]
    assert fault_type(SitejobsError()) == "InternalServerErrorException"
