"""The markers OCE writes into layouts and page data, and the URLs they stand for in a published page.

Every link of a published page is relative (as the OCE toolkit's `compilesite.js` makes them), so the output
can be served under any URL and checked on disk: `prefix` climbs from the page's folder to the publish folder
(`""`, `"../"`, …), `root` is the same without the trailing slash (`"."` at the top) and `lang` climbs to the
folder of the page's language (the same as `prefix` for the default language). The theme is published to
`_themesdelivery/<theme>/`, components to `_compdelivery/<name>/` and the site's content to `content/`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from sitejobs.sites.content.model import JsonObject
from sitejobs.sites.content.names import COMPONENTS_DIR, CONTENT_DIR, RUNTIME_DIR, THEMES_DIR

_TOKENS = re.compile(
    r"(?=[\[<_\"'])(?:"  # a quick look at the first character makes scanning long HTML several times faster
    r"(?:\[!--|<!--)\$\s*(?:"
    r"SCS_PAGE\s*--\]\s*(?P<page>[^\[\]<>\"']*?)\s*\[/!--\$\s*SCS_PAGE\s*--\]"
    r"|(?P<name>SCS_\w+)\s*(?:-->|--\]))"
    r"|_scs_(?:(?P<theme>theme_root_)|(?P<design>design_name_))"
    r"|(?P<quote>[\"'])/_themes/)"
)
_CHEAP_SIGNS = ("[!--$", "<!--$", "_scs_", "/_themes/")


def page_link(page_id: object) -> str:
    """The marker OCE stores for a link to a page; `Links.expand` turns it into the page's URL."""
    return f"[!--$SCS_PAGE--]{page_id}[/!--$SCS_PAGE--]"


class Links:
    """The URLs of one language variant's pages and theme, for expanding markers.

    `unknown` collects the page references that name no page (they become `#`), for the publish report.
    """

    def __init__(self, structure: Iterable[JsonObject], theme_name: str, design_name: str) -> None:
        self._pages: dict[str, tuple[bool, str]] = {}  # id -> (relative to the language folder, href)
        for entry in structure:
            link_url = entry.get("linkUrl")
            if isinstance(link_url, str) and link_url.strip():
                self._pages[str(entry["id"])] = (False, html.escape(link_url.strip()))
            else:
                self._pages[str(entry["id"])] = (True, html.escape(quote(str(entry.get("pageUrl") or ""))))
        self.theme_path = f"{THEMES_DIR}/{quote(theme_name)}"
        self.design = quote(design_name)
        self.theme_name = quote(theme_name)
        self.unknown: set[str] = set()

    def page_href(self, reference: str, lang: str) -> str:
        """The href for `id`, `id|query` or `id|#fragment` from a page at the depth `lang` climbs."""
        page_id, _, params = reference.partition("|")
        target = self._pages.get(page_id.strip())
        if target is None:
            self.unknown.add(page_id.strip())
            return "#"
        relative, href = target
        if relative:
            href = lang + href
        if params:
            href += params if params.startswith("#") else ("&" if "?" in href else "?") + params
        return href

    def expand(
        self, text: str, prefix: str, root: str, lang: str, extra: Mapping[str, str] | None = None
    ) -> str:
        """`text` with every marker replaced; names in `extra` (e.g. SCS_PAGE_TITLE) take the given values."""
        if not any(sign in text for sign in _CHEAP_SIGNS):
            return text
        fixed = {
            "SCS_SITE_PATH": root,
            "SCS_CONTENT_URL": prefix + CONTENT_DIR,
            "SCS_COMP_CATALOG_URL": prefix + COMPONENTS_DIR,
            "SCS_DIST_FOLDER": prefix + RUNTIME_DIR,  # OCE's own files: the site's runtime
            "SCS_THEME_NAME": self.theme_name,
            "SCS_DESIGN_NAME": self.design,
        }
        if extra:
            fixed.update(extra)
        theme_root = prefix + self.theme_path

        def replace(match: re.Match[str]) -> str:
            kind = match.lastgroup
            if kind == "page":
                return self.page_href(match["page"], lang)
            if kind == "name":
                return fixed.get(match["name"], match[0])
            if kind == "theme":
                return theme_root
            if kind == "design":
                return self.design
            return f"{match['quote']}{prefix}{THEMES_DIR}/"

        return _TOKENS.sub(replace, text)
