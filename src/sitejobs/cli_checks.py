"""What the CLI checks before it starts, so that a mistake is one clear line instead of a traceback: a store
that is not there (read commands never create one), a database that cannot be reached, a data directory that
cannot be written, a TLS file that cannot be used, a port that is taken."""

from __future__ import annotations

import errno
import socket
import ssl
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from sitejobs.engine.db import normalize_url
from sitejobs.settings import Settings

EXECUTIONS_TABLE = "executions"


def database_problem(exc: BaseException, settings: Settings) -> str:
    """One line saying why the store's database could not be used."""
    try:
        url = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    except ArgumentError:
        url = "(not a URL)"
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        detail = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
    else:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"cannot use the database {url}: {detail}"


def data_dir_problem(exc: OSError, settings: Settings) -> str:
    where = exc.filename or settings.data_dir
    return f"cannot use the data directory {settings.data_dir} ({where}: {exc.strerror or exc})"


def missing_store(settings: Settings) -> str | None:
    """Why there is no store to read at these settings (None when there is one). Never creates anything."""
    try:
        url = normalize_url(settings.resolved_database_url)
        parsed = make_url(url)
    except ArgumentError as exc:
        return database_problem(exc, settings)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or Path(database).is_file():
            return None
        return (
            f"no sitejobs store in {settings.data_dir} (there is no {Path(database).name}): "
            "check --data-dir or SITEJOBS_DATA_DIR, or start `sitejobs serve` there first"
        )
    try:
        engine = create_engine(url, pool_pre_ping=False, connect_args={"connect_timeout": 5})
    except (ArgumentError, NoSuchModuleError) as exc:
        return database_problem(exc, settings)
    try:
        with engine.connect() as conn:
            present = inspect(conn).has_table(EXECUTIONS_TABLE)
    except SQLAlchemyError as exc:
        return database_problem(exc, settings)
    finally:
        engine.dispose()
    if present:
        return None
    return (
        f"the database {parsed.render_as_string(hide_password=True)} holds no sitejobs store: check --database "
        "or SITEJOBS_DATABASE_URL, or start `sitejobs serve` on it first"
    )


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (None when it can)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use: stop what runs there or give --port"
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def tls_problem(certfile: Path, keyfile: Path) -> str | None:
    """Why the certificate and key cannot serve HTTPS (None when they can)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile, keyfile)
    except ssl.SSLError as exc:
        return f"cannot use the TLS certificate {certfile} with the key {keyfile}: {exc.reason or exc}"
    except OSError as exc:
        return f"cannot read the TLS files {certfile}, {keyfile}: {exc.strerror or exc}"
    return None
