"""The OCAPI fault document: `{"_v": "23.2", "fault": {"type": …, "message": …, "arguments": …}}`.

`FAULT_TYPES` is the single table from exception class to OCAPI fault type; a class without a row takes its
nearest ancestor's. The version is the one in the request's path (`DEFAULT_VERSION` where it names none).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sitejobs.api.faults import common_headers, json_response
from sitejobs.errors import (
    BadRequest,
    ComponentNotFound,
    ExpansionFailed,
    Forbidden,
    HttpError,
    InvalidJobDefinition,
    InvalidParameter,
    InvalidSearchQuery,
    InvalidStateTransition,
    InvalidTranslationZip,
    JobAlreadyRunning,
    JobExecutionNotFinished,
    JobExecutionNotFound,
    JobNotFound,
    LeaseLost,
    MalformedDocument,
    MethodNotAllowed,
    MissingParameter,
    NotAcceptable,
    NotFound,
    PathOutsideArea,
    PublishFailed,
    RenderFailed,
    RequestTooLarge,
    ResourceAlreadyExists,
    ResourceInUse,
    SearchIndexNotBuilt,
    ServiceUnavailable,
    SiteAlreadyExists,
    SiteJobNotFound,
    SitejobsError,
    SiteNotFound,
    SiteStateConflict,
    StorefrontSiteNotFound,
    TemplateInvalid,
    TemplateNotFound,
    ThemeNotFound,
    TooManyRequests,
    Unauthorized,
    UnknownProperty,
    UnsafeZip,
    UnsupportedMediaType,
    UnsupportedVersion,
)

DEFAULT_VERSION = "23.2"
_VERSION_IN_PATH = re.compile(r"/dw/data/v([0-9]{2})_([0-9]{1,2})/")

FAULT_TYPES: Mapping[type[SitejobsError], str] = {
    SitejobsError: "InternalServerErrorException",
    NotFound: "ResourcePathNotFoundException",
    JobNotFound: "JobNotFoundException",
    JobExecutionNotFound: "JobExecutionNotFoundException",
    StorefrontSiteNotFound: "SiteNotFoundException",
    SearchIndexNotBuilt: "SearchIndexNotBuiltException",
    BadRequest: "InvalidParameterException",
    MalformedDocument: "MalformedDocumentException",
    UnknownProperty: "UnknownPropertyException",
    MissingParameter: "MissingParameterException",
    InvalidParameter: "InvalidParameterException",
    UnsupportedVersion: "UnsupportedVersionException",
    InvalidSearchQuery: "InvalidSearchPhraseException",
    JobAlreadyRunning: "JobAlreadyRunningException",
    JobExecutionNotFinished: "JobExecutionNotFinishedException",
    InvalidStateTransition: "InvalidJobExecutionStateException",
    InvalidTranslationZip: "InvalidTranslationZipException",
    UnsafeZip: "UnsafeZipException",
    TemplateInvalid: "InvalidTemplateException",
    InvalidJobDefinition: "InvalidJobDefinitionException",
    RenderFailed: "RenderFailedException",
    Unauthorized: "InvalidAccessTokenException",
    Forbidden: "ClientAccessForbiddenException",
    PathOutsideArea: "PathOutsideAreaException",
    MethodNotAllowed: "MethodNotAllowedException",
    UnsupportedMediaType: "UnsupportedMediaTypeException",
    RequestTooLarge: "RequestEntityTooLargeException",
    LeaseLost: "LeaseLostException",
    SiteJobNotFound: "SiteJobNotFoundException",
    SiteNotFound: "SiteNotFoundException",
    TemplateNotFound: "TemplateNotFoundException",
    ThemeNotFound: "ThemeNotFoundException",
    ComponentNotFound: "ComponentNotFoundException",
    SiteAlreadyExists: "SiteAlreadyExistsException",
    ResourceAlreadyExists: "ResourceAlreadyExistsException",
    ResourceInUse: "ResourceInUseException",
    SiteStateConflict: "SiteStateConflictException",
    PublishFailed: "PublishFailedException",
    NotAcceptable: "NotAcceptableException",
    TooManyRequests: "TooManyRequestsException",
    ServiceUnavailable: "ServiceUnavailableException",
    ExpansionFailed: "ExpansionFailedException",
    HttpError: "HttpException",
}


def fault_type(error: SitejobsError) -> str:
    """The fault type of the error's class or of its nearest ancestor (the root always has one)."""
    for cls in type(error).__mro__:
        found = FAULT_TYPES.get(cls)
        if found is not None:
            return found
    raise AssertionError("SitejobsError has a fault type")  # pragma: no cover


def version_of(path: str) -> str:
    match = _VERSION_IN_PATH.search(path)
    return f"{match.group(1)}.{match.group(2)}" if match else DEFAULT_VERSION


def ocapi_fault(error: SitejobsError, version: str) -> Response:
    fault: dict[str, Any] = {"type": fault_type(error), "message": error.message}
    if error.arguments:
        fault["arguments"] = error.arguments
    headers = common_headers(error)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="sitejobs"'
    return json_response({"_v": version, "fault": fault}, error.status, headers)


def render(request: Request, error: SitejobsError) -> Response:
    """The fault document of `error` in the API version the request's path names."""
    return ocapi_fault(error, version_of(request.url.path))
