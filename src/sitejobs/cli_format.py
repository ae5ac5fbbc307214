"""The CLI's own forms: a system job's `--body`, and how an execution's end reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer

from sitejobs.engine.models import Execution
from sitejobs.engine.states import OCAPI, State


def _fail(message: str) -> Any:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def parse_body(raw: str) -> dict[str, Any]:
    """`--body '{...}'` or `--body @file.json`: a system job's request document."""
    text = raw
    if raw.startswith("@"):
        try:
            text = Path(raw[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot read the body file '{raw[1:]}': {exc.strerror or exc}")
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        _fail(f"--body is not valid JSON: {exc}")
    if not isinstance(body, dict):
        _fail('--body must be a JSON object, like \'{"site_scope": ["RefArch"]}\'')
    return dict(body)


def end_sentence(execution: Execution) -> str:
    """How an execution ended, as a sentence: `OK: execution 7 of hello-world finished.` or
    `ERROR HELLO_FAILED: execution 8 of hello-world failed: It was asked to fail.`"""
    names = OCAPI[execution.state]
    what = f"execution {execution.id} of {execution.job_id}"
    if execution.state is State.SUCCEEDED:
        said = execution.exit_message if execution.exit_message not in (None, "", "OK") else None
        return f"OK: {what} finished" + (f" ({said})." if said else ".")
    verb = "was aborted" if execution.state is State.ABORTED else "failed"
    code = execution.exit_code or names.status
    message = (execution.exit_message or "").rstrip(".")
    return f"{names.status} {code}: {what} {verb}" + (f": {message}." if message else ".")
