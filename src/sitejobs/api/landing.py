"""`GET /`: an HTML page for a person who opens the server's URL: where the API docs, the published sites
and the dashboard are, and how to call the APIs."""

from __future__ import annotations

import html

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from sitejobs.api.services import services
from sitejobs.sites.content.site_viewers import SERVED_STATUS
from sitejobs.sites.content.store import ContentStore

DASHBOARD = "/ui"
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "h1{margin-bottom:.2rem}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}"
    "li{margin:.3rem 0}.muted{color:#666}"
)


def _published(store: ContentStore) -> list[str]:
    """The sites a visitor can open: published and online (`oce.published` serves no other)."""
    return sorted(s.name for s in store.sites() if s.published_at and s.runtime_status == SERVED_STATUS)


async def landing_page(request: Request) -> Response:
    store: ContentStore = services(request).content
    sites = await run_in_threadpool(_published, store)
    base = str(request.base_url).rstrip("/")
    site_items = (
        "".join(f'<li><a href="/site/{html.escape(name)}/">{html.escape(name)}</a></li>' for name in sites)
        or '<li class="muted">None yet: publish one and bring it online (see the README).</li>'
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>sitejobs</title><style>{STYLE}</style></head>
<body>
<h1>sitejobs</h1>
<p class="muted">A durable job server for site-management jobs, speaking the OCAPI Data API jobs resource and the
Oracle Content Management Sites Management API.</p>
<h2>Start here</h2>
<ul>
  <li><a href="/docs">API docs</a> (Swagger UI, works offline):
      <a href="/openapi/ocapi.json">OCAPI jobs, token and WebDAV</a> ·
      <a href="/openapi/oce.json">Sites Management API and Documents</a></li>
  <li><a href="{DASHBOARD}">Dashboard</a>: executions and their progress</li>
  <li>Operations: <a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a> ·
      <a href="/metrics">/metrics</a></li>
</ul>
<h2>Published sites</h2>
<ul>{site_items}</ul>
<h2>Try it</h2>
<pre><code>TOKEN=$(curl -s -u dev-client:dev-secret -d grant_type=client_credentials \\
        {html.escape(base)}/dwsso/oauth2/access_token | jq -r .access_token)
curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
     -d '{{"parameters":[{{"name":"Seconds","value":"3"}}]}}' \\
     {html.escape(base)}/s/-/dw/data/v23_2/jobs/hello-world/executions</code></pre>
</body>
</html>
"""
    return HTMLResponse(page)
