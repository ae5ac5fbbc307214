"""A typed Python client for sitejobs (httpx; sync and async).

```python
from sitejobs.client import Client, ContentClient

with Client("http://127.0.0.1:8080", "dev-client", "dev-secret") as jobs:
    done = jobs.wait(jobs.start("hello-world", Seconds=2), progress=print)
    assert done.ok

with ContentClient("http://127.0.0.1:8080", "dev-user", "dev-password") as content:
    content.create_site("Shop", "StoreTemplate").wait()
    content.publish("Shop").wait()
```
Errors are exceptions carrying the server's document: `FaultError` (OCAPI), `ContentError` (Content
Management), `AuthenticationError` (token endpoint), all `ClientError`s.
"""

from sitejobs.client._content import AsyncContentClient, AsyncSiteJob, ContentClient, SiteJob
from sitejobs.client._errors import AuthenticationError, ClientError, ContentError, FaultError, JobTimeout
from sitejobs.client._models import Execution, JobStatus, SearchResult
from sitejobs.client._ocapi import AsyncClient, Client

__all__ = [
    "AsyncClient",
    "AsyncContentClient",
    "AsyncSiteJob",
    "AuthenticationError",
    "Client",
    "ClientError",
    "ContentClient",
    "ContentError",
    "Execution",
    "FaultError",
    "JobStatus",
    "JobTimeout",
    "SearchResult",
    "SiteJob",
]
