"""Translation jobs: what a translate job made (the zip for translators) under the job's unique name.

The translate job records its job here when it has written the zip; `list-translation-jobs`,
`download-translation-job` and a translation import read them, and the status moves as translators work
(READY → INPROGRESS → TRANSLATED). `document` is the translation job as the translate `_status` shows it.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from sitejobs.engine.db import write_transaction
from sitejobs.engine.models import now_ms
from sitejobs.sites.content import schema

#: The statuses Content Management gives a translation job.
STATUSES = ("PREPARING", "READY", "INPROGRESS", "TRANSLATED", "IMPORTING", "IMPORTED", "FAILED")


def _row(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    out["document"] = orjson.loads(out["document"])
    return out


class TranslationJobStore:
    def __init__(self, db: Engine) -> None:
        self.db = db

    def add(self, job: dict[str, Any], *, execution_id: int) -> bool:
        """Record a translate job's translation job (`job` is its document); false when the name is taken."""
        now = now_ms()
        try:
            with write_transaction(self.db) as conn:
                conn.execute(
                    schema.translation_jobs.insert().values(
                        id=job["id"],
                        name=job["name"],
                        job_type=job["type"],
                        owner=job["createdBy"],
                        site_id=job.get("siteGUID"),
                        repository_id=job.get("repositoryId") or None,
                        execution_id=execution_id,
                        status=job["status"],
                        file_id=job["fFileGUID"],
                        document=orjson.dumps(job).decode(),
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def name_taken(self, name: str) -> bool:
        t = schema.translation_jobs
        with self.db.connect() as conn:
            return conn.execute(select(t.c.id).where(t.c.name == name)).first() is not None

    def all(self) -> list[dict[str, Any]]:
        t = schema.translation_jobs
        with self.db.connect() as conn:
            return [_row(r) for r in conn.execute(select(t).order_by(t.c.name))]

    def get(self, job_id: str) -> dict[str, Any] | None:
        t = schema.translation_jobs
        with self.db.connect() as conn:
            row = conn.execute(select(t).where(t.c.id == job_id)).first()
        return None if row is None else _row(row)

    def set_status(self, job_id: str, status: str, by: str, **fields: Any) -> None:
        """Move the job to `status`; `fields` replace those of its document (e.g. `sitePendingLanguages`)."""
        t = schema.translation_jobs
        job = self.get(job_id)
        if job is None:
            return
        document = {**job["document"], **fields, "status": status, "updatedBy": by}
        with write_transaction(self.db) as conn:
            conn.execute(
                update(t)
                .where(t.c.id == job_id)
                .values(status=status, document=orjson.dumps(document).decode(), updated_at=now_ms())
            )

    def by_name(self, name: str) -> dict[str, Any] | None:
        t = schema.translation_jobs
        with self.db.connect() as conn:
            row = conn.execute(select(t).where(t.c.name == name)).first()
        return None if row is None else _row(row)
