"""A published site's settings files that `cec control-site publish -i seo` publishes on their own: the
sitemap (`sitemap.xml`, one URL per page that is not hidden from search) and `robots.txt` pointing to it."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from sitejobs.sites.content.assets import write_atomic

#: The settings files a publish can be limited to, as the toolkit names them; only these are published here.
SUPPORTED = ("seo",)


def write_seo_files(out_dir: Path, site_url: str, page_urls: list[str]) -> list[str]:
    """Write `sitemap.xml` and `robots.txt` for pages at `site_url` + url; returns the names written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = "".join(f"  <url><loc>{escape(site_url + url)}</loc></url>\n" for url in page_urls)
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    )
    write_atomic(out_dir / "sitemap.xml", sitemap.encode("utf-8"))
    robots = f"User-agent: *\nDisallow:\nSitemap: {site_url}sitemap.xml\n"
    write_atomic(out_dir / "robots.txt", robots.encode("utf-8"))
    return ["sitemap.xml", "robots.txt"]
