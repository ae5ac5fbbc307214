"""The Celery application of sitejobs: `celery -A sitejobs.celery_app worker` (or `sitejobs worker --executor
celery`) runs jobs on this machine; `sitejobs serve --executor celery` publishes to the same broker.

Settings come from `SITEJOBS_*` variables (`SITEJOBS_DATABASE_URL`, `SITEJOBS_BROKER_URL`, …) when Celery's
own command loads `app`; the sitejobs commands build their app from their arguments with `create_celery`.
Each worker process opens its own store connection once it exists (after the fork), never before.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Sequence
from typing import Any

from amqp.exceptions import NotFound as AmqpNotFound
from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown
from kombu.exceptions import ChannelError

from sitejobs.engine.celery_executor import TASK_NAME, CeleryDispatcher, CeleryRuntime, celery_config
from sitejobs.engine.local import RegistryLoader
from sitejobs.engine.service import JobEngine
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings

#: Messages a publish batch sends to Redis in one round trip.
PUBLISH_FLUSH = 100


class _ProcessRuntime:
    """This process's CeleryRuntime, made on first use after a fork (a forked child gets its own)."""

    def __init__(self, settings: Settings, registry_loader: RegistryLoader) -> None:
        self._settings = settings
        self._registry_loader = registry_loader
        self._lock = threading.Lock()
        self._pid = 0
        self._runtime: CeleryRuntime | None = None

    def get(self) -> CeleryRuntime:
        with self._lock:
            if self._runtime is None or self._pid != os.getpid():
                self._runtime = CeleryRuntime(JobEngine.open(self._settings, self._registry_loader()))
                self._pid = os.getpid()
            return self._runtime

    def close(self) -> None:
        with self._lock:
            if self._runtime is not None and self._pid == os.getpid():
                self._runtime.close()
            self._runtime = None


def create_celery(settings: Settings, registry_loader: RegistryLoader | None = None) -> Celery:
    loader = registry_loader or functools.partial(default_registry, settings.jobs_module)
    app = Celery("sitejobs", broker=settings.broker_url, set_as_current=False)
    app.conf.update(celery_config(settings))
    runtime = _ProcessRuntime(settings, loader)

    @app.task(  # type: ignore[untyped-decorator]
        name=TASK_NAME, acks_late=True, reject_on_worker_lost=True, ignore_result=True
    )
    def run_execution(execution_id: int) -> str:
        return runtime.get().run(int(execution_id))

    worker_process_init.connect(lambda **_: runtime.get(), weak=False)
    worker_process_shutdown.connect(lambda **_: runtime.close(), weak=False)
    return app


def dispatcher(engine: JobEngine, app: Celery) -> CeleryDispatcher:
    """The API node's outbox, publishing through `app`'s broker connection pool."""
    queue = engine.settings.celery_queue

    def publish(ids: Sequence[int]) -> None:
        # One round trip for each PUBLISH_FLUSH messages on Redis (kombu's publish batches; other transports
        # publish each at once): publishing each on its own cost the API node 440 µs of CPU a job, batched
        # 150-190 µs. A flush every hundred keeps the workers of a large batch from waiting for all of it.
        with app.producer_or_acquire() as producer, producer.batch(PUBLISH_FLUSH):
            for execution_id in ids:
                app.send_task(TASK_NAME, args=[execution_id], queue=queue, producer=producer, retry=False)

    def backlog() -> int | None:
        with app.connection_for_write() as conn:
            try:
                return int(conn.default_channel.queue_declare(queue=queue, passive=True).message_count)
            except (ChannelError, AmqpNotFound) as exc:
                if "NOT_FOUND" in str(exc):  # no worker declared it (yet, or since a restart): nothing queued
                    return 0
                raise

    return CeleryDispatcher(engine, publish, backlog)


@functools.cache
def _default_app() -> Celery:
    return create_celery(Settings())


def __getattr__(name: str) -> Any:
    """`celery -A sitejobs.celery_app` finds `app` here, made from the environment when first asked for."""
    if name in ("app", "celery"):
        return _default_app()
    raise AttributeError(name)
