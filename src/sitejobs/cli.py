"""The `sitejobs` command: serve, worker, clients, keys, run, status, list, abort, logs, products search (and,
from `cli_content`, users and templates).

Every command takes `--data-dir`, `--files-dir` and `--database` (or SITEJOBS_DATA_DIR, SITEJOBS_FILES_DIR,
SITEJOBS_DATABASE_URL) and works on the store directly, so it sees what the server and the workers see.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from sitejobs import cli_content, cli_files, logging_setup
from sitejobs.api.ocapi.documents import job_execution
from sitejobs.auth.clients import (
    ALL_RESOURCES,
    JOB_RESOURCES,
    ClientStore,
    open_clients,
    read_clients_file,
    resources_from_settings_file,
)
from sitejobs.auth.tokens import list_keys, rotate_key
from sitejobs.cli_checks import data_dir_problem, port_problem, tls_problem
from sitejobs.cli_common import (
    Database,
    DataDir,
    FilesDir,
    console,
    err,
    fail,
    fold_table,
    opened,
    parse_id,
    settings_for,
)
from sitejobs.cli_content import seed_content
from sitejobs.cli_format import end_sentence, parse_body
from sitejobs.engine.local import LocalExecutor
from sitejobs.engine.models import Execution
from sitejobs.engine.service import JobEngine
from sitejobs.engine.states import OCAPI, TERMINAL, State, states_with_ocapi_status
from sitejobs.errors import SitejobsError
from sitejobs.settings import Settings
from sitejobs.timefmt import iso_ms

app = typer.Typer(help="sitejobs: a durable job server for site-management jobs.", no_args_is_help=True)
clients_app = typer.Typer(help="Manage API clients and their permissions.", no_args_is_help=True)
app.add_typer(clients_app, name="clients")
keys_app = typer.Typer(help="The keys that sign bearer tokens (kept in the database).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
products_app = typer.Typer(help="The site store's products.", no_args_is_help=True)
app.add_typer(products_app, name="products")
ExecutorOption = Annotated[
    str | None,
    typer.Option(
        "--executor",
        envvar="SITEJOBS_EXECUTOR",
        help="local (in-process pools), celery (Celery workers; PostgreSQL only) or none (serve only).",
    ),
]
Broker = Annotated[
    str | None,
    typer.Option(
        "--broker", envvar="SITEJOBS_BROKER_URL", help="Celery broker: redis://HOST:6379/0, amqp://…"
    ),
]
AccessLog = Annotated[
    bool,
    typer.Option(
        "--access-log/--no-access-log",
        envvar="SITEJOBS_ACCESS_LOG",
        help="Log every request (on by default).",
    ),
]

DEV_CLIENT = ("dev-client", "dev-secret")
DEV_USER = ("dev-user", "dev-password")
#: The event loop keeps the GIL busy under load; the store's writer thread, which gives the GIL up around every
#: database call, would otherwise wait up to the default 5 ms for it each time (a convoy that caps commits).
GIL_SWITCH_SECONDS = 0.0005


@contextlib.contextmanager
def client_store(settings: Settings) -> Iterator[ClientStore]:
    """The clients in the settings' database (with an older data dir's clients file imported first)."""
    with opened(settings) as engine:
        try:
            yield open_clients(engine.db, settings.resolved_clients_file)
        except SitejobsError as exc:
            fail(exc.message)


# ---- server and workers ---------------------------------------------------------------------------------------


def _serve(settings: Settings, host: str, port: int, *, tls: bool = False, access_log: bool = True) -> None:
    """Run the server. With `tls`, serve HTTPS with `settings.tls_cert`/`tls_key`, or else with a self-signed
    certificate made once in DATA_DIR/tls, and print what sfcc-ci needs to trust it."""
    import uvicorn

    from sitejobs.server import create_app

    logging_setup.configure(settings.log_json, access_log=access_log)
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    problem = settings.executor_problem()
    if problem:
        fail(problem)
    with opened(settings):  # an unreachable database, unusable data dir or bad jobs module: one line now
        pass
    try:  # a bad clients file: one clear line now rather than a traceback from the app's startup
        read_clients_file(settings.resolved_clients_file)
    except SitejobsError as exc:
        fail(exc.message)
    if problem := port_problem(host, port):
        fail(problem)
    certfile: Path | None = None
    keyfile: Path | None = None
    if tls:
        if settings.tls_cert is not None and settings.tls_key is not None:
            certfile, keyfile = settings.tls_cert, settings.tls_key
        else:
            from sitejobs.tls import ensure_certificate

            certfile, keyfile = ensure_certificate(settings.data_dir / "tls")
        if problem := tls_problem(certfile, keyfile):
            fail(problem)
        login_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        typer.echo(f"export NODE_EXTRA_CA_CERTS={certfile.resolve()}")
        typer.echo(f"export SFCC_LOGIN_URL={login_host}:{port}")
        sys.stdout.flush()
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        http="httptools",
        loop="uvloop",
        log_config=None,
        access_log=access_log,
        timeout_graceful_shutdown=10,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
    )
    _exit_leaving_jobs_to_recovery()


def _exit_leaving_jobs_to_recovery() -> None:
    """After shutdown, jobs that never reached a progress call may still hold threads: their leases are
    already released for recovery, so end the process now rather than wait for them."""
    if any(t.name.startswith("sitejobs-job") and t.is_alive() for t in threading.enumerate()):
        logging.getLogger(__name__).warning("exiting with jobs still running; they will be recovered")
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


@app.command()
def serve(
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
    host: Annotated[str, typer.Option(envvar="SITEJOBS_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="SITEJOBS_PORT")] = 8080,
    workers: Annotated[int | None, typer.Option(help="Job slots of the in-process worker pool.")] = None,
    executor: ExecutorOption = None,
    broker: Broker = None,
    tls: Annotated[
        bool,
        typer.Option("--tls", help="Serve HTTPS, with a self-signed certificate made once in DATA_DIR/tls."),
    ] = False,
    cert: Annotated[
        Path | None,
        typer.Option("--cert", envvar="SITEJOBS_TLS_CERT", help="PEM certificate (chain) for HTTPS."),
    ] = None,
    key: Annotated[
        Path | None, typer.Option("--key", envvar="SITEJOBS_TLS_KEY", help="PEM private key of --cert.")
    ] = None,
    own_executions: Annotated[
        bool,
        typer.Option(
            "--own-executions",
            help="A Data API client reads, searches and deletes only its own executions "
            "(SITEJOBS_OWN_EXECUTIONS; off by default, as on B2C Commerce).",
        ),
    ] = False,
    access_log: AccessLog = True,
) -> None:
    """Serve the HTTP APIs, running jobs in-process (--executor local, the default), handing them to Celery
    workers (--executor celery --broker URL), or leaving them to `sitejobs worker`s (--executor none).

    With --tls (or --cert and --key) it serves HTTPS and prints the `export` lines sfcc-ci needs."""
    if (cert is None) != (key is None):
        fail("give --cert and --key together")
    for path in (cert, key):
        if path is not None and not path.is_file():
            fail(f"'{path}' is not a file")
    settings = settings_for(
        data_dir,
        database,
        files_dir,
        workers=workers,
        tls_cert=cert,
        tls_key=key,
        executor=executor,
        broker_url=broker,
        own_executions=own_executions or None,
    )
    _serve(settings, host, port, tls=tls or cert is not None, access_log=access_log)


@app.command()
def dev(
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
    host: Annotated[str, typer.Option(envvar="SITEJOBS_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="SITEJOBS_PORT")] = 8080,
    templates: Annotated[
        Path | None, typer.Option("--templates", help="Install each site template folder found here.")
    ] = None,
    access_log: AccessLog = True,
) -> None:
    """What `make run` starts: seed a development client, user, the demo template (and any in --templates) and
    the demo site archive, print how to call the server, then serve."""
    from sitejobs import demo
    from sitejobs.cli_files import seed_demo_archive

    settings = settings_for(data_dir, database, files_dir)
    try:
        settings.ensure_dirs()
    except OSError as exc:
        fail(data_dir_problem(exc, settings))
    client_id, secret = DEV_CLIENT
    with client_store(settings) as clients:
        if clients.authenticate(client_id, secret) is None:
            clients.add(client_id, secret, ALL_RESOURCES)
    installed = seed_content(settings, DEV_USER, [demo.TEMPLATES_DIR, *([templates] if templates else [])])
    archive = seed_demo_archive(settings)
    url = f"http://{host}:{port}"
    console.print(f"[bold]sitejobs[/bold] on {url}  (data in {settings.data_dir.resolve()})")
    console.print(f"client id: [cyan]{client_id}[/cyan]  secret: [cyan]{secret}[/cyan]")
    console.print(
        f"content user: [cyan]{DEV_USER[0]}[/cyan]  password: [cyan]{DEV_USER[1]}[/cyan]  "
        f"templates: {', '.join(installed) or 'none'}"
    )
    console.print(f"site archive to import: Impex/src/instance/{archive}")
    console.print(f"  curl -u {DEV_USER[0]}:{DEV_USER[1]} {url}/sites/management/api/v1/templates?links=none")
    console.print("start a job:")
    console.print(
        f"  TOKEN=$(curl -s -u {client_id}:{secret} -d grant_type=client_credentials "
        f"{url}/dwsso/oauth2/access_token | jq -r .access_token)\n"
        f"  curl -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' "
        f'-d \'{{"parameters":[{{"name":"Seconds","value":"3"}}]}}\' '
        f"{url}/s/-/dw/data/v23_2/jobs/hello-world/executions",
        soft_wrap=True,
    )
    _serve(settings, host, port, access_log=access_log)


@app.command()
def worker(
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
    workers: Annotated[int | None, typer.Option(help="Job slots of this worker (local executor).")] = None,
    executor: ExecutorOption = None,
    broker: Broker = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", "-c", help="Celery worker processes (--executor celery).")
    ] = None,
) -> None:
    """Run jobs from the shared store on this machine, until SIGTERM or Ctrl-C: in this process (--executor
    local), or as a Celery worker (--executor celery; the same as `celery -A sitejobs.celery_app worker`)."""
    settings = settings_for(
        data_dir, database, files_dir, workers=workers, executor=executor, broker_url=broker
    )
    logging_setup.configure(settings.log_json)
    problem = settings.executor_problem()
    if problem:
        fail(problem)
    if settings.executor == "celery":
        _celery_worker(settings, concurrency or settings.workers)
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with opened(settings) as engine:
        runner = LocalExecutor(engine, kind="worker")
        runner.start()
        err.print(f"worker {runner.worker_id} running {runner.slots} slots; Ctrl-C to stop")
        stop.wait()
        runner.stop()
    _exit_leaving_jobs_to_recovery()


def _celery_worker(settings: Settings, concurrency: int) -> None:
    """A real Celery worker (prefork: one job a process) on the settings' broker and queue."""
    from sitejobs.celery_app import create_celery

    with opened(settings):  # migrate (under a lock) and check the store once, before forking
        pass
    app = create_celery(settings)
    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--queues={settings.celery_queue}",
            f"--hostname=sitejobs-{os.getpid()}@%h",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
        ]
    )


# ---- clients --------------------------------------------------------------------------------------------------


@clients_app.command("add")
def clients_add(
    client_id: Annotated[str, typer.Argument(help="The client id.")],
    secret: Annotated[str, typer.Option("--secret", help="The client secret (stored hashed).")],
    permissions: Annotated[
        Path | None, typer.Option("--permissions", help="OCAPI settings JSON with this client's resources.")
    ] = None,
    all_resources: Annotated[bool, typer.Option("--all", help="Grant every resource.")] = False,
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Add or replace an API client. Without --permissions or --all it may run and read jobs."""
    if permissions is not None and all_resources:
        fail("give either --permissions or --all, not both")
    settings = settings_for(data_dir, database, files_dir)
    try:
        if permissions is not None:
            resources = resources_from_settings_file(permissions, client_id)
        else:
            resources = ALL_RESOURCES if all_resources else JOB_RESOURCES
    except SitejobsError as exc:
        fail(exc.message)
    with client_store(settings) as clients:
        try:
            clients.add(client_id, secret, resources)
        except SitejobsError as exc:
            fail(exc.message)
    console.print(f"client [cyan]{client_id}[/cyan] saved")


@clients_app.command("list")
def clients_list(data_dir: DataDir = None, files_dir: FilesDir = None, database: Database = None) -> None:
    """List the API clients and their resources."""
    settings = settings_for(data_dir, database, files_dir)
    listing = fold_table("client id", "resources")
    with client_store(settings) as clients:
        for client in clients.all():
            resources = client.document.get("resources", [])
            listing.add_row(
                client.client_id,
                "\n".join(f"{r['resource_id']} {','.join(r.get('methods', []))}" for r in resources),
            )
    console.print(listing)


@clients_app.command("remove")
def clients_remove(
    client_id: Annotated[str, typer.Argument(help="The client id.")],
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Remove an API client: its tokens stop working on every node within a second."""
    with client_store(settings_for(data_dir, database, files_dir)) as clients:
        if not clients.remove(client_id):
            fail(f"no client '{client_id}'", 1)
    console.print(f"client [cyan]{client_id}[/cyan] removed")


# ---- token signing keys ---------------------------------------------------------------------------------------


@keys_app.command("rotate")
def keys_rotate(
    grace: Annotated[
        int | None,
        typer.Option(
            "--grace",
            min=0,
            help="Seconds the older keys still verify tokens, plus a minute's margin "
            "(default: the token lifetime, so none is cut short).",
        ),
    ] = None,
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Make a new signing key: every node signs with it from now on; tokens signed before stay valid until
    they expire."""
    settings = settings_for(data_dir, database, files_dir)
    if settings.token_secret:
        fail("SITEJOBS_TOKEN_SECRET is set: tokens are signed with it, not with keys in the database")
    with opened(settings) as engine:
        kid = rotate_key(engine.db, settings.token_ttl_seconds if grace is None else grace)
    console.print(f"new signing key [cyan]{kid}[/cyan]")


@keys_app.command("list")
def keys_list(data_dir: DataDir = None, files_dir: FilesDir = None, database: Database = None) -> None:
    """List the signing keys, newest (the one that signs) first."""
    with opened(settings_for(data_dir, database, files_dir)) as engine:
        keys = list_keys(engine.db)
    table = Table("kid", "created", "verifies until")
    for key in keys:
        until = "signing" if key.expires_at is None else iso_ms(key.expires_at)
        table.add_row(key.kid, iso_ms(key.created_at), until)
    console.print(table)


# ---- executions -----------------------------------------------------------------------------------------------


def _parse_params(params: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"parameter '{item}' is not NAME=VALUE")
        pairs.append((name, value))
    return pairs


@app.command()
def run(
    job_id: Annotated[str, typer.Argument(help="The job to run.")],
    param: Annotated[list[str] | None, typer.Option("-p", "--param", help="NAME=VALUE, repeatable.")] = None,
    body: Annotated[
        str | None,
        typer.Option("--body", help="A system job's JSON document, or @FILE to read it from a file."),
    ] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Follow it to the end with a progress bar.")] = False,
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Start an execution. With --wait, exit 0 when it ends OK and 1 when it ends in ERROR.

    System jobs (sfcc-*) take their document with --body, custom jobs their parameters with -p.
    When no worker is running on the store, --wait runs the job in this process."""
    if body is not None and param:
        fail("give either --body (a system job's document) or -p parameters, not both")
    request = parse_body(body) if body is not None else None
    settings = settings_for(data_dir, database, files_dir)
    with opened(settings) as engine:
        try:
            execution = engine.submit(job_id, _parse_params(param or []), request=request, client_id="cli")
        except SitejobsError as exc:
            fail(exc.message)
        console.print(f"execution [bold]{execution.id}[/bold] of {job_id}: {OCAPI[execution.state].status}")
        if not wait:
            if not engine.live_workers():
                err.print(
                    "[yellow]no worker is running on this store: start `sitejobs serve` or `sitejobs worker`[/]"
                )
            return
        local: LocalExecutor | None = None
        if not engine.live_workers():
            local = LocalExecutor(engine, kind="cli")
            local.start()
        try:
            final = _follow(engine, execution.id)
        finally:
            if local is not None:
                local.stop()
        _print_end(final)
        raise typer.Exit(0 if final.state is State.SUCCEEDED else 1)


def _follow(engine: JobEngine, execution_id: int) -> Execution:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[message]}"),
        console=err,
        transient=False,
    ) as bar:
        task = bar.add_task(f"execution {execution_id}", total=100, message="")
        while True:
            current = engine.get(execution_id)
            if current is None:
                fail(f"execution {execution_id} was deleted")
                raise AssertionError
            bar.update(task, completed=current.percent or 0, message=current.message or current.state.value)
            if current.state in TERMINAL:
                return current
            time.sleep(0.2)


def _print_end(execution: Execution) -> None:
    colour = "green" if execution.state is State.SUCCEEDED else "red"
    head, _, rest = end_sentence(execution).partition(":")
    console.print(f"[{colour}]{head}[/{colour}]:{rest}", soft_wrap=True)


@app.command()
def status(
    execution_id: Annotated[str, typer.Argument(help="The execution id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the OCAPI job_execution document.")] = False,
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Show one execution."""
    settings = settings_for(data_dir, database, files_dir)
    wanted = parse_id(execution_id)
    with opened(settings, existing=True) as engine:
        execution = engine.get(wanted)
        if execution is None:
            fail(f"no execution {execution_id}", 1)
            return
        doc = job_execution(execution, "23.2")
        if as_json:
            sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
            return
        table = Table(show_header=False)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")  # a narrow terminal or a pipe wraps values rather than cutting them
        for key in ("id", "job_id", "status", "execution_status", "client_id", "start_time", "end_time"):
            if key in doc:
                table.add_row(key, str(doc[key]))
        table.add_row("state", execution.state.value)
        if execution.percent is not None:
            table.add_row("progress", f"{execution.percent}% {execution.message or ''}")
        if "exit_status" in doc:
            table.add_row("exit_status", f"{doc['exit_status']['code']}: {doc['exit_status']['message']}")
        table.add_row("parameters", ", ".join(f"{p['name']}={p['value']}" for p in execution.parameters))
        table.add_row("log", f"sitejobs logs {execution.id}")
        console.print(table)


@app.command("list")
def list_(
    job: Annotated[str | None, typer.Option("--job", help="Only this job.")] = None,
    status_: Annotated[
        str | None, typer.Option("--status", help="PENDING, RUNNING, OK, ERROR or an internal state.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the OCAPI job_execution documents.")] = False,
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """List the newest executions."""
    states: frozenset[State] | None = None
    if status_ is not None:
        states = states_with_ocapi_status(status_.upper()) or (
            frozenset({State(status_.lower())}) if status_.lower() in State._value2member_map_ else None
        )
        if not states:
            fail(f"unknown status '{status_}'")
    settings = settings_for(data_dir, database, files_dir)
    with opened(settings, existing=True) as engine:
        rows = engine.list_executions(job_id=job, states=states, limit=limit)
        if as_json:
            docs = [job_execution(e, "23.2") for e in rows]
            sys.stdout.write(orjson.dumps(docs, option=orjson.OPT_INDENT_2).decode() + "\n")
            return
    table = fold_table("status", "state", "progress", "client", "created", "exit")
    table.columns[:0] = [Column("id", no_wrap=True), Column("job", overflow="fold")]  # ids are never cut
    for e in rows:
        table.add_row(
            str(e.id),
            e.job_id,
            OCAPI[e.state].status,
            e.state.value,
            "" if e.percent is None else f"{e.percent}%",
            e.client_id or e.owner or "",
            iso_ms(e.created_at),
            e.exit_code or "",
        )
    console.print(table)


@app.command()
def abort(
    execution_id: Annotated[str, typer.Argument(help="The execution id.")],
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Abort an execution: at once if pending, at its next progress report if running. Exits 1 when the
    execution has already ended (there is nothing to abort)."""
    wanted = parse_id(execution_id)
    with opened(settings_for(data_dir, database, files_dir), existing=True) as engine:
        before = engine.get(wanted)
        if before is not None and before.is_terminal:
            fail(
                f"execution {before.id} of {before.job_id} has already ended "
                f"({OCAPI[before.state].status}, {before.state.value}): there is nothing to abort",
                1,
            )
        try:
            execution = engine.abort(wanted)
        except SitejobsError as exc:
            fail(exc.message, 1)
            return
        if execution.state is State.ABORTED:
            console.print(f"execution {execution.id} of {execution.job_id} aborted before it started")
        else:
            console.print(
                f"execution {execution.id} of {execution.job_id} is aborting: "
                "it stops at its next progress report"
            )


@app.command()
def logs(
    execution_id: Annotated[str, typer.Argument(help="The execution id.")],
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing until the execution ends.")
    ] = False,
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Print an execution's log."""
    wanted = parse_id(execution_id)
    with opened(settings_for(data_dir, database, files_dir), existing=True) as engine:
        execution = engine.get(wanted)
        if execution is None:
            fail(f"no execution {execution_id}", 1)
            return
        after = 0
        while True:
            lines = engine.log_lines(execution.id, after)
            if lines:
                after = lines[-1].id
                sys.stdout.write("".join(line.render() for line in lines))
                sys.stdout.flush()
                continue
            if not follow:
                return
            current = engine.get(execution.id)
            if current is None or current.state in TERMINAL:
                if engine.log_lines(execution.id, after):
                    continue
                return
            time.sleep(0.3)


@app.command()
def jobs(data_dir: DataDir = None, files_dir: FilesDir = None, database: Database = None) -> None:
    """List the jobs this installation can run."""
    settings = settings_for(data_dir, database, files_dir)
    from sitejobs.jobs.builtin import default_registry

    try:
        registry = default_registry(settings.jobs_module)
    except SitejobsError as exc:
        fail(exc.message)
    table = fold_table("job id", "parameters", "concurrent", "description")
    for d in registry:
        params = ", ".join(f"{p.name}:{p.type}" for p in d.params) or (
            d.system_request.model.__name__ if d.system_request else ""
        )
        table.add_row(d.id, params, "yes" if d.concurrent else "no", d.description)
    console.print(table)


# ---- products -------------------------------------------------------------------------------------------------


@products_app.command("search")
def products_search(
    site: Annotated[str, typer.Argument(help="The site id, e.g. RefArch.")],
    query: Annotated[str, typer.Argument(help="Words that must all match; end one with * for a prefix.")],
    locale: Annotated[
        str | None, typer.Option("--locale", help="en-US, fr, default… (default: x-default).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="Most products shown.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as a JSON document.")] = False,
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Search a site's product index (built by sfcc-search-index-product-full-update), best match first."""
    from sitejobs.sites.commerce.search_index import search_products

    with opened(settings_for(data_dir, database, files_dir), existing=True) as engine:
        try:
            results = search_products(engine.db, site, query, locale=locale, limit=limit)
        except SitejobsError as exc:
            fail(exc.message, 1)
            return
    if as_json:
        sys.stdout.write(orjson.dumps(results.document(), option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    if not results.hits:
        console.print(f"No product of {site} matches '{query}' (locale {results.locale}).")
        return
    table = Table(
        "#",
        Column("product id", overflow="fold"),
        Column("name", overflow="fold"),
        Column("brand", overflow="fold"),
        Column("categories", overflow="fold"),
        Column("score", justify="right"),
        caption=f"{len(results.hits)} of {results.total} products of {site} matching '{query}' "
        f"(locale {results.locale})",
    )
    for rank, hit in enumerate(results.hits, 1):
        table.add_row(
            str(rank),
            hit.product_id,
            hit.name or "",
            hit.brand or "",
            hit.categories or "",
            f"{hit.score:.3f}",
        )
    console.print(table)


cli_content.register(app)
cli_files.register(app)


def main() -> None:
    app()
