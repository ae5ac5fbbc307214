"""The Data API sub-app: the jobs resource, its OCAPI fault documents and its body limit."""

from __future__ import annotations

from sitejobs.api.ocapi import faults
from sitejobs.api.ocapi.routes import routes
from sitejobs.api.services import Started
from sitejobs.api.surface import Surface
from sitejobs.settings import Settings

#: Where it is mounted: what sfcc-ci calls, and the OCAPI reference's form.
PREFIXES = ("/s/-/dw/data", "/dw/data")


def create_ocapi(started: Started, settings: Settings) -> Surface:
    return Surface(started, routes, faults.render, max_body_bytes=settings.max_body_bytes)
