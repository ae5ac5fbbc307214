"""`Client` and `AsyncClient`: the OCAPI Data API jobs resource, with the Account Manager token fetched and
renewed on their own."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

import httpx

from sitejobs.client._errors import JobTimeout, raise_for
from sitejobs.client._models import Execution, SearchResult

TOKEN_PATH = "/dwsso/oauth2/access_token"
LOG_PATH = "/on/demandware.servlet/webdav/Sites/Impex/log/"
RENEW_EARLY_S = 30.0  # renew a token this long before it expires
Progress = Callable[[Execution], None]
Ref = Execution | tuple[str, str | int]


def _ref(execution: Ref) -> tuple[str, str]:
    if isinstance(execution, Execution):
        return execution.job_id, execution.id
    return execution[0], str(execution[1])


def _start_body(body: Mapping[str, Any] | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """A system job's own document, or a custom job's parameters (values sent as strings, as OCAPI does)."""
    if body is not None and params:
        raise ValueError("give either body (a system job's document) or parameters, not both")
    if body is not None:
        return dict(body)
    return {
        "parameters": [
            {"name": k, "value": str(v).lower() if isinstance(v, bool) else str(v)} for k, v in params.items()
        ]
    }


def _search_body(
    query: Mapping[str, Any] | None, sorts: list[dict[str, str]] | None, start: int, count: int
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "query": dict(query) if query else {"match_all_query": {}},
        "start": start,
        "count": count,
    }
    if sorts:
        body["sorts"] = sorts
    return body


def _search_result(document: dict[str, Any]) -> SearchResult:
    return SearchResult(int(document["total"]), [Execution.of(h) for h in document.get("hits", [])], document)


def _lines(buffer: str) -> tuple[list[str], str]:
    *complete, rest = buffer.split("\n")
    return complete, rest


class _Token:
    def __init__(self) -> None:
        self.value: str | None = None
        self.expires = 0.0

    def fresh(self) -> bool:
        return self.value is not None and time.monotonic() < self.expires - RENEW_EARLY_S

    def take(self, response: httpx.Response) -> str:
        raise_for(response)
        document = response.json()
        self.value = str(document["access_token"])
        self.expires = time.monotonic() + float(document.get("expires_in", 1799))
        return self.value


class Client:
    """The OCAPI jobs API of a sitejobs (or Commerce Cloud) server: `Client(url, client_id, secret)`."""

    def __init__(
        self, url: str, client_id: str, secret: str, *, version: str = "v23_2", timeout: float = 30.0,
        verify: bool | str = True,
    ) -> None:  # fmt: skip
        self._http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout, verify=verify)
        self._credentials = (client_id, secret)
        self._token = _Token()
        self.api = f"/s/-/dw/data/{version}"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _bearer(self, renew: bool = False) -> str:
        if renew or not self._token.fresh():
            response = self._http.post(
                TOKEN_PATH, data={"grant_type": "client_credentials"}, auth=self._credentials
            )
            return self._token.take(response)
        assert self._token.value is not None
        return self._token.value

    def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {**kw.pop("headers", {}), "Authorization": f"Bearer {self._bearer()}"}
        response = self._http.request(method, path, headers=headers, **kw)
        if response.status_code == 401:  # revoked or expired early: one new token, one retry
            headers["Authorization"] = f"Bearer {self._bearer(renew=True)}"
            response = self._http.request(method, path, headers=headers, **kw)
        raise_for(response)
        return response

    def start(self, job_id: str, body: Mapping[str, Any] | None = None, **params: Any) -> Execution:
        """Start `job_id`: a custom job with its parameters as keywords, a system job with its `body`."""
        response = self._send("POST", f"{self.api}/jobs/{job_id}/executions", json=_start_body(body, params))
        return Execution.of(response.json())

    def get(self, execution: Ref) -> Execution:
        job_id, execution_id = _ref(execution)
        return Execution.of(self._send("GET", f"{self.api}/jobs/{job_id}/executions/{execution_id}").json())

    def wait(
        self, execution: Ref, *, progress: Progress | None = None, interval: float = 1.0, timeout: float | None = None
    ) -> Execution:  # fmt: skip
        """Poll until the execution ends (OK or ERROR); `progress` sees every answer."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            current = self.get(execution)
            if progress is not None:
                progress(current)
            if current.ended:
                return current
            if deadline is not None and time.monotonic() > deadline:
                raise JobTimeout(
                    f"execution {current.id} of {current.job_id} did not end in {timeout} s",
                    0,
                    current.document,
                )
            time.sleep(interval)

    def follow_log(self, execution: Ref, *, interval: float = 1.0) -> Iterator[str]:
        """The execution's log, line by line, as it is written, until the execution ends."""
        offset, buffer = 0, ""
        while True:
            current = self.get(execution)
            if current.log_file_name:
                response = self._http.get(
                    LOG_PATH + current.log_file_name,
                    headers={"Authorization": f"Bearer {self._bearer()}", "Range": f"bytes={offset}-"},
                )
                if response.status_code in (200, 206):
                    offset += len(response.content)
                    lines, buffer = _lines(buffer + response.content.decode("utf-8", "replace"))
                    yield from lines
                elif response.status_code not in (404, 416):
                    raise_for(response)
            if current.ended and not self._more(current, offset):
                if buffer:
                    yield buffer
                return
            time.sleep(interval)

    def _more(self, current: Execution, offset: int) -> bool:
        response = self._http.head(
            LOG_PATH + current.log_file_name, headers={"Authorization": f"Bearer {self._bearer()}"}
        )
        return response.status_code == 200 and int(response.headers.get("content-length", 0)) > offset

    def search(
        self, query: Mapping[str, Any] | None = None, *, sorts: list[dict[str, str]] | None = None, start: int = 0,
        count: int = 25,
    ) -> SearchResult:  # fmt: skip
        response = self._send(
            "POST", f"{self.api}/job_execution_search", json=_search_body(query, sorts, start, count)
        )
        return _search_result(response.json())

    def abort(self, execution: Ref) -> Execution:
        job_id, execution_id = _ref(execution)
        return Execution.of(
            self._send("POST", f"{self.api}/jobs/{job_id}/executions/{execution_id}/abort").json()
        )

    def delete(self, execution: Ref) -> None:
        job_id, execution_id = _ref(execution)
        self._send("DELETE", f"{self.api}/jobs/{job_id}/executions/{execution_id}")


class AsyncClient:
    """`Client` for asyncio: the same methods, awaited (`follow_log` is an async iterator)."""

    def __init__(
        self, url: str, client_id: str, secret: str, *, version: str = "v23_2", timeout: float = 30.0,
        verify: bool | str = True,
    ) -> None:  # fmt: skip
        self._http = httpx.AsyncClient(base_url=url.rstrip("/"), timeout=timeout, verify=verify)
        self._credentials = (client_id, secret)
        self._token = _Token()
        self.api = f"/s/-/dw/data/{version}"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def _bearer(self, renew: bool = False) -> str:
        if renew or not self._token.fresh():
            response = await self._http.post(
                TOKEN_PATH, data={"grant_type": "client_credentials"}, auth=self._credentials
            )
            return self._token.take(response)
        assert self._token.value is not None
        return self._token.value

    async def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {**kw.pop("headers", {}), "Authorization": f"Bearer {await self._bearer()}"}
        response = await self._http.request(method, path, headers=headers, **kw)
        if response.status_code == 401:
            headers["Authorization"] = f"Bearer {await self._bearer(renew=True)}"
            response = await self._http.request(method, path, headers=headers, **kw)
        raise_for(response)
        return response

    async def start(self, job_id: str, body: Mapping[str, Any] | None = None, **params: Any) -> Execution:
        response = await self._send(
            "POST", f"{self.api}/jobs/{job_id}/executions", json=_start_body(body, params)
        )
        return Execution.of(response.json())

    async def get(self, execution: Ref) -> Execution:
        job_id, execution_id = _ref(execution)
        return Execution.of(
            (await self._send("GET", f"{self.api}/jobs/{job_id}/executions/{execution_id}")).json()
        )

    async def wait(
        self, execution: Ref, *, progress: Progress | None = None, interval: float = 1.0, timeout: float | None = None
    ) -> Execution:  # fmt: skip
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            current = await self.get(execution)
            if progress is not None:
                progress(current)
            if current.ended:
                return current
            if deadline is not None and time.monotonic() > deadline:
                raise JobTimeout(
                    f"execution {current.id} of {current.job_id} did not end in {timeout} s",
                    0,
                    current.document,
                )
            await asyncio.sleep(interval)

    async def follow_log(self, execution: Ref, *, interval: float = 1.0) -> AsyncIterator[str]:
        offset, buffer = 0, ""
        while True:
            current = await self.get(execution)
            headers = {"Authorization": f"Bearer {await self._bearer()}"}
            if current.log_file_name:
                response = await self._http.get(
                    LOG_PATH + current.log_file_name, headers={**headers, "Range": f"bytes={offset}-"}
                )
                if response.status_code in (200, 206):
                    offset += len(response.content)
                    lines, buffer = _lines(buffer + response.content.decode("utf-8", "replace"))
                    for line in lines:
                        yield line
                elif response.status_code not in (404, 416):
                    raise_for(response)
            if current.ended:
                head = await self._http.head(LOG_PATH + current.log_file_name, headers=headers)
                if not (head.status_code == 200 and int(head.headers.get("content-length", 0)) > offset):
                    if buffer:
                        yield buffer
                    return
            await asyncio.sleep(interval)

    async def search(
        self, query: Mapping[str, Any] | None = None, *, sorts: list[dict[str, str]] | None = None, start: int = 0,
        count: int = 25,
    ) -> SearchResult:  # fmt: skip
        response = await self._send(
            "POST", f"{self.api}/job_execution_search", json=_search_body(query, sorts, start, count)
        )
        return _search_result(response.json())

    async def abort(self, execution: Ref) -> Execution:
        job_id, execution_id = _ref(execution)
        return Execution.of(
            (await self._send("POST", f"{self.api}/jobs/{job_id}/executions/{execution_id}/abort")).json()
        )

    async def delete(self, execution: Ref) -> None:
        job_id, execution_id = _ref(execution)
        await self._send("DELETE", f"{self.api}/jobs/{job_id}/executions/{execution_id}")
