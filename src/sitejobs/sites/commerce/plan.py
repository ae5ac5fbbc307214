"""What the import modes mean, turned into store writes in archive order.

- merge: each object in the archive is created or replaced whole (by its key); nothing else changes.
- replace: each container the archive holds (catalog, library, price book, inventory list) is emptied
  before the archive's objects go in — the archive is the whole truth for it; containers and objects the
  archive does not mention stay. A document (any other XML file) and a site are replaced whole in every mode
  but delete.
- delete: each object the archive names is deleted (its content ignored), each document and site named is
  deleted, and each container named is deleted once nothing is left in it.
- `mode="delete"` on an object deletes that object in any mode; on a price book's or inventory list's header
  it deletes the whole price book or list.

Products and categories written get the import's revision (see revisions.py).
"""

from __future__ import annotations

from typing import Any, Literal

from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.rows import LAYOUTS
from sitejobs.sites.commerce.staging import OpSink

Mode = Literal["merge", "replace", "delete"]

#: For each container table: the owner kind its extras are filed under.
EXTRAS_KIND = {
    schema.catalogs.name: "catalog",
    schema.libraries.name: "library",
    schema.pricebooks.name: "pricebook",
    schema.inventory_lists.name: "inventory-list",
}


class Plan:
    def __init__(self, mode: Mode, sink: OpSink, revision: int = 0) -> None:
        self.mode = mode
        self.revision = revision
        self.staging = sink
        self._emptied: set[tuple[str, str]] = set()
        self._prune: dict[tuple[str, str], dict[str, Any]] = {}

    @property
    def deleting(self) -> bool:
        return self.mode == "delete"

    def upsert(self, table: str, row: dict[str, Any]) -> None:
        if table in schema.REVISIONED:
            row["revision"] = self.revision
        self.staging.add("upsert", table, LAYOUTS[table].pack(row))

    def delete(self, table: str, keys: dict[str, Any]) -> None:
        self.staging.add("delete", table, keys)

    def put(self, table: str, row: dict[str, Any], *, delete: bool = False) -> None:
        """An object: upserted, or deleted by its key in delete mode or when it says `mode="delete"`."""
        if delete or self.deleting:
            self.delete(table, {k: row[k] for k in schema.KEYS[table]})
        else:
            self.upsert(table, row)

    def container(self, table: str, row: dict[str, Any]) -> None:
        """A catalog, library, price book or inventory list the archive holds."""
        keys = {k: row[k] for k in schema.KEYS[table]}
        (owner,) = keys.values()
        if self.deleting:
            self._prune.setdefault((table, owner), keys)
            return
        if self.mode == "replace" and (table, owner) not in self._emptied:
            self._emptied.add((table, owner))
            self.staging.add("delete", table, keys)  # its children cascade
            extras = {"owner_kind": EXTRAS_KIND[table], "owner_id": owner}
            self.staging.add("delete", schema.extras.name, extras)
        self.upsert(table, row)

    def whole(self, table: str, row: dict[str, Any]) -> bool:
        """A document or a site, replaced whole; False in delete mode, where only its deletion counts."""
        keys = {k: row[k] for k in schema.KEYS[table]}
        if self.deleting:
            self.delete(table, keys)
            return False
        self.staging.add("delete", table, keys)  # a document's elements cascade
        self.upsert(table, row)
        return True

    def finish(self) -> None:
        """Queue the deletion of the containers named in delete mode, for once their content is gone."""
        for (table, _owner), keys in self._prune.items():
            self.staging.add("prune", table, keys)
        self._prune.clear()
