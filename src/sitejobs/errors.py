"""One exception tree for the whole server; each API surface renders it as its own error document.

A class's docstring is its default message and `status` its HTTP status; its name is its code (`code`), what a
job records. The surfaces map classes to their own names: OCAPI's fault types in `sitejobs.api.ocapi.faults`,
Content Management's titles and error codes in `sitejobs.api.oce.errors`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any


class SitejobsError(Exception):
    """Internal error."""

    status: int = 500

    def __init__(self, message: str | None = None, **arguments: Any) -> None:
        self.message = message or (type(self).__doc__ or "").strip()
        self.arguments = arguments
        super().__init__(self.message)

    @property
    def code(self) -> str:
        """What the error is, in a word that names no surface's document: its class's name."""
        return type(self).__name__


#: Codes that records written before codes were class names hold, where dropping `Exception` does not give the
#: class (those records hold the OCAPI fault type of the error).
_FORMER_CODES = {"InvalidTemplateException": "TemplateInvalid"}


def error_record(error: SitejobsError) -> dict[str, Any]:
    """An error as a job stores it in its result: its code, status, message and arguments.
    Each API surface renders it in its own shape (`restore_error`, then that surface's renderer)."""
    return {
        "code": error.code,
        "status": error.status,
        "message": error.message,
        "arguments": error.arguments,
    }


def restore_error(record: Mapping[str, Any]) -> SitejobsError:
    """The exception an `error_record` was made from, for rendering: the class its code names (the root when
    no class has that name)."""
    code = str(record.get("code", ""))
    name = _FORMER_CODES.get(code) or code.removesuffix("Exception")
    classes: deque[type[SitejobsError]] = deque([SitejobsError])
    cls: type[SitejobsError] = SitejobsError
    while classes:
        candidate = classes.popleft()
        if candidate.__name__ in (code, name):
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


class JobNotFound(NotFound):
    """No job with this id is registered."""


class JobExecutionNotFound(NotFound):
    """No execution with this id exists for this job."""


class StorefrontSiteNotFound(NotFound):
    """No Commerce site with this id is in the site store."""


class SearchIndexNotBuilt(NotFound):
    """The product search index of this site was never built."""


class BadRequest(SitejobsError):
    """The request is not valid."""

    status = 400


class MalformedDocument(BadRequest):
    """The request body is not a well-formed JSON document."""


class UnknownProperty(BadRequest):
    """The document has a property this resource does not know."""


class MissingParameter(BadRequest):
    """A required parameter is missing."""


class InvalidParameter(BadRequest):
    """A parameter has a value of the wrong type or out of range."""


class UnsupportedVersion(BadRequest):
    """The API version in the path is not of the form v{major}_{minor}."""


class InvalidSearchQuery(BadRequest):
    """The search query holds no word to search for."""


class JobAlreadyRunning(BadRequest):
    """The job does not allow concurrent executions and one is already active."""


class JobExecutionNotFinished(BadRequest):
    """The execution is still active."""


class InvalidStateTransition(BadRequest):
    """The execution is not in a state that allows this operation."""


class InvalidTranslationZip(BadRequest):
    """The file is not a translation zip of this site."""


class UnsafeZip(BadRequest):
    """The zip was refused as unsafe."""


class TemplateInvalid(BadRequest):
    """The site template is not valid."""


class InvalidJobDefinition(SitejobsError):
    """A job definition is not valid."""


class RenderFailed(SitejobsError):
    """The page could not be rendered."""


class Unauthorized(SitejobsError):
    """The access token is missing, expired or not valid."""

    status = 401


class Forbidden(SitejobsError):
    """The client is not allowed to access this resource."""

    status = 403


class PathOutsideArea(Forbidden):
    """A symbolic link leads out of the folder this file must be in; it is neither read nor written."""


class MethodNotAllowed(SitejobsError):
    """The method is not allowed on this resource."""

    status = 405

    def __init__(self, message: str | None = None, *, allow: str = "", **arguments: Any) -> None:
        super().__init__(message, **arguments)
        #: The `Allow` header of the answer: the methods the resource does take.
        self.allow = allow


class UnsupportedMediaType(SitejobsError):
    """The request body must be application/json."""

    status = 415


class RequestTooLarge(SitejobsError):
    """The request body is larger than the server accepts."""

    status = 413


class LeaseLost(SitejobsError):
    """This worker no longer holds the execution's lease."""

    status = 409


# -- the Sites Management (OCE) surface ------------------------------------------------------------------
# Their OCE titles and `o:errorCode`s are in `sitejobs.api.oce.errors.OCE_ERRORS`; `arguments` become the
# error document's extra detail fields (e.g. `jobStatus`), so only pass what a client may see.


class SiteJobNotFound(NotFound):
    """Job does not exist or has been deleted, or the authenticated user or client application does not have access to the job."""

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

    kind = "site"


class TemplateNotFound(ResourceNotFound):
    """Template not found."""

    kind = "template"


class ThemeNotFound(ResourceNotFound):
    """Theme not found."""

    kind = "theme"


class ComponentNotFound(ResourceNotFound):
    """Component not found."""

    kind = "component"


class SiteAlreadyExists(SitejobsError):
    """A site with this name already exists."""

    status = 409

    def __init__(self, name: str) -> None:
        # No detail fields: the seed's failed-copy job shows the document without any.
        super().__init__(f"Site with name '{name}' already exists.")
        self.name = name


class ResourceAlreadyExists(SitejobsError):
    """A theme or component with this name already exists."""

    status = 409

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"{kind.title()} with name '{name}' already exists.")
        self.name = name


class ResourceInUse(SitejobsError):
    """The resource is in use by other templates or sites: it cannot be changed or deleted."""

    status = 409


class SiteStateConflict(SitejobsError):
    """The site's state does not allow this operation."""

    status = 409


class PublishFailed(SitejobsError):
    """Some pages of the site could not be published."""


class BadQueryParameter(InvalidParameter):
    """A query parameter has a value this resource does not accept."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message, parameter=parameter)
        self.parameter = parameter


class NotAcceptable(SitejobsError):
    """This resource is only available as application/json."""

    status = 406


class TooManyRequests(SitejobsError):
    """Too many requests; try again later."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; try again in {retry_after} seconds.")
        self.retry_after = retry_after


class ServiceUnavailable(SitejobsError):
    """The database does not answer; try again later."""

    status = 503

    def __init__(self, retry_after: int = 1, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ExpansionFailed(SitejobsError):
    """A relationship asked for with `expand` could not be read, and `expansionErrors=fail` was asked for.

    It answers with the relation's own status (a 404 for a site that is gone), not a server error."""

    def __init__(self, relation: str, cause: SitejobsError) -> None:
        super().__init__(f"The relationship '{relation}' could not be expanded: {cause.message}")
        self.relation = relation
        self.cause = cause
        self.status = cause.status


class HttpError(SitejobsError):
    """The request could not be served."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
