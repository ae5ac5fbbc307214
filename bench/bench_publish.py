"""How fast `SiteRenderer.publish` writes a generated 10,000-page site against Jinja2 alone on the same pages.

    python -m bench.bench_publish [--pages 10000] [--work var/bench-publish]

The site is generated in memory with the StarterTemplate's theme (from ../shared/fixtures): a root page, 9
sections, 90 subsections and leaf pages below them, each page document with a title, a paragraph with page
links, an image, a button, the NavMenu component and a footer group (social bar and title), like the
template's own pages. Both runs happen in this process, one after the other:

* baseline: what a developer would write with Jinja2 alone. The same layout (index.html, its slots and theme
  URLs turned into Jinja2 by hand) compiled once; per page one `render` with the page document, macros for
  the components, the navigation menu rendered once per page depth (it differs by nothing else);
  `Path.write_text` into the page's folder;
* publish: `SiteRenderer(site, files).publish(out_dir)` into an empty folder: layouts compiled, theme and
  components copied, every page rendered with its links resolved and written atomically (temp + rename).

Rates are pages per second; the baseline is run before and after publish and averaged so that a change in
the machine's load shows. The ratio is publish / baseline (target >= 0.5). CPU seconds are printed too: on
a shared machine they move less than wall time. Last, a floor: only `render` + `write_text` per page, the
template values (slots' HTML included) made beforehand and untimed, the least any publisher of these pages
can cost; publish / floor says what everything else (components, links, atomic writes) costs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from sitejobs.sites.content.model import SiteContent, SiteFiles
from sitejobs.sites.content.render import SiteRenderer
from sitejobs.sites.content.tokens import page_link

TEMPLATE = (
    Path(__file__).resolve().parent.parent.parent
    / "shared"
    / "fixtures"
    / "oce-site-template"
    / "StarterTemplate"
)
THEME = "StarterTheme"
SECTIONS, SUBSECTIONS = 9, 10


def generate(pages: int) -> SiteContent:
    """A site of `pages` pages: root, SECTIONS sections, SECTIONS*SUBSECTIONS subsections, leaves below them."""
    structure: list[dict[str, Any]] = []

    def add(page_id: int, name: str, parent: int | None, url: str) -> dict[str, Any]:
        entry = {
            "id": page_id, "name": name, "parentId": parent, "pageUrl": url, "hideInNavigation": False,
            "linkUrl": "", "linkTarget": "", "children": [], "overrideUrl": False, "isDetailPage": False,
        }  # fmt: skip
        structure.append(entry)
        if parent is not None:
            by_id[parent]["children"].append(page_id)
        by_id[page_id] = entry
        return entry

    by_id: dict[int, dict[str, Any]] = {}
    add(1, "Home", None, "index.html")
    subsections = []
    for s in range(SECTIONS):
        section = add(100 + s, f"Section {s}", 1, f"section-{s}.html")
        for t in range(SUBSECTIONS):
            subsections.append(
                add(1000 + s * 100 + t, f"Topic {s}.{t}", section["id"], f"section-{s}/topic-{t}.html")
            )
    leaves = pages - len(structure)
    for n in range(leaves):
        parent = subsections[n % len(subsections)]
        folder = parent["pageUrl"].removesuffix(".html")
        add(100_000 + n, f"Article {n} <{parent['name']}>", parent["id"], f"{folder}/article-{n}.html")
    ids = [entry["id"] for entry in structure]
    documents = {page_id: page_document(page_id, by_id) for page_id in ids}
    siteinfo = {"properties": {"themeName": THEME, "siteName": "Bench", "footer": "<p>Bench site</p>"}}
    return SiteContent(name="Bench", siteinfo=siteinfo, structure=structure, pages=documents)


def page_document(page_id: int, by_id: dict[int, dict[str, Any]]) -> dict[str, Any]:
    entry = by_id[page_id]
    near = [1, entry["parentId"] or 1, page_id]  # home, up, and this page
    paragraph = (
        f"<div><p>{entry['name']} is page {page_id} of the generated site.</p><ul>"
        + "".join(f'<li><a href="{page_link(other)}">{by_id[other]["name"]}</a></li>' for other in near)
        + "</ul><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt "
        "ut labore et dolore magna aliqua.</p></div>"
    )
    instances = {
        f"{page_id}-logo": {"type": "scs-title", "id": "scs-title", "data": {"userText": "<div>Bench</div>"}},
        f"{page_id}-nav": {"type": "scs-component", "id": "NavMenu", "data": {"componentName": "NavMenu"}},
        f"{page_id}-title": {"type": "scs-title", "id": "scs-title", "data": {"userText": f"<div>{entry['name']}</div>"}},
        f"{page_id}-text": {"type": "scs-paragraph", "id": "scs-paragraph", "data": {"userText": paragraph}},
        f"{page_id}-image": {
            "type": "scs-image", "id": "scs-image",
            "data": {"imageUrl": "_scs_theme_root_/assets/img/StarterBanner1900x370.png", "altText": entry["name"]},
        },
        f"{page_id}-button": {
            "type": "scs-button", "id": "scs-button",
            "data": {"text": "Home", "href": page_link(1), "linkType": "scs-link-sitepage"},
        },
        f"{page_id}-social": {
            "type": "scs-socialbar", "id": "scs-socialbar",
            "data": {"images": [{"link": "http://www.example.com", "class": "scs-facebook-icon", "title": "Facebook"}]},
        },
        f"{page_id}-copyright": {"type": "scs-title", "id": "scs-title", "data": {"userText": "<div>© 2024</div>"}},
        f"{page_id}-footer": {
            "type": "scs-componentgroup", "id": "StarterFooter",
            "data": {"components": [f"{page_id}-social", f"{page_id}-copyright"],
                     "grid": _grid([f"{page_id}-social", f"{page_id}-copyright"])},
        },
    }  # fmt: skip
    slots = {
        "logocontainer": [f"{page_id}-logo"],
        "navMenu": [f"{page_id}-nav"],
        "slot-content": [f"{page_id}-title", f"{page_id}-text", f"{page_id}-image", f"{page_id}-button"],
        "footer": [f"{page_id}-footer"],
    }
    return {
        "properties": {"title": None, "pageLayout": "index.html", "header": "", "footer": ""},
        "slots": {name: {"components": ids_, "grid": _grid(ids_)} for name, ids_ in slots.items()},
        "componentInstances": instances,
    }


def _grid(instance_ids: list[str]) -> str:
    cells = "".join(f'<div id="{i}"></div>' for i in instance_ids)
    return f'<div class="scs-row"><div class="scs-col" style="width: 100%;">{cells}</div></div>'


# ---- the baseline: Jinja2 alone ------------------------------------------------------------------------------

MACROS = """\
{%- macro component(id) -%}{%- set c = instances[id] -%}
{%- if c.type in ("scs-title", "scs-paragraph") -%}
<div class="{{ c.type }} scs-component"><div class="scs-component-content"><div class="{{ c.type }}-text">{{ c.data.userText|safe }}</div></div></div>
{%- elif c.type == "scs-image" -%}
<div class="scs-image scs-component"><div class="scs-component-content"><div class="scs-image-container"><img class="scs-image-image" src="{{ theme }}/assets/img/StarterBanner1900x370.png" alt="{{ c.data.altText }}" title=""></div></div></div>
{%- elif c.type == "scs-button" -%}
<div class="scs-button scs-component"><div class="scs-component-content"><a class="scs-button-button" href="{{ prefix }}index.html"><span class="scs-button-text">{{ c.data.text }}</span></a></div></div>
{%- elif c.type == "scs-socialbar" -%}
<div class="scs-socialbar scs-component"><div class="scs-component-content">{% for i in c.data.images %}<a class="scs-socialbar-link" href="{{ i.link }}" title="{{ i.title }}"><span class="scs-socialbar-icon {{ i.class }}"></span></a>{% endfor %}</div></div>
{%- elif c.type == "scs-componentgroup" -%}
<div class="scs-componentgroup scs-component"><div class="scs-component-content">{{ grid(c.data.components) }}</div></div>
{%- elif c.id == "NavMenu" -%}
{{ nav_html }}
{%- else -%}
<div class="scs-component-placeholder" data-scs-id="{{ id }}"></div>
{%- endif -%}
{%- endmacro -%}
{%- macro grid(ids) -%}
<div class="scs-row"><div class="scs-col" style="width: 100%;">{% for i in ids %}<div id="{{ i }}">{{ component(i) }}</div>{% endfor %}</div></div>
{%- endmacro -%}
"""


def baseline_template(layout: str) -> jinja2.Template:
    """index.html with its slots, theme URLs and markers written as Jinja2 by hand."""
    source = layout.replace("_scs_theme_root_", "{{ theme }}").replace("_scs_design_name_", "default")
    source = source.replace("[!--$SCS_SITE_PATH--]", "{{ prefix }}.").replace(
        "<title>Sites Starter Template</title>", "<title>{{ title }}</title>"
    )
    for slot in ("logocontainer", "navMenu", "footer"):
        source = source.replace(
            f'id="{slot}"></div>', f'id="{slot}">{{{{ grid(page.slots["{slot}"].components) }}}}</div>'
        )
    source = source.replace(
        'id="slot-content">\n', 'id="slot-content">\n{{ grid(page.slots["slot-content"].components) }}'
    )
    source = source.replace("<!--$SCS_SITE_FOOTER-->", "{{ site_footer|safe }}")
    return ENV.from_string(MACROS + source)


ENV = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
NAV = ENV.from_string(
    '<nav class="scs-nav"><ul class="scs-nav-list">{% for item in nav recursive %}<li class="scs-nav-item nav-item">'
    '<a class="nav-link" href="{{ prefix }}{{ item.url }}">{{ item.name }}</a>'
    "{% if item.children %}<ul>{{ loop(item.children) }}</ul>{% endif %}</li>{% endfor %}</ul></nav>"
)


def baseline(site: SiteContent, out: Path) -> tuple[float, float]:
    """Seconds and CPU seconds to render and write every page with Jinja2 alone."""
    shutil.rmtree(out, ignore_errors=True)
    started, cpu = time.perf_counter(), time.process_time()
    template = baseline_template((TEMPLATE / "theme" / "layouts" / "index.html").read_text())
    by_id = {entry["id"]: entry for entry in site.structure}

    def tree(page_id: int, depth: int) -> dict[str, Any]:
        entry = by_id[page_id]
        kids = [tree(child, depth + 1) for child in entry["children"]] if depth < 2 else []
        return {"name": entry["name"], "url": entry["pageUrl"], "children": kids}

    root = tree(1, 2)
    nav = [root, *(tree(child, 1) for child in by_id[1]["children"])]
    footer = site.siteinfo["properties"]["footer"]
    folders: set[Path] = set()
    menus: dict[str, Markup] = {}  # the menu differs only by the page's depth: rendered once per depth
    for entry in site.structure:
        page = site.pages[entry["id"]]
        prefix = "../" * entry["pageUrl"].count("/")
        if prefix not in menus:
            menus[prefix] = Markup(NAV.render(nav=nav, prefix=prefix))
        html = template.render(
            page=page, instances=page["componentInstances"], nav_html=menus[prefix], prefix=prefix,
            theme=f"{prefix}_themesdelivery/{THEME}", title=entry["name"], site_footer=footer,
        )  # fmt: skip
        path = out / entry["pageUrl"]
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        path.write_text(html, encoding="utf-8")
    return time.perf_counter() - started, time.process_time() - cpu


def floor(site: SiteContent, out: Path) -> tuple[float, float]:
    """Seconds and CPU seconds for only `render` + `write_text` per page, the values (slots' HTML included)
    made beforehand by SiteRenderer, untimed: the least any Jinja2 publisher of these pages can cost."""
    shutil.rmtree(out, ignore_errors=True)
    renderer = SiteRenderer(site, SiteFiles(TEMPLATE / "theme", TEMPLATE / "components"))
    prepared = [(entry["pageUrl"], *renderer.page_values(entry["id"])) for entry in site.structure]
    started, cpu = time.perf_counter(), time.process_time()
    folders: set[Path] = set()
    for url, layout, values in prepared:
        path = out / url
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        path.write_text(layout.template.render(values), encoding="utf-8")
    return time.perf_counter() - started, time.process_time() - cpu


def publish(site: SiteContent, out: Path) -> tuple[float, float, int]:
    shutil.rmtree(out, ignore_errors=True)
    files = SiteFiles(TEMPLATE / "theme", TEMPLATE / "components")
    started, cpu = time.perf_counter(), time.process_time()
    result = SiteRenderer(site, files).publish(out)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.failed:
        raise SystemExit(
            f"publish failed for {len(result.failed)} pages: {next(iter(result.failed.values()))}"
        )
    return elapsed, cpu, len(result.written)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path("var/bench-publish"))
    args = parser.parse_args()
    site = generate(args.pages)
    print(f"site: {len(site.structure):,} pages", flush=True)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)

    before, before_cpu = baseline(site, args.work / "baseline")
    print(f"baseline Jinja2 alone: {before:.2f} s ({before_cpu:.2f} s CPU)", flush=True)
    seconds, cpu, written = publish(site, args.work / "publish")
    print(f"publish: {seconds:.2f} s ({cpu:.2f} s CPU), {written:,} pages written", flush=True)
    after, after_cpu = baseline(site, args.work / "baseline")
    print(f"baseline again: {after:.2f} s ({after_cpu:.2f} s CPU)")
    least, least_cpu = floor(site, args.work / "floor")
    print(f"floor, render + write only: {least:.2f} s ({least_cpu:.2f} s CPU)")
    print(f"load average: {os.getloadavg()[0]:.1f}")

    pages = len(site.structure)
    bare_rate, rate = pages / ((before + after) / 2), pages / seconds
    print(
        f"wall: baseline {bare_rate:,.0f} pages/s, publish {rate:,.0f} pages/s; ratio publish/baseline {rate / bare_rate:.2f}"
    )
    bare_cpu = (before_cpu + after_cpu) / 2
    print(
        f"CPU:  baseline {pages / bare_cpu:,.0f} pages/s, publish {pages / cpu:,.0f} pages/s; ratio {bare_cpu / cpu:.2f}"
    )
    print(
        f"floor: {pages / least:,.0f} pages/s wall, {pages / least_cpu:,.0f} per CPU second; "
        f"ratio publish/floor {least / seconds:.2f} wall, {least_cpu / cpu:.2f} CPU"
    )


if __name__ == "__main__":
    main()
