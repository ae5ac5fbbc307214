"""One exception tree for the whole server; each API surface renders it as its own error document.

A class's docstring is its default message. `fault_type` is the OCAPI fault name, `status` the HTTP status.
"""

from __future__ import annotations

from typing import Any


class SitejobsError(Exception):
    """Internal error."""

    status: int = 500
    fault_type: str = "InternalServerErrorException"

    def __init__(self, message: str | None = None, **arguments: Any) -> None:
        self.message = message or (type(self).__doc__ or "").strip()
        self.arguments = arguments
        super().__init__(self.message)


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


class SiteNotFound(NotFound):
    """No site with this id is in the site store."""

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


class InvalidJobDefinition(SitejobsError):
    """A job definition is not valid."""

    fault_type = "InvalidJobDefinitionException"


class Unauthorized(SitejobsError):
    """The access token is missing, expired or not valid."""

    status = 401
    fault_type = "InvalidAccessTokenException"


class Forbidden(SitejobsError):
    """The client is not allowed to access this resource."""

    status = 403
    fault_type = "ClientAccessForbiddenException"


class MethodNotAllowed(SitejobsError):
    """The method is not allowed on this resource."""

    status = 405
    fault_type = "MethodNotAllowedException"


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


class HttpError(SitejobsError):
    """The request could not be served."""

    fault_type = "HttpException"

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
