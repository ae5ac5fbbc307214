"""Revisions: which import last changed a product or a category, so the search index can find what changed.

Each import takes the next number of a counter that only grows (`cc_revision_counter`, bumped in a transaction
of its own when the import starts) and stamps the products and categories it writes with it
(schema.REVISIONED). A row imported again with the same XML keeps its revision (apply.py), so a revision says
when an object last really changed. Imports run one at a time (the job is not concurrent), so every import
committed before another started has a lower revision: whoever reads the store's highest row revision in a
snapshot knows that whatever commits later carries a higher one, whatever the clocks of the workers say, and
even if the rows with the highest revisions were deleted meanwhile.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, func, select, union_all
from sqlalchemy.dialects import postgresql, sqlite

from sitejobs.engine.db import write_transaction
from sitejobs.sites.commerce import schema


def next_revision(db: Engine) -> int:
    """Take the next revision for an import (committed at once: one an import that fails leaves unused)."""
    counter = schema.revision_counter
    with write_transaction(db) as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(counter).values(id=1, revision=1)
        statement = insert.on_conflict_do_update(
            index_elements=["id"], set_={"revision": counter.c.revision + 1}
        ).returning(counter.c.revision)
        return int(conn.execute(statement).scalar_one())


def highest_revision(conn: Connection) -> int:
    """The highest revision of the rows the connection sees: what an index built from them reflects."""
    tables = [schema.TABLES[name] for name in sorted(schema.REVISIONED)]
    highest = union_all(*(select(func.max(table.c.revision)) for table in tables))
    return max((r or 0 for r in conn.execute(highest).scalars()), default=0)
