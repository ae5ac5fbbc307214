"""The comparison both status benchmarks make: the same GET, alternately against sitejobs and against a bare
Starlette route (bench.bare_json) returning sitejobs' own answer byte for byte, `rounds` times in one run;
the ratio of the medians is the figure."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from bench.bare_server import serve
from bench.http_load import requests_per_second, tool


def versus_bare(
    url: str, body: bytes, headers: Mapping[str, str], rounds: int, duration_s: float
) -> dict[str, float]:
    """{body_bytes, sitejobs_rps, bare_rps, ratio} for GET `url` (whose answer is `body`)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        f.write(body)
    os.environ["BARE_JSON_BODY"] = f.name
    ours: list[float] = []
    bare: list[float] = []
    try:
        with serve("bench.bare_json:app") as (port, _pid):
            parts = urlsplit(url)
            bare_url = f"http://127.0.0.1:{port}{parts.path}" + (f"?{parts.query}" if parts.query else "")
            for _ in range(rounds):
                rps, _errors = requests_per_second(bare_url, headers=headers, duration_s=duration_s)
                bare.append(rps)
                rps, errors = requests_per_second(url, headers=headers, duration_s=duration_s)
                assert errors == 0, f"{errors} failed reads of {url}"
                ours.append(rps)
    finally:
        Path(f.name).unlink()
    result = {
        "body_bytes": float(len(body)),
        "sitejobs_rps": statistics.median(ours),
        "bare_rps": statistics.median(bare),
    }
    result["ratio"] = result["sitejobs_rps"] / result["bare_rps"]
    return result


def main_for(doc: str, label: str, run: Callable[[int, float], dict[str, float]]) -> None:
    """The command line of a status benchmark: `--rounds`, `--duration`, then one line of figures."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    r = run(args.rounds, args.duration)
    print(
        f"{label} ({tool()}, {r['body_bytes']:.0f}-byte body): sitejobs {r['sitejobs_rps']:.0f} req/s, "
        f"bare Starlette {r['bare_rps']:.0f} req/s, ratio {r['ratio']:.2f} (target >= 0.80)"
    )
