"""What the children of an impex object are to a MERGE import: attribute slots, groups of slots, and lists.

Facts from the B2C Commerce import schemas (catalog.xsd, library.xsd, pricebook.xsd, inventory.xsd,
metadata.xsd as Salesforce publishes them, e.g. in SalesforceCommerceCloud/b2c-developer-tooling
packages/b2c-tooling-sdk/data/xsd/):

- A child of an object is one of its attributes; a localized attribute has one child per `xml:lang` (none is
  `x-default`), a site-specific one one per `site-id` (sharedType.SiteSpecific*).
- `custom-attributes` holds one `custom-attribute` per `attribute-id` (and `xml:lang`, `site-id`);
  `page-attributes` and a product's `store-attributes` hold localized attributes; a product's `variations` holds
  `attributes`, `variants` and `variation-groups`; a metadata type's `*-attribute-definitions` and
  `group-definitions` hold definitions by `attribute-id` / `group-id`. These are GROUPS: merged slot by slot.
- A list element may say how it merges with `merge-mode` (simpleType.MergeMode): `add`, `remove`, `merge` or
  `replace`; `images` merges by default, `variants`, `variation-groups` and `variation-attribute-values`
  replace. Any other child with children of its own (links, options, bundled products, …) is one value.
- A price table's `amount` and `percentage` entries are one value, its price tiers (an `xsd:choice`).
- ORDER: each object's children in schema order (its xsd:sequence), where a new attribute is inserted.
"""

from __future__ import annotations

#: Children whose own children are slots of the object (merged one by one).
GROUPS = frozenset(
    {
        "custom-attributes",
        "page-attributes",
        "store-attributes",
        "variations",
        "system-attribute-definitions",
        "custom-attribute-definitions",
        "attribute-definitions",
        "group-definitions",
    }
)

#: Attributes that tell one slot from another of the same tag (xml:lang is handled on its own).
SLOT_ATTRIBUTES = ("site-id", "attribute-id", "group-id")

#: Tags that share one slot: a price table's tiers.
SLOT_ALIASES = {"percentage": "amount"}

#: merge-mode of list elements that have a default other than "replace".
DEFAULT_MERGE_MODE = {"images": "merge"}
MERGE_MODES = frozenset({"add", "remove", "merge", "replace"})

#: Attributes of a list item that are data, not identity (a variant's `default`).
ITEM_DATA_ATTRIBUTES = frozenset({"default", "mode", "merge-mode"})
#: Children of a list item that are part of its identity (an image group's variation values).
ITEM_IDENTITY_CHILDREN = frozenset({"variation"})

#: Children in schema order, by (the impex kind of the element's namespace, element tag).
ORDER: dict[tuple[str, str], tuple[str, ...]] = {
    ("catalog", "product"): (
        "ean",
        "upc",
        "unit",
        "unit-quantity",
        "unit-measure",
        "min-order-quantity",
        "step-quantity",
        "display-name",
        "short-description",
        "long-description",
        "store-receipt-name",
        "store-tax-class",
        "store-force-price-flag",
        "store-non-inventory-flag",
        "store-non-revenue-flag",
        "store-non-discountable-flag",
        "online-flag",
        "online-from",
        "online-to",
        "available-flag",
        "searchable-flag",
        "searchable-if-unavailable-flag",
        "images",
        "image",
        "thumbnail",
        "template",
        "tax-class-id",
        "localized-tax-class-id",
        "brand",
        "manufacturer-name",
        "manufacturer-sku",
        "search-placement",
        "search-rank",
        "sitemap-included-flag",
        "sitemap-changefrequency",
        "sitemap-priority",
        "page-attributes",
        "custom-attributes",
        "bundled-products",
        "retail-set-products",
        "product-set-products",
        "options",
        "variations",
        "product-links",
        "category-links",
        "classification-category",
        "pinterest-enabled-flag",
        "facebook-enabled-flag",
        "product-detail-page-meta-tag-rules",
        "store-attributes",
    ),
    ("catalog", "category"): (
        "display-name",
        "description",
        "online-flag",
        "online-from",
        "online-to",
        "variation-groups-display-mode",
        "parent",
        "position",
        "thumbnail",
        "image",
        "template",
        "search-placement",
        "search-rank",
        "sitemap-included-flag",
        "sitemap-changefrequency",
        "sitemap-priority",
        "page-attributes",
        "custom-attributes",
        "category-links",
        "attribute-groups",
        "refinement-definitions",
        "product-detail-page-meta-tag-rules",
        "product-listing-page-meta-tag-rules",
        "product-specification-rule",
        "categorization-rules-and-excluded-products",
    ),
    ("catalog", "category-assignment"): (
        "display-name",
        "short-description",
        "long-description",
        "callout-message",
        "image",
        "position",
        "primary-flag",
        "custom-attributes",
        "variation-assignments",
    ),
    ("catalog", "page-attributes"): ("page-title", "page-description", "page-keywords", "page-url"),
    ("catalog", "store-attributes"): (
        "receipt-name",
        "tax-class",
        "force-price-flag",
        "non-inventory-flag",
        "non-revenue-flag",
        "non-discountable-flag",
    ),
    ("catalog", "variations"): ("attributes", "variants", "variation-groups"),
    ("catalog", "header"): ("image-settings", "custom-attributes"),
    ("library", "content"): (
        "display-name",
        "description",
        "type",
        "config",
        "visibility-mode",
        "data",
        "search-words",
        "aspect-type",
        "online-flag",
        "searchable-flag",
        "template",
        "page-attributes",
        "custom-attributes",
        "folder-links",
        "content-links",
        "content-object-assignments",
        "content-variant-assignments",
        "sitemap-included-flag",
        "sitemap-changefrequency",
        "sitemap-priority",
        "content-detail-page-meta-tag-rules",
    ),
    ("library", "folder"): (
        "display-name",
        "description",
        "online-flag",
        "template",
        "parent",
        "position",
        "page-attributes",
        "custom-attributes",
        "attribute-groups",
        "refinement-definitions",
        "content-detail-page-meta-tag-rules",
        "content-listing-page-meta-tag-rules",
        "sitemap-included-flag",
        "sitemap-changefrequency",
        "sitemap-priority",
    ),
    ("library", "page-attributes"): ("page-title", "page-description", "page-keywords", "page-url"),
    ("pricebook", "header"): (
        "currency",
        "display-name",
        "description",
        "online-flag",
        "online-from",
        "online-to",
        "parent",
        "feed-based",
        "custom-attributes",
    ),
    ("pricebook", "price-table"): ("online-from", "online-to", "amount", "percentage", "price-info"),
    ("inventory", "header"): (
        "default-instock",
        "description",
        "use-bundle-inventory-only",
        "on-order",
        "custom-attributes",
    ),
    ("inventory", "record"): (
        "allocation",
        "allocation-timestamp",
        "perpetual",
        "preorder-backorder-handling",
        "preorder-backorder-allocation",
        "in-stock-date",
        "in-stock-datetime",
        "ats",
        "on-order",
        "turnover",
        "custom-attributes",
    ),
    ("metadata", "type-extension"): (
        "system-attribute-definitions",
        "custom-attribute-definitions",
        "group-definitions",
    ),
}

#: The rank of each child tag in ORDER, for lookups.
RANKS: dict[tuple[str, str], dict[str, int]] = {
    key: {tag: rank for rank, tag in enumerate(tags)} for key, tags in ORDER.items()
}


def impex_kind(namespace: str | None) -> str:
    """`catalog` for http://www.demandware.com/xml/impex/catalog/2006-10-31, '' for anything else."""
    parts = (namespace or "").rstrip("/").split("/")
    return parts[-2] if len(parts) >= 2 else ""
