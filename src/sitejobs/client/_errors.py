"""The client's exceptions: each carries the server's error document."""

from __future__ import annotations

from typing import Any

import httpx


class ClientError(Exception):
    """A request sitejobs refused or could not answer; `status` and `document` are the server's."""

    def __init__(self, message: str, status: int, document: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.document = document or {}


class FaultError(ClientError):
    """An OCAPI fault: `fault_type` (e.g. JobNotFoundException) and `arguments`."""

    def __init__(self, status: int, document: dict[str, Any]) -> None:
        fault = document.get("fault") or {}
        self.fault_type: str = str(fault.get("type", ""))
        self.arguments: dict[str, Any] = dict(fault.get("arguments") or {})
        super().__init__(f"{self.fault_type}: {fault.get('message', '')}", status, document)


class ContentError(ClientError):
    """A Content Management error document: `title`, `detail` and `code` (its `o:errorCode`)."""

    def __init__(self, status: int, document: dict[str, Any]) -> None:
        self.title: str = str(document.get("title", ""))
        self.detail: str = str(document.get("detail", ""))
        self.code: str = str(document.get("o:errorCode", ""))
        super().__init__(f"{self.title}: {self.detail}", status, document)


class AuthenticationError(ClientError):
    """The token endpoint refused the credentials (`error`, `error_description`)."""


class JobTimeout(ClientError):
    """`wait` gave up before the job ended."""


def raise_for(response: httpx.Response) -> None:
    """The typed exception for an error response, chosen by the shape of its document."""
    if response.status_code < 400:
        return
    try:
        document = response.json()
    except ValueError:
        document = None
    if isinstance(document, dict) and "fault" in document:
        raise FaultError(response.status_code, document)
    if isinstance(document, dict) and "o:errorCode" in document:
        raise ContentError(response.status_code, document)
    if isinstance(document, dict) and "error" in document:
        raise AuthenticationError(
            f"{document['error']}: {document.get('error_description', '')}", response.status_code, document
        )
    raise ClientError(f"HTTP {response.status_code}: {response.text[:200]}", response.status_code)
