"""The product search index of each site: built by the `sfcc-search-index-product-*` jobs, searched by
`sitejobs products search` (and whatever else needs it: the functions take a SQLAlchemy Engine)."""

from sitejobs.sites.commerce.search_index.build import IndexSummary, update_site_index
from sitejobs.sites.commerce.search_index.query import SearchHit, SearchResults, search_products
from sitejobs.sites.commerce.search_index.sites import resolve_sites

__all__ = [
    "IndexSummary",
    "SearchHit",
    "SearchResults",
    "resolve_sites",
    "search_products",
    "update_site_index",
]
