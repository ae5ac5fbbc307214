"""The content files a site's documents use, for a publish of only the used content (`onlyUsedContent`,
`cec control-site publish -u`): a file is used when a page, the siteinfo or a content item names it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson

from sitejobs.sites.content.model import SiteContent


def used_files(content: SiteContent, content_dir: Path) -> list[Path]:
    """The files below `content_dir` (relative paths) that the site's documents name."""
    if not content_dir.is_dir():
        return []
    documents = [content.siteinfo, *content.pages.values(), *content.content_items.values()]
    for variant in content.translations.values():
        documents.extend(variant.pages.values())
    text = b"\n".join(orjson.dumps(doc) for doc in documents).decode("utf-8")
    files = sorted(p.relative_to(content_dir) for p in content_dir.rglob("*") if p.is_file())
    return [path for path in files if path.as_posix() in text or path.name in text]


def stage_used_files(content_dir: Path, files: list[Path], staging: Path) -> None:
    """Put the named files (hard links when the file system allows, else copies) under `staging`."""
    for relative in files:
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(content_dir / relative, target)
        except OSError:
            shutil.copy2(content_dir / relative, target)
