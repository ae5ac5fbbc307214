"""The demo content shipped with sitejobs, written for it: a small storefront site archive (catalog, price
book, inventory list, content library, site preferences) and a starter site template (a theme, two custom
components, five pages). `sitejobs dev` installs both; `sitejobs demo archive|template` writes them as zips."""

from __future__ import annotations

import zipfile
from pathlib import Path

DEMO_DIR = Path(__file__).parent
ARCHIVE_DIR = DEMO_DIR / "archive"
TEMPLATES_DIR = DEMO_DIR / "templates"
ARCHIVE_NAME = "demo-store"  # the archive's top folder, and its zip's name without `.zip`
SITE_ID = "DemoStore"
TEMPLATE_NAME = "StoreTemplate"

__all__ = [
    "ARCHIVE_NAME",
    "SITE_ID",
    "TEMPLATES_DIR",
    "TEMPLATE_NAME",
    "write_archive",
    "write_template_zip",
]


def _zip_folder(folder: Path, top: str, dest: Path) -> Path:
    """Zip every file below `folder` under the top folder `top` (empty for none), in a stable order."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            archive.write(path, f"{top}/{name}" if top else name)
    partial.replace(dest)
    return dest


def write_archive(dest: Path) -> Path:
    """The demo site archive as a zip with one top folder, as a site import takes it."""
    return _zip_folder(ARCHIVE_DIR, ARCHIVE_NAME, dest)


def write_template_zip(dest: Path, name: str = TEMPLATE_NAME) -> Path:
    """The demo site template as `cec export-template` zips one: template/, theme/ and components/ on top."""
    return _zip_folder(TEMPLATES_DIR / name, "", dest)
