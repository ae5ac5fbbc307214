"""`ContentClient` and `AsyncContentClient`: the Sites Management API. Each operation starts a job and hands back
a `SiteJob` (or `AsyncSiteJob`) whose `wait` polls its `_status` at the interval the server asks for."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

from sitejobs.client._errors import JobTimeout, raise_for
from sitejobs.client._models import JobStatus

API = "/sites/management/api/v1"
ASYNC = {"Prefer": "respond-async"}
StatusProgress = Callable[[JobStatus], None]


def _ref(site: str) -> str:
    """`id:X` is an id, `name:X` or a plain `X` a name."""
    if site.startswith("id:"):
        return site[3:]
    return site if site.startswith("name:") else f"name:{site}"


def _poll_seconds(status: JobStatus, interval: float | None) -> float:
    hint = status.document.get("intervalToPoll")
    return interval if interval is not None else (hint / 1000 if isinstance(hint, int) and hint > 0 else 1.0)


class SiteJob:
    """A started site job: `status()` reads it, `wait()` follows it to its end."""

    def __init__(self, client: ContentClient, location: str) -> None:
        self._client = client
        self.location = location
        self.id = location.rstrip("/").rsplit("/", 1)[1]

    def status(self) -> JobStatus:
        return self._client.status(self.id)

    def wait(
        self, *, progress: StatusProgress | None = None, interval: float | None = None, timeout: float | None = None
    ) -> JobStatus:  # fmt: skip
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            current = self.status()
            if progress is not None:
                progress(current)
            if current.ended:
                return current
            if deadline is not None and time.monotonic() > deadline:
                raise JobTimeout(f"site job {self.id} did not end in {timeout} s", 0, current.document)
            time.sleep(_poll_seconds(current, interval))


class ContentClient:
    """The Sites Management API of a sitejobs (or Oracle Content Management) server, as a user."""

    def __init__(
        self, url: str, user: str, password: str, *, timeout: float = 30.0, verify: bool | str = True
    ) -> None:
        self._http = httpx.Client(
            base_url=url.rstrip("/"), timeout=timeout, verify=verify, auth=(user, password)
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ContentClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self._http.get(f"{API}{path}", params={"links": "none", **params})
        raise_for(response)
        document: dict[str, Any] = response.json()
        return document

    def _job(self, path: str, body: dict[str, Any] | None = None) -> SiteJob:
        response = self._http.post(f"{API}{path}", json=body, headers=ASYNC)
        raise_for(response)
        return SiteJob(self, response.headers["Location"])

    def status(self, job_id: str) -> JobStatus:
        return JobStatus.of(self._get(f"/sites/_status/{job_id}"))

    def sites(self) -> list[dict[str, Any]]:
        return list(self._get("/sites", limit=250)["items"])

    def site(self, site: str) -> dict[str, Any]:
        return self._get(f"/sites/{_ref(site)}")

    def templates(self) -> list[dict[str, Any]]:
        return list(self._get("/templates", limit=250)["items"])

    def create_site(self, name: str, template: str, **fields: Any) -> SiteJob:
        """From a template (its id, or its name)."""
        template_id = self._get(f"/templates/{_ref(template)}")["id"]
        return self._job("/sites", {"name": name, "template": template_id, **fields})

    def copy_site(self, site: str, name: str, **fields: Any) -> SiteJob:
        return self._job(f"/sites/{_ref(site)}/copy", {"name": name, **fields})

    def publish(self, site: str, *, full: bool = False) -> SiteJob:
        return self._job(f"/sites/{_ref(site)}/publish", {"type": "full"} if full else None)

    def translate(self, site: str, name: str, target_languages: list[str], **fields: Any) -> SiteJob:
        return self._job(
            f"/sites/{_ref(site)}/translate", {"name": name, "targetLanguages": target_languages, **fields}
        )

    def refresh(self, site: str) -> SiteJob:
        return self._job(f"/sites/{_ref(site)}/refresh")

    def bring_online(self, site: str) -> dict[str, Any]:
        """Serve a published site to visitors (`cec control-site bring-online`); answers the site."""
        response = self._http.post(f"{API}/sites/{_ref(site)}/activate")
        raise_for(response)
        document: dict[str, Any] = response.json()
        return document

    def hard_delete(self, site: str) -> SiteJob:
        return self._job(f"/sites/{_ref(site)}/hardDelete")


class AsyncSiteJob:
    def __init__(self, client: AsyncContentClient, location: str) -> None:
        self._client = client
        self.location = location
        self.id = location.rstrip("/").rsplit("/", 1)[1]

    async def status(self) -> JobStatus:
        return await self._client.status(self.id)

    async def wait(
        self, *, progress: StatusProgress | None = None, interval: float | None = None, timeout: float | None = None
    ) -> JobStatus:  # fmt: skip
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            current = await self.status()
            if progress is not None:
                progress(current)
            if current.ended:
                return current
            if deadline is not None and time.monotonic() > deadline:
                raise JobTimeout(f"site job {self.id} did not end in {timeout} s", 0, current.document)
            await asyncio.sleep(_poll_seconds(current, interval))


class AsyncContentClient:
    """`ContentClient` for asyncio."""

    def __init__(
        self, url: str, user: str, password: str, *, timeout: float = 30.0, verify: bool | str = True
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=url.rstrip("/"), timeout=timeout, verify=verify, auth=(user, password)
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncContentClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def _get(self, path: str, **params: Any) -> dict[str, Any]:
        response = await self._http.get(f"{API}{path}", params={"links": "none", **params})
        raise_for(response)
        document: dict[str, Any] = response.json()
        return document

    async def _job(self, path: str, body: dict[str, Any] | None = None) -> AsyncSiteJob:
        response = await self._http.post(f"{API}{path}", json=body, headers=ASYNC)
        raise_for(response)
        return AsyncSiteJob(self, response.headers["Location"])

    async def status(self, job_id: str) -> JobStatus:
        return JobStatus.of(await self._get(f"/sites/_status/{job_id}"))

    async def sites(self) -> list[dict[str, Any]]:
        return list((await self._get("/sites", limit=250))["items"])

    async def create_site(self, name: str, template: str, **fields: Any) -> AsyncSiteJob:
        template_id = (await self._get(f"/templates/{_ref(template)}"))["id"]
        return await self._job("/sites", {"name": name, "template": template_id, **fields})

    async def copy_site(self, site: str, name: str, **fields: Any) -> AsyncSiteJob:
        return await self._job(f"/sites/{_ref(site)}/copy", {"name": name, **fields})

    async def publish(self, site: str, *, full: bool = False) -> AsyncSiteJob:
        return await self._job(f"/sites/{_ref(site)}/publish", {"type": "full"} if full else None)

    async def refresh(self, site: str) -> AsyncSiteJob:
        return await self._job(f"/sites/{_ref(site)}/refresh")

    async def bring_online(self, site: str) -> dict[str, Any]:
        """Serve a published site to visitors (`cec control-site bring-online`); answers the site."""
        response = await self._http.post(f"{API}/sites/{_ref(site)}/activate")
        raise_for(response)
        document: dict[str, Any] = response.json()
        return document

    async def hard_delete(self, site: str) -> AsyncSiteJob:
        return await self._job(f"/sites/{_ref(site)}/hardDelete")
