"""Searching a site's product index: every word of the query must match (a trailing `*` makes a word a
prefix), best first — bm25 on SQLite (FTS5), ts_rank on PostgreSQL, name matches weighing most.

Only products online and searchable for the site are found. The locale picks the index rows: the first of the
locale's fallbacks (en-US → en → x-default) the site's index was built for.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from sitejobs.errors import InvalidParameter, InvalidSearchQuery, SearchIndexNotBuilt, StorefrontSiteNotFound
from sitejobs.sites.commerce import schema
from sitejobs.sites.commerce.search_index import tables
from sitejobs.sites.commerce.search_index.site_setup import DEFAULT_LOCALE, fallbacks, normalize_locale

MAX_LIMIT = 1000
MAX_QUERY = 500  # characters
_TERM = re.compile(r"(\w+)(\*?)")
_PREFIXED = re.compile(r"\w+\*")

_SELECT = "p.product_id, p.catalog_id, p.name, p.brand, p.categories"
_FILTER = "p.site_id = :site AND p.locale = :locale AND p.online AND p.searchable"
_BM25 = ", ".join(str(weight) for _, weight, _ in tables.TEXT_COLUMNS)
_FTS = tables.FTS_TABLE
# CROSS JOIN makes SQLite match the FTS table first and look the rows up by id: left to itself it may walk
# the site's rows by index and run the full-text match once per row, a hundred times slower.
SQLITE_HITS = f"""
SELECT {_SELECT}, -bm25({_FTS}, {_BM25}) AS score
FROM {_FTS} CROSS JOIN cc_search_products AS p ON p.id = {_FTS}.rowid
WHERE {_FTS} MATCH :match AND {_FILTER}
ORDER BY score DESC, p.product_id LIMIT :limit OFFSET :offset
"""
SQLITE_TOTAL = f"""
SELECT count(*) FROM {_FTS} CROSS JOIN cc_search_products AS p ON p.id = {_FTS}.rowid
WHERE {_FTS} MATCH :match AND {_FILTER}
"""
POSTGRESQL_HITS = f"""
SELECT {_SELECT}, ts_rank(p.document, q.query) AS score
FROM cc_search_products AS p, (SELECT {{tsquery}}) AS q(query)
WHERE p.document @@ q.query AND {_FILTER}
ORDER BY score DESC, p.product_id LIMIT :limit OFFSET :offset
"""
POSTGRESQL_TOTAL = f"""
SELECT count(*) FROM cc_search_products AS p, (SELECT {{tsquery}}) AS q(query)
WHERE p.document @@ q.query AND {_FILTER}
"""
#: The words as PostgreSQL's own parser reads them (as it read the documents: "6.0" stays one word), and
#: the prefixes, which only to_tsquery understands.
_WORDS = "plainto_tsquery('english', :words)"
_PREFIXES = "to_tsquery('english', :prefixes)"


@dataclass(frozen=True)
class Term:
    word: str
    prefix: bool = False


@dataclass(frozen=True)
class SearchHit:
    product_id: str
    catalog_id: str
    name: str | None
    brand: str | None
    categories: str | None
    score: float  # higher is better; comparable within one search only


@dataclass
class SearchResults:
    site_id: str
    query: str
    locale: str  # the index locale searched
    total: int  # products that match, of which `hits` is one page
    hits: list[SearchHit] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        return asdict(self)


def parse_query(query: str) -> list[Term]:
    """The query's words (letters and digits in any script); InvalidSearchQuery when there are none or the
    query is too long."""
    if len(query) > MAX_QUERY:
        raise InvalidSearchQuery(f"The search query is longer than {MAX_QUERY} characters.")
    terms = [Term(word, bool(star)) for word, star in _TERM.findall(query)]
    if not terms:
        raise InvalidSearchQuery(f"The search query '{query}' holds no word to search for.")
    return terms


def fts5_match(terms: list[Term]) -> str:
    """Each word a quoted FTS5 string (so nothing in it is read as syntax), all required."""
    return " ".join(f'"{t.word}"' + ("*" if t.prefix else "") for t in terms)


def tsquery(query: str, terms: list[Term]) -> tuple[str, dict[str, str]]:
    """The tsquery expression for PostgreSQL and its parameters. Prefix words only hold letters, digits and
    '_', none of which is tsquery syntax; the rest of the query goes to plainto_tsquery as it is."""
    prefixes = [t.word for t in terms if t.prefix]
    words = _PREFIXED.sub(" ", query)
    parts, params = [], {}
    if any(not t.prefix for t in terms):
        parts.append(_WORDS)
        params["words"] = words
    if prefixes:
        parts.append(_PREFIXES)
        params["prefixes"] = " & ".join(f"{word}:*" for word in prefixes)
    return " && ".join(parts), params


def search_products(
    db: Engine, site_id: str, query: str, *, locale: str | None = None, limit: int = 20, offset: int = 0
) -> SearchResults:
    """Raises StorefrontSiteNotFound, SearchIndexNotBuilt, InvalidSearchQuery or InvalidParameter (locale, limit)."""
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InvalidParameter(f"The limit must be between 1 and {MAX_LIMIT}, the offset 0 or more.")
    terms = parse_query(query)
    wanted = normalize_locale(locale) if locale else DEFAULT_LOCALE
    with db.connect() as conn:
        chosen = _index_locale(conn, site_id, wanted)
        params: dict[str, Any] = {"site": site_id, "locale": chosen, "limit": limit, "offset": offset}
        if conn.dialect.name == "sqlite":
            hits_sql, total_sql = SQLITE_HITS, SQLITE_TOTAL
            params["match"] = fts5_match(terms)
        else:
            expression, query_params = tsquery(query, terms)
            hits_sql = POSTGRESQL_HITS.format(tsquery=expression)
            total_sql = POSTGRESQL_TOTAL.format(tsquery=expression)
            params |= query_params
        rows = conn.execute(text(hits_sql), params).all()
        total = conn.execute(text(total_sql), params).scalar_one()
    hits = [SearchHit(r[0], r[1], r[2], r[3], r[4], round(float(r[5]), 6)) for r in rows]
    return SearchResults(site_id, query, chosen, int(total), hits)


def _index_locale(conn: Connection, site_id: str, wanted: str) -> str:
    state = tables.state
    setup = conn.execute(select(state.c.setup).where(state.c.site_id == site_id)).scalar_one_or_none()
    if setup is None:
        sites = schema.sites
        if conn.execute(select(sites.c.site_id).where(sites.c.site_id == site_id)).first() is None:
            raise StorefrontSiteNotFound(f"No site '{site_id}' in the site store.", siteId=site_id)
        raise SearchIndexNotBuilt(
            f"The product search index of site '{site_id}' was never built: run the job "
            f'sfcc-search-index-product-full-update with {{"site_scope": ["{site_id}"]}}.',
            siteId=site_id,
        )
    locales: list[str] = setup["locales"]
    for candidate in fallbacks(wanted):
        if candidate in locales:
            return candidate
    return locales[0]
