"""Settings: one object, read from arguments, `SITEJOBS_*` variables, `.env` or a TOML file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")
DEFAULT_LEASE_SECONDS = 30.0
DEFAULT_POLL_SECONDS = 0.25
DEFAULT_TOKEN_TTL_SECONDS = 1799
DEFAULT_ARCHIVE_MAX_BYTES = 4 * 1024**3
DEFAULT_ARCHIVE_MAX_RATIO = 200.0
DEFAULT_ARCHIVE_MAX_ENTRIES = 100_000
DEFAULT_WEBDAV_MAX_UPLOAD_BYTES = 2 * 1024**3


class Settings(BaseSettings):
    """Everything the server, the workers and the CLI are configured by."""

    model_config = SettingsConfigDict(env_prefix="SITEJOBS_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        description="what is this node's own: the SQLite database (when SQLite), TLS key, scratch space, logs",
    )
    files_dir: Path | None = Field(
        default=None,
        description="files every node shares (Impex area, content sites' files, published output); "
        "a shared mount when nodes run on several machines; the data directory when not given",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite in the data directory when not given"
    )
    sqlite_synchronous: Literal["FULL", "NORMAL", "EXTRA"] = "FULL"
    durable_worker_writes: bool = Field(
        default=True,
        description="workers' claims, finishes and job log lines wait for the disk at commit, as submissions "
        "always do; off, they do not (faster on a slow disk, but a database crash may lose the last of them: "
        "the execution is then run again or failed by the job's retry policy, as when a worker dies)",
    )
    executor: Literal["local", "none", "celery"] = Field(
        default="local",
        description="local: the server runs jobs in-process; none: it only serves, `sitejobs worker`s run jobs; "
        "celery: jobs run on Celery workers (PostgreSQL only)",
    )
    broker_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Celery's broker (redis://… or amqp://…)"
    )
    celery_queue: str = Field(default="sitejobs", description="the broker queue sitejobs' Celery tasks use")
    celery_task_events: bool = Field(
        default=False,
        description="Celery workers and publishers send task events from the start (for monitors other than "
        "Flower; Flower turns them on in running workers itself)",
    )
    redispatch_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Celery mode: how often pending executions published long ago are published again, "
        "once the queue has drained (their message was lost)",
    )
    workers: int = Field(default=8, ge=1, description="job slots of the in-process worker pool")
    cpu_workers: int = Field(default=2, ge=1, description="processes for jobs declared CPU-bound")
    lease_seconds: float = Field(default=DEFAULT_LEASE_SECONDS, gt=0)
    poll_seconds: float = Field(default=DEFAULT_POLL_SECONDS, gt=0)
    reap_seconds: float = Field(default=5.0, gt=0)
    token_ttl_seconds: int = DEFAULT_TOKEN_TTL_SECONDS
    token_secret: str | None = Field(
        default=None, description="HMAC key for bearer tokens; keys kept in the database when not given"
    )
    clients_file: Path | None = Field(
        default=None,
        description="an older data directory's clients file, imported into the database once; "
        "DATA_DIR/clients.json when not given",
    )
    scratch_dir: Path | None = Field(
        default=None,
        description="where an import spools the writes it will make (SQLite); DATA_DIR/tmp when not given",
    )
    jobs_module: str | None = Field(default=None, description="module whose import registers custom jobs")
    max_body_bytes: int = 1_048_576
    archive_max_bytes: int = Field(
        default=DEFAULT_ARCHIVE_MAX_BYTES, gt=0, description="most bytes a site archive may expand to"
    )
    archive_max_ratio: float = Field(
        default=DEFAULT_ARCHIVE_MAX_RATIO, gt=1, description="most times a site archive or entry may expand"
    )
    archive_max_entries: int = Field(
        default=DEFAULT_ARCHIVE_MAX_ENTRIES, gt=0, description="most entries a site archive may hold"
    )
    webdav_max_upload_bytes: int = Field(
        default=DEFAULT_WEBDAV_MAX_UPLOAD_BYTES, gt=0, description="largest file a WebDAV PUT may store"
    )
    oce_poll_interval_ms: int = Field(
        default=5000, ge=0, description="the `intervalToPoll` hint of a running OCE job's status, in ms"
    )
    oce_rate_per_second: float = Field(
        default=200.0, gt=0, description="requests a second each user may make to the OCE surface on average"
    )
    oce_rate_burst: int = Field(default=400, ge=1, description="requests a user may make in one burst")
    auth_threads: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 2) // 2),
        ge=1,
        description="threads that verify passwords and client secrets (half the cores: the rest serve requests)",
    )
    auth_account_failures: int = Field(
        default=10, ge=1, description="failed logins a user or client may make in a row before 429"
    )
    auth_account_failures_per_minute: float = Field(
        default=6.0, gt=0, description="further failed logins a user or client may make a minute"
    )
    auth_address_failures: int = Field(
        default=30, ge=1, description="failed logins one client address may make in a row before 429"
    )
    auth_address_failures_per_minute: float = Field(
        default=30.0, gt=0, description="further failed logins one client address may make a minute"
    )
    database_request_timeout: float = Field(
        default=5.0, gt=0, description="seconds a request waits for the database before answering 503"
    )
    own_executions: bool = Field(
        default=False, description="a Data API client reads, searches and deletes only its own executions"
    )
    host: str = "127.0.0.1"
    port: int = 8080
    tls_cert: Path | None = None
    tls_key: Path | None = None
    log_json: bool = False

    def executor_problem(self) -> str | None:
        """Why these settings cannot run their executor, if they cannot."""
        if self.executor == "celery" and self.resolved_database_url.startswith("sqlite"):
            return (
                "--executor celery needs a database every machine shares (PostgreSQL): SQLite is not shared "
                "between machines. Give --database postgresql://USER@HOST/DB."
            )
        return None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sitejobs.db').resolve()}"

    @property
    def resolved_clients_file(self) -> Path:
        return self.clients_file or self.data_dir / "clients.json"

    @property
    def resolved_scratch_dir(self) -> Path:
        return self.scratch_dir or self.data_dir / "tmp"

    @property
    def resolved_files_dir(self) -> Path:
        return self.files_dir or self.data_dir

    @property
    def content_dir(self) -> Path:
        """Templates, themes, components, site files and published output of content (OCE) sites."""
        return self.resolved_files_dir / "content"

    @property
    def impex_dir(self) -> Path:
        return self.resolved_files_dir / "impex"

    def ensure_dirs(self) -> None:
        for path in (
            self.data_dir,
            self.impex_dir,
            self.content_dir,
            self.resolved_scratch_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)
