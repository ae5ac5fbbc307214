"""Cost of shaping a `_status` document, against serialising it: µs per call.

The `_status` GET has a throughput target (>= 0.8 of a bare Starlette route), so shaping must cost little next to
`orjson.dumps` of the same document: with no query parameters `shape` hands the document back untouched, and
with the toolkit's `?links=none` it rebuilds only the dicts that held links. Rows:

- `orjson.dumps(doc)`: the serialisation every answer pays anyway (the baseline);
- `shape, no parameters` and `shape, links=none`: shaping alone, the query parsed once;
- `parse + shape, links=none`: what a request pays, query string parsing included.

    .venv/bin/python -m bench.bench_oce_shaping [--seconds 0.5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import orjson

from sitejobs.api.oce.query import parse_query
from sitejobs.api.oce.resources import STATUS
from sitejobs.api.oce.shaping import shape

BASE = "https://sites.example.com/sites/management/api/v1"


def _links(context: str) -> list[dict[str, Any]]:
    own = f"{BASE}/sites/_status/{context}"
    rels = {
        "self": own,
        "canonical": own,
        "parent": f"{BASE}/sites",
        "describedBy": f"{BASE}/metadata-catalog",
    }
    return [
        {"rel": rel, "href": href, "templated": False, "mediaType": "application/json", "method": "GET"}
        for rel, href in rels.items()
    ]


def running_copy() -> dict[str, Any]:
    """The document the toolkit polls most: a running create/copy job (the seed's first example), with links."""
    context = "F49F1047E72E2FBBA7AD1754F7253CA453FCE1E1171C1541416472868"
    return {
        "context": context,
        "action": "copy",
        "startTime": "2019-05-31T09:14:29.000Z",
        "progress": "processing",
        "completed": False,
        "completedPercentage": 38,
        "intervalToPoll": 5000,
        "message": "Copying pages (38 of 100)",
        "links": _links(context),
    }


def finished_translate() -> dict[str, Any]:
    """A bigger one: a finished translate job with the file and job objects and a nested download link."""
    doc = running_copy()
    user = {"id": "UC1279D4F6BCCD27849F348E5915CC72E971", "displayName": "cecsadmina", "type": "user"}
    doc.update(
        action="translate",
        progress="succeeded",
        completed=True,
        completedPercentage=100,
        endTime="2020-01-13T14:57:45.000Z",
        translationFile={
            "links": [{"rel": "download", "href": f"{BASE}/files/D79/data", "method": "GET"}],
            "id": "D7954F8FE0DC1AFC8B68E594A9BCC17EC9210ED29015",
            "name": "AcmeProductLaunch.zip",
            "size": "12646",
            "createdBy": user,
            "modifiedBy": user,
            "ownedBy": user,
        },
        translationJob={
            "id": "5F20EFDFCA31942378734091C014282C",
            "name": "AcmeProductLaunch",
            "status": "READY",
            "assetPendingLanguages": ["fr", "de"],
            "sitePendingLanguages": ["fr", "de"],
        },
    )
    del doc["intervalToPoll"]
    return doc


def per_call_us(fn: Callable[[], object], seconds: float) -> float:
    """Best of 5 runs of µs per call, each run about `seconds / 5` long (the least disturbed by other load)."""
    calls = 1000
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    elapsed = time.perf_counter() - start
    calls = max(1000, int(calls * (seconds / 5) / max(elapsed, 1e-9)))
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        runs.append((time.perf_counter() - start) / calls * 1e6)
    return min(runs)


def run(seconds: float = 0.5) -> dict[str, float]:
    plain = parse_query((), STATUS)
    links_none = parse_query([("links", "none")], STATUS)
    results: dict[str, float] = {}
    for name, doc in (("running copy", running_copy()), ("finished translate", finished_translate())):

        def request(doc: dict[str, Any] = doc) -> object:
            return shape(doc, parse_query([("links", "none")], STATUS))

        baseline = per_call_us(partial(orjson.dumps, doc), seconds)
        rows = {
            "orjson.dumps(doc)": baseline,
            "shape, no parameters": per_call_us(partial(shape, doc, plain), seconds),
            "shape, links=none": per_call_us(partial(shape, doc, links_none), seconds),
            "parse + shape, links=none": per_call_us(request, seconds),
        }
        print(f"{name} ({len(orjson.dumps(doc))} bytes as JSON)")
        for label, us in rows.items():
            print(f"  {label:<28} {us:8.3f} µs/op  ({us / baseline:5.2f} x orjson.dumps)")
            results[f"{name}: {label}"] = us
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=0.5, help="time per measured row")
    run(parser.parse_args().seconds)


if __name__ == "__main__":
    main()
