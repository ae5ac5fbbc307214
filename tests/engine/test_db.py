"""The store's PostgreSQL connections."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sitejobs.engine.db import create_store_engine
from sitejobs.settings import Settings

pytestmark = pytest.mark.postgres


def test_statements_are_planned_for_their_parameters_and_url_options_are_kept(settings: Settings) -> None:
    # A generic plan kept from when the executions table was nearly empty scanned the whole table on every
    # claim and finish of a Celery benchmark (PostgreSQL then used half of the CPU); see engine.db.
    db = create_store_engine(settings.resolved_database_url)
    try:
        with db.connect() as conn:
            mode = conn.execute(text("SHOW plan_cache_mode")).scalar_one()
            search_path = conn.execute(text("SHOW search_path")).scalar_one()
            timeout = conn.execute(text("SHOW statement_timeout")).scalar_one()
    finally:
        db.dispose()
    assert mode == "force_custom_plan"
    assert search_path.startswith("t_")  # the test's own schema, given in the URL's options
    assert timeout != "0"
