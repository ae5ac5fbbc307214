"""Content (OCE) sites: the site model, templates, rendering and translation."""

from sitejobs.sites.content.fingerprint import changed_pages, page_fingerprints
from sitejobs.sites.content.model import LanguageVariant, SiteContent, SiteFiles
from sitejobs.sites.content.render import PublishResult, SiteRenderer
from sitejobs.sites.content.template import TemplateInfo, load_template
from sitejobs.sites.content.unzip import ZipLimits

__all__ = [
    "LanguageVariant",
    "PublishResult",
    "SiteContent",
    "SiteFiles",
    "SiteRenderer",
    "TemplateInfo",
    "ZipLimits",
    "changed_pages",
    "load_template",
    "page_fingerprints",
]
