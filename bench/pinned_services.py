"""A PostgreSQL cluster and a redis-server of a benchmark's own, on free ports, held to given CPUs.

`bench_celery --split-cores` runs them on one core and every Python process on the other: what a deployment
of several machines has (the store and the broker on hosts of their own), on this one machine, without
touching the machine's shared services. PostgreSQL refuses to run as root, so as root the cluster belongs to
the `postgres` user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from bench.bare_server import free_port, wait_port

PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _pinned(cpus: Sequence[int], command: Sequence[str]) -> list[str]:
    return ["taskset", "-c", ",".join(map(str, cpus)), *command]


def _as_postgres(command: Sequence[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@contextlib.contextmanager
def postgres(cpus: Sequence[int]) -> Iterator[str]:
    """A fresh cluster (trust authentication, the server's defaults) on `cpus`: its admin URL."""
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError(f"no PostgreSQL server binaries in {PG_BIN} (set BENCH_PG_BIN)")
    folder = Path(tempfile.mkdtemp(prefix="sitejobs-bench-pg-"))
    data = folder / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    try:
        initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        start = [
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "start",
        ]
        subprocess.run(_pinned(cpus, _as_postgres(start)), check=True, capture_output=True)
        try:  # pg_ctl -w has waited until the server accepts connections
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            stop = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
            subprocess.run(_as_postgres(stop), capture_output=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def redis(cpus: Sequence[int]) -> Iterator[str]:
    """A redis-server keeping nothing on disk, on `cpus`: its URL (database 0)."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(_pinned(cpus, command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, proc, 30.0)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
