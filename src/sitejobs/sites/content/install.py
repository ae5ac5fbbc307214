"""Installing a site template: check it, then file its template, theme and components under the content
directory and record each, so sites can be created from it and its theme and components copied or published."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from sitejobs.sites.content.folders import replace_folder
from sitejobs.sites.content.store import ContentStore
from sitejobs.sites.content.template import load_template


def install_template(
    store: ContentStore, path: Path, *, name: str | None = None, owner: str
) -> dict[str, Any]:
    """Install the template folder or zip at `path` (TemplateInvalid names what is wrong with it)."""
    scratch = store.content_dir / ".scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    extract_dir = Path(tempfile.mkdtemp(dir=scratch))
    try:
        _site, info = load_template(path, extract_dir, name=name)
        replace_folder(info.root, store.folder("templates", info.name))
        replace_folder(info.theme_dir, store.folder("themes", info.theme_name))
        store.put_resource("themes", info.theme_name, owner, description=f"Theme of template {info.name}")
        if info.components_dir.is_dir():
            for component in sorted(p for p in info.components_dir.iterdir() if p.is_dir()):
                replace_folder(component, store.folder("components", component.name))
                store.put_resource("components", component.name, owner, description="")
        return store.put_resource(
            "templates", info.name, owner, description=info.description, theme_name=info.theme_name
        )
    finally:
        shutil.rmtree(extract_dir, ignore_errors=True)
