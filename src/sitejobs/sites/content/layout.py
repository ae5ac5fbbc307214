"""A theme layout turned into one compiled Jinja2 template, so that rendering a page is one `render` call.

Everything that is the same for every page using the layout is resolved once here: the site header and
footer, the design and theme names, the navigation menu (in an element with id `topnav`, the blog theme's
`<ul id="navbar-list">`), and every page link and theme URL, whose only per-page part is how many `../` lead
back to the publish folder. What varies per page becomes a template variable: `prefix`, `root`, `lang` (see
`tokens`), `title`, `slots[i]` (the contents of the layout's i-th `scs-slot` element, appended to what the
layout already has there, as OCE does), and the page's own tokens (`SCS_PAGE_HEADER`, …).

A theme's `<includeHTML urlPrefix="_scs_theme_root_" includeFile="/assets/html/footer.html">` (which the
theme's `includeHTML.js` swaps for the file in the browser) is replaced by the file here (`inline_includes`),
so that the slots in the included file are filled like the layout's own.

The links to OCE's renderer (`/_sitescloud/renderer/require.js`, `renderer.js`, `renderer.css`) lead to the
site's own copy of the runtime (`runtime`), and `SCS_RENDER_INFO` becomes the page's controller data
(`render_info`); a layout that does not load the renderer gets both before its `</body>`. Other links to
OCE's own files (`/_sitescloud/…`) are dropped: nothing serves them here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import jinja2

from sitejobs.sites.content.runtime import RENDERER_DIR
from sitejobs.sites.content.tokens import Links

# Page-level markers and the template variable each one becomes (text ones are escaped by the renderer).
PAGE_TOKENS = {
    "SCS_PAGE_HEADER": "page_header",
    "SCS_PAGE_FOOTER": "page_footer",
    "SCS_PAGE_TITLE": "page_title",
    "SCS_PAGE_DESCRIPTION": "page_description",
    "SCS_PAGE_KEYWORDS": "page_keywords",
    "SCS_PAGE_NAME": "page_name",
    "SCS_PAGE_URL": "page_url",
}
NAV_TARGETS = frozenset({"topnav", "navbar-list"})  # ids the stock OCE themes' scripts fill with the menu
LIST_TAGS = frozenset({"ul", "ol"})

_ENV = jinja2.Environment(
    autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined, cache_size=0
)
_SENTINEL = re.compile(r"\x00(\w+)\x00")  # a place for a variable while the layout is being rewritten
_MARKUP = re.compile(
    r"<!--.*?-->"
    r"|<(script|style|textarea)\b[^>]*>.*?</\1\s*>"
    r"|<(/?)([A-Za-z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.DOTALL | re.IGNORECASE,
)
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_RENDERER = re.compile(r"""(\b(?:src|href|data-main)\s*=\s*["'])/_sitescloud/renderer/""", re.IGNORECASE)
_LOADS_RENDERER = f"\x00p\x00{RENDERER_DIR}/require.js"
_RUNTIME_SCRIPT = f'<script data-main="\x00p\x00{RENDERER_DIR}/renderer.js" src="{_LOADS_RENDERER}"></script>'
_STYLES = f"\x00p\x00{RENDERER_DIR}/renderer.css"
_INCLUDE = re.compile(r"<includeHTML\b([^>]*)>\s*</includeHTML\s*>", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_SITESCLOUD = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']/_sitescloud/[^>]*>\s*</script\s*>"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']/_sitescloud/[^>]*>",
    re.IGNORECASE,
)
_SITE_TOKENS = re.compile(
    r"(?:<!--|\[!--)\$\s*(SCS_SITE_HEADER|SCS_SITE_FOOTER|SCS_SITE_DESCRIPTION|SCS_SITE_KEYWORDS)\s*(?:-->|--\])"
)
_RENDER_INFO = re.compile(r"(?:<!--|\[!--)\$\s*SCS_RENDER_INFO\s*(?:-->|--\])")
_REFERENCE = re.compile(
    r"""(?:\b(?:href|src)\s*=\s*["']|url\(\s*["']?)\x00(p|r)\x00([^"')\x00]*)""", re.IGNORECASE
)


@dataclass(frozen=True)
class CompiledLayout:
    name: str
    template: jinja2.Template
    slot_ids: tuple[str, ...]
    references: tuple[str, ...]  # files below the publish folder the layout links to, to check after publish


@dataclass(frozen=True)
class _Tag:
    start: int
    end: int
    closing: bool
    name: str
    attributes: str

    @property
    def self_closing(self) -> bool:
        return self.attributes.rstrip().endswith("/")


def compile_layout(
    name: str, source: str, links: Links, site_properties: Mapping[str, object], nav_menu: str, nav_items: str
) -> CompiledLayout:
    """Compile `source` (a layout file's text) for one language variant of one site."""
    text = _RENDERER.sub(lambda m: f"{m[1]}\x00p\x00{RENDERER_DIR}/", source.replace("\x00", ""))
    text = _SITESCLOUD.sub("", text)
    if not _RENDER_INFO.search(text):
        text = _before_body_end(text, "<!--$SCS_RENDER_INFO-->")
    if _LOADS_RENDERER not in text:
        text = _before_body_end(text, _RUNTIME_SCRIPT)
    if _STYLES not in text:
        text = _before(_HEAD_END, text, f'<link rel="stylesheet" href="{_STYLES}">')
    text, slot_ids = _fill_elements(text, nav_menu, nav_items)
    text = _SITE_TOKENS.sub(lambda m: _site_token(m[1], site_properties), text)
    extra = {token: f"\x00{variable}\x00" for token, variable in PAGE_TOKENS.items()}
    extra["SCS_RENDER_INFO"] = "\x00render_info\x00"
    text = links.expand(text, "\x00p\x00", "\x00r\x00", "\x00l\x00", extra)
    references = sorted({_reference(kind, path) for kind, path in _REFERENCE.findall(text)} - {""})
    template = _ENV.from_string(*_jinja_source(text))
    return CompiledLayout(name, template, tuple(slot_ids), tuple(references))


def inline_includes(source: str, theme_dir: Path) -> str:
    """`source` with each `<includeHTML includeFile="/path">` element replaced by that file of the theme (an
    include that names no file inside the theme is left for the browser)."""
    root = theme_dir.resolve()

    def include(match: re.Match[str]) -> str:
        path = _attributes(match[1]).get("includefile", "").lstrip("/")
        target = (theme_dir / path).resolve()
        if not path or not target.is_relative_to(root) or not target.is_file():
            return match[0]
        return target.read_text(encoding="utf-8", errors="replace")

    return _INCLUDE.sub(include, source)


def _before_body_end(text: str, insertion: str) -> str:
    return _before(_BODY_END, text, insertion)


def _before(end_tag: re.Pattern[str], text: str, insertion: str) -> str:
    """`insertion` just before the last `end_tag` (or at the end of `text`)."""
    ends = list(end_tag.finditer(text))
    at = ends[-1].start() if ends else len(text)
    return text[:at] + insertion + text[at:]


def _site_token(token: str, properties: Mapping[str, object]) -> str:
    value = properties.get(token.removeprefix("SCS_SITE_").lower())
    value = value.replace("\x00", "") if isinstance(value, str) else ""
    return value if token in ("SCS_SITE_HEADER", "SCS_SITE_FOOTER") else html.escape(value)


def _fill_elements(text: str, nav_menu: str, nav_items: str) -> tuple[str, list[str]]:
    """Place the slot, title and menu variables inside the elements that take them."""
    tags = [
        _Tag(m.start(), m.end(), m[2] == "/", m[3].lower(), m[4] or "")
        for m in _MARKUP.finditer(text)
        if m[3]
    ]
    edits: list[tuple[int, int, str]] = []
    slot_index: dict[str, int] = {}
    titled = False
    for i, tag in enumerate(tags):
        if tag.closing:
            continue
        if tag.name == "title" and not titled:
            titled = True
            end = _end_of(tags, i)
            edits.append((tag.end, tags[end].start if end is not None else tag.end, "\x00title\x00"))
            continue
        if "id" not in tag.attributes.lower():
            continue
        attributes = _attributes(tag.attributes)
        element_id = attributes.get("id", "")
        if "scs-slot" in attributes.get("class", "").split() and element_id:
            index = slot_index.setdefault(element_id, len(slot_index))
            insertion = f"\x00s{index}\x00"
        elif element_id in NAV_TARGETS:
            insertion = nav_items if tag.name in LIST_TAGS else nav_menu
        else:
            continue
        end = _end_of(tags, i)
        position = tags[end].start if end is not None else tag.end
        edits.append((position, position, insertion))
    if not titled:
        head_end = next((t.start for t in tags if t.closing and t.name == "head"), None)
        if head_end is not None:
            edits.append((head_end, head_end, "<title>\x00title\x00</title>"))
    for start, end, insertion in sorted(edits, reverse=True):
        text = text[:start] + insertion + text[end:]
    return text, list(slot_index)


def _end_of(tags: list[_Tag], index: int) -> int | None:
    """The index of the tag that closes `tags[index]`, counting nested elements of the same name."""
    opening = tags[index]
    if opening.self_closing:
        return None
    depth = 1
    for j in range(index + 1, len(tags)):
        tag = tags[j]
        if tag.name != opening.name:
            continue
        if tag.closing:
            depth -= 1
            if depth == 0:
                return j
        elif not tag.self_closing:
            depth += 1
    return None


def _attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(text):
        found.setdefault(match[1].lower(), match[2] or match[3] or match[4] or "")
    return found


def _reference(kind: str, path: str) -> str:
    """A layout link as a path below the publish folder ('' for one that is not a file there)."""
    path = path.split("#", 1)[0].split("?", 1)[0]
    if kind == "r":
        if not path.startswith("/"):
            return ""
        path = path[1:]
    return unquote(path) if path and not path.endswith("/") else ""


def _jinja_source(text: str) -> tuple[str, dict[str, object]]:
    """Jinja2 source for `text`; literal parts with braces are passed as values so Jinja never parses them."""
    literals: list[str] = []
    source: list[str] = []
    for i, part in enumerate(_SENTINEL.split(text)):
        if i % 2:
            if part.startswith("s") and part[1:].isdigit():
                source.append(f"{{{{ slots[{part[1:]}] }}}}")
            else:
                source.append(f"{{{{ {_VARIABLES[part]} }}}}")
        elif "{" in part or "}" in part:
            source.append(f"{{{{ literals[{len(literals)}] }}}}")
            literals.append(part)
        else:
            source.append(part)
    return "".join(source), {"literals": tuple(literals)}


_VARIABLES = {
    "p": "prefix",
    "r": "root",
    "l": "lang",
    "title": "title",
    "render_info": "render_info",
    **{v: v for v in PAGE_TOKENS.values()},
}
