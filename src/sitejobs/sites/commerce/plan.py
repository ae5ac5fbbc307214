"""What the import modes mean, turned into store writes in archive order.

As B2C Commerce defines them ("Import Modes in B2C Commerce", Salesforce Help cc.b2c_import_modes; the same
table in the Trailhead unit "Understand Import Modes"), for each *object* of the archive:

- merge: creates the object if the store does not hold it, else updates it: "object attributes provided in
  the feed are updated, object attributes not provided in the feed are left untouched". Here that is an
  attribute-level merge of the element into the stored one (merge.py, slots.py: per `xml:lang` for localized
  values, per `attribute-id` for custom attributes, lists by their `merge-mode`), for every object kept as XML
  with columns of its own (columns.MERGED: products, categories, assignments, folders, content assets, price
  book headers and price tables, inventory list headers and records, metadata types, a container's other
  elements). Their columns are computed again from the merged element.
- replace: "an object is recreated with the data provided in the feed … existing attributes not provided in
  the feed are removed … technically, REPLACE equals a DELETE followed by a MERGE". So each object of the
  archive is written whole, and objects the archive does not name stay, whichever catalog, library, price
  book or inventory list holds them: REPLACE is per object, not per container (emptying a catalog first is a
  separate ImportCatalog option, `deleteCatalog`, in the B2C pipelet API).
- delete: each object the archive names is deleted (its content ignored), each document and site named is
  deleted, and each container named is deleted once nothing is left in it.
- `mode="delete"` on an object deletes that object in any mode; on a price book's or inventory list's header
  it deletes the whole price book or list.

A document (any other XML file: preferences, promotions, jobs, …) and a site are replaced whole in every mode
but delete, as are files other than XML. Catalogs and libraries keep only their root element's attributes,
written as the archive has them.

Products and categories written get the import's revision (see revisions.py); one merged into exactly what
was stored keeps its own.
"""

from __future__ import annotations

from typing import Any, Literal

from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.columns import MERGED
from sitejobs.sites.commerce.rows import LAYOUTS
from sitejobs.sites.commerce.staging import OpSink, Verb

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
        self._prune: dict[tuple[str, str], dict[str, Any]] = {}

    @property
    def deleting(self) -> bool:
        return self.mode == "delete"

    def upsert(self, table: str, row: dict[str, Any]) -> None:
        """Written whole, whatever the mode."""
        self._write("upsert", table, row)

    def delete(self, table: str, keys: dict[str, Any]) -> None:
        self.staging.add("delete", table, keys)

    def put(self, table: str, row: dict[str, Any], *, delete: bool = False) -> None:
        """An object: merged into the stored one or written whole (see the modes above), or deleted by its
        key in delete mode or when it says `mode="delete"`."""
        if delete or self.deleting:
            self.delete(table, {k: row[k] for k in schema.KEYS[table]})
        elif self.mode == "merge" and table in MERGED:
            self._write("merge", table, row)
        else:
            self.upsert(table, row)

    def container(self, table: str, row: dict[str, Any]) -> None:
        """A catalog, library, price book or inventory list the archive holds: an object like the others,
        except that delete mode deletes it only once nothing is left in it (finish)."""
        keys = {k: row[k] for k in schema.KEYS[table]}
        if self.deleting:
            (owner,) = keys.values()
            self._prune.setdefault((table, owner), keys)
            return
        self.put(table, row)

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

    def _write(self, verb: Verb, table: str, row: dict[str, Any]) -> None:
        if table in schema.REVISIONED:
            row["revision"] = self.revision
        self.staging.add(verb, table, LAYOUTS[table].pack(row))
