"""Celery mode for tests, for real: the API node's dispatcher in the test process and `sitejobs worker
--executor celery` processes on the machine's Redis or RabbitMQ, each test on a queue of its own."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import pytest
from celery import Celery

from sitejobs.celery_app import create_celery, dispatcher
from sitejobs.engine.celery_executor import CeleryDispatcher
from sitejobs.engine.service import JobEngine
from tests.conftest import cli_env, wait_for
from tests.timing import deadline_after

BROKERS = {
    "celery-redis": "redis://127.0.0.1:6379/0",
    "celery-rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}
START_HELP = {
    "celery-redis": "Start Redis with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ''`.",
    "celery-rabbitmq": "Start RabbitMQ with `rabbitmq-server -detached`.",
}


def check_broker(url: str, kind: str) -> None:
    try:
        with Celery(broker=url, set_as_current=False).connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # the broker is down: say how to start it, never skip
        pytest.fail(f"the broker {url} is not reachable ({exc}). {START_HELP.get(kind, '')}", pytrace=False)


class CeleryCluster:
    def __init__(
        self, engine: JobEngine, broker: str, *, kind: str = "", workers: int = 1, concurrency: int = 2
    ):
        self.engine = engine
        self.settings = engine.settings
        self.settings.executor = "celery"
        self.settings.broker_url = broker
        self.settings.celery_queue = f"sitejobs-test-{secrets.token_hex(4)}"
        self.kind = kind
        self.workers = workers
        self.concurrency = concurrency
        self.dispatcher: CeleryDispatcher | None = None
        self.procs: list[subprocess.Popen[bytes]] = []

    def env(self) -> dict[str, str]:
        return {**os.environ, **cli_env(self.settings)}

    def start(self) -> CeleryCluster:
        check_broker(self.settings.broker_url, self.kind)
        self.dispatcher = dispatcher(self.engine, create_celery(self.settings))
        self.dispatcher.start()
        try:
            for _ in range(self.workers):
                self.start_worker()
        except BaseException:
            self.stop()
            raise
        return self

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = Path(self.settings.data_dir) / f"celery-worker-{len(self.procs)}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "sitejobs", "worker", "--concurrency", str(self.concurrency)],
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        expected = self.concurrency * len(self.procs)
        wait_for(
            lambda: len(self.celery_workers()) >= expected or self._died(proc, log),
            60,
            f"{expected} Celery worker processes to be ready",
            interval=0.1,
        )
        return proc

    def _died(self, proc: subprocess.Popen[bytes], log: Path) -> bool:
        if proc.poll() is not None:
            raise AssertionError(
                f"the Celery worker exited with {proc.returncode}:\n{log.read_text()[-3000:]}"
            )
        return False

    def celery_workers(self) -> list[dict[str, object]]:
        return [w for w in self.engine.live_workers() if w["kind"] == "celery"]

    def child_pids(self) -> list[int]:
        """The worker processes that run jobs (the prefork children)."""
        pids: list[int] = []
        for proc in self.procs:
            if proc.poll() is None:
                pids.extend(c.pid for c in psutil.Process(proc.pid).children())
        return pids

    def stop(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.stop()
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = deadline_after(15)
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                for child in psutil.Process(proc.pid).children(recursive=True):
                    child.kill()
                proc.kill()
                proc.wait()
        try:
            with Celery(broker=self.settings.broker_url, set_as_current=False).connection_for_write() as conn:
                conn.default_channel.queue_delete(self.settings.celery_queue)
        except Exception:
            pass
