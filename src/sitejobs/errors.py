"""One exception tree for the whole server; each API surface renders it as its own error document.

A class's docstring is its default message. `fault_type` is the OCAPI fault name, `status` the HTTP status.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any


class SitejobsError(Exception):
    """Internal error."""

    status: int = 500
    fault_type: str = "InternalServerErrorException"

    def __init__(self, message: str | None = None, **arguments: Any) -> None:
        self.message = message or (type(self).__doc__ or "").strip()
        self.arguments = arguments
        super().__init__(self.message)


def error_record(error: SitejobsError) -> dict[str, Any]:
    """An error as a job stores it in its result: its fault type (a code), status, message and arguments.
    Each API surface renders it in its own shape (`restore_error`, then that surface's renderer)."""
    return {
        "code": error.fault_type,
        "status": error.status,
        "message": error.message,
        "arguments": error.arguments,
    }


def restore_error(record: Mapping[str, Any]) -> SitejobsError:
    """The exception an `error_record` was made from, for rendering: the most general class of its fault type."""
    code = str(record.get("code", ""))
    classes: deque[type[SitejobsError]] = deque([SitejobsError])
    cls: type[SitejobsError] = SitejobsError
    while classes:
        candidate = classes.popleft()
        if candidate.fault_type == code:
            cls = candidate
            break
        classes.extend(candidate.__subclasses__())
    error = cls.__new__(cls)
    SitejobsError.__init__(error, str(record.get("message") or ""), **dict(record.get("arguments") or {}))
    error.status = int(record.get("status", cls.status))
    return error


class NotFound(SitejobsError):
    """Not found."""

    status = 404
    fault_type = "ResourcePathNotFoundException"


class JobNotFound(NotFound):
    """No job with this id is registered."""

    fault_type = "JobNotFoundException"


class JobExecutionNotFound(NotFound):
    """No execution with this id exists for this job."""

    fault_type = "JobExecutionNotFoundException"


class StorefrontSiteNotFound(NotFound):
    """No Commerce site with this id is in the site store."""

    fault_type = "SiteNotFoundException"


class SearchIndexNotBuilt(NotFound):
    """The product search index of this site was never built."""

    fault_type = "SearchIndexNotBuiltException"


class BadRequest(SitejobsError):
    """The request is not valid."""

    status = 400
    fault_type = "InvalidParameterException"


class MalformedDocument(BadRequest):
    """The request body is not a well-formed JSON document."""

    fault_type = "MalformedDocumentException"


class UnknownProperty(BadRequest):
    """The document has a property this resource does not know."""

    fault_type = "UnknownPropertyException"


class MissingParameter(BadRequest):
    """A required parameter is missing."""

    fault_type = "MissingParameterException"


class InvalidParameter(BadRequest):
    """A parameter has a value of the wrong type or out of range."""

    fault_type = "InvalidParameterException"


class UnsupportedVersion(BadRequest):
    """The API version in the path is not of the form v{major}_{minor}."""

    fault_type = "UnsupportedVersionException"


class InvalidSearchQuery(BadRequest):
    """The search query holds no word to search for."""

    fault_type = "InvalidSearchPhraseException"


class JobAlreadyRunning(BadRequest):
    """The job does not allow concurrent executions and one is already active."""

    fault_type = "JobAlreadyRunningException"


class JobExecutionNotFinished(BadRequest):
    """The execution is still active."""

    fault_type = "JobExecutionNotFinishedException"


class InvalidStateTransition(BadRequest):
    """The execution is not in a state that allows this operation."""

    fault_type = "InvalidJobExecutionStateException"


class InvalidTranslationZip(BadRequest):
    """The file is not a translation zip of this site."""

    fault_type = "InvalidTranslationZipException"


class UnsafeZip(BadRequest):
    """The zip was refused as unsafe."""

    fault_type = "UnsafeZipException"


class TemplateInvalid(BadRequest):
    """The site template is not valid."""

    fault_type = "InvalidTemplateException"


class InvalidJobDefinition(SitejobsError):
    """A job definition is not valid."""

    fault_type = "InvalidJobDefinitionException"


class RenderFailed(SitejobsError):
    """The page could not be rendered."""

    fault_type = "RenderFailedException"


class Unauthorized(SitejobsError):
    """The access token is missing, expired or not valid."""

    status = 401
    fault_type = "InvalidAccessTokenException"


class Forbidden(SitejobsError):
    """The client is not allowed to access this resource."""

    status = 403
    fault_type = "ClientAccessForbiddenException"


class PathOutsideArea(Forbidden):
    """A symbolic link leads out of the folder this file must be in; it is neither read nor written."""

    fault_type = "PathOutsideAreaException"


class MethodNotAllowed(SitejobsError):
    """The method is not allowed on this resource."""

    status = 405
    fault_type = "MethodNotAllowedException"

    def __init__(self, message: str | None = None, *, allow: str = "", **arguments: Any) -> None:
        super().__init__(message, **arguments)
        #: The `Allow` header of the answer: the methods the resource does take.
        self.allow = allow


class UnsupportedMediaType(SitejobsError):
    """The request body must be application/json."""

    status = 415
    fault_type = "UnsupportedMediaTypeException"


class RequestTooLarge(SitejobsError):
    """The request body is larger than the server accepts."""

    status = 413
    fault_type = "RequestEntityTooLargeException"


class LeaseLost(SitejobsError):
    """This worker no longer holds the execution's lease."""

    status = 409
    fault_type = "LeaseLostException"


# -- the Sites Management (OCE) surface ------------------------------------------------------------------
# Their OCE titles and `o:errorCode`s are in `sitejobs.api.oce.errors.OCE_ERRORS`; `arguments` become the
# error document's extra detail fields (e.g. `jobStatus`), so only pass what a client may see.


class SiteJobNotFound(NotFound):
    """Job does not exist or has been deleted, or the authenticated user or client application does not have access to the job."""

    fault_type = "SiteJobNotFoundException"

    def __init__(self, context: str) -> None:
        super().__init__(jobStatus={"context": context})
        self.context = context


class ResourceNotFound(NotFound):
    """No such resource, or it is not visible to the caller."""

    #: The detail field naming what was looked for: `{"site": {"name": "X"}}` or `{"site": {"id": "X"}}`.
    kind = "resource"

    def __init__(self, ident: str) -> None:
        key, value = ("name", ident[5:]) if ident.startswith("name:") else ("id", ident)
        what = "name" if key == "name" else "identifier"
        super().__init__(
            f"No {self.kind} with {what} '{value}' exists, or it is not visible to you.",
            **{self.kind: {key: value}},
        )


class SiteNotFound(ResourceNotFound):
    """Site not found."""

    fault_type = "SiteNotFoundException"
    kind = "site"


class TemplateNotFound(ResourceNotFound):
    """Template not found."""

    fault_type = "TemplateNotFoundException"
    kind = "template"


class ThemeNotFound(ResourceNotFound):
    """Theme not found."""

    fault_type = "ThemeNotFoundException"
    kind = "theme"


class ComponentNotFound(ResourceNotFound):
    """Component not found."""

    fault_type = "ComponentNotFoundException"
    kind = "component"


class SiteAlreadyExists(SitejobsError):
    """A site with this name already exists."""

    status = 409
    fault_type = "SiteAlreadyExistsException"

    def __init__(self, name: str) -> None:
        # No detail fields: the seed's failed-copy job shows the document without any.
        super().__init__(f"Site with name '{name}' already exists.")
        self.name = name


class ResourceAlreadyExists(SitejobsError):
    """A theme or component with this name already exists."""

    status = 409
    fault_type = "ResourceAlreadyExistsException"

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"{kind.title()} with name '{name}' already exists.")
        self.name = name


class ResourceInUse(SitejobsError):
    """The resource is in use by other templates or sites: it cannot be changed or deleted."""

    status = 409
    fault_type = "ResourceInUseException"


class SiteStateConflict(SitejobsError):
    """The site's state does not allow this operation."""

    status = 409
    fault_type = "SiteStateConflictException"


class PublishFailed(SitejobsError):
    """Some pages of the site could not be published."""

    fault_type = "PublishFailedException"


class BadQueryParameter(InvalidParameter):
    """A query parameter has a value this resource does not accept."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message, parameter=parameter)
        self.parameter = parameter


class NotAcceptable(SitejobsError):
    """This resource is only available as application/json."""

    status = 406
    fault_type = "NotAcceptableException"


class TooManyRequests(SitejobsError):
    """Too many requests; try again later."""

    status = 429
    fault_type = "TooManyRequestsException"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; try again in {retry_after} seconds.")
        self.retry_after = retry_after


class ServiceUnavailable(SitejobsError):
    """The database does not answer; try again later."""

    status = 503
    fault_type = "ServiceUnavailableException"

    def __init__(self, retry_after: int = 1, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ExpansionFailed(SitejobsError):
    """A relationship asked for with `expand` could not be read, and `expansionErrors=fail` was asked for.

    It answers with the relation's own status (a 404 for a site that is gone), not a server error."""

    fault_type = "ExpansionFailedException"

    def __init__(self, relation: str, cause: SitejobsError) -> None:
        super().__init__(f"The relationship '{relation}' could not be expanded: {cause.message}")
        self.relation = relation
        self.cause = cause
        self.status = cause.status


class HttpError(SitejobsError):
    """The request could not be served."""

    fault_type = "HttpException"

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
