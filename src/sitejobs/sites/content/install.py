"""Installing a site template: check it, then file its template, theme and components under the content
directory and record each, so sites can be created from it and its theme and components copied or published."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from sitejobs.errors import ResourceInUse
from sitejobs.sites.content import conflicts
from sitejobs.sites.content.conflicts import Change
from sitejobs.sites.content.folders import replace_folder
from sitejobs.sites.content.store import ContentStore
from sitejobs.sites.content.template import load_template


def install_template(
    store: ContentStore,
    path: Path,
    *,
    name: str | None = None,
    owner: str,
    replace: bool = False,
    changed: list[Change] | None = None,
) -> dict[str, Any]:
    """Install the template folder or zip at `path` (TemplateInvalid names what is wrong with it).

    A theme, component or template already installed under the same name with other files is changed only with
    `replace`; otherwise ResourceInUse names it and the templates and sites using it, and nothing is written.
    What was (or would be) changed is appended to `changed`."""
    scratch = store.inside(store.content_dir / ".scratch")
    scratch.mkdir(parents=True, exist_ok=True)
    extract_dir = Path(tempfile.mkdtemp(dir=scratch))
    try:
        _site, info = load_template(path, extract_dir, name=name)
        shipped = (
            sorted(p for p in info.components_dir.iterdir() if p.is_dir())
            if info.components_dir.is_dir()
            else []
        )
        found = conflicts.changes(store, info.name, info.root, (info.theme_name, info.theme_dir), shipped)
        if changed is not None:
            changed.extend(found)
        in_use = [c for c in found if c.users]
        if in_use and not replace:
            raise ResourceInUse(
                f"Template '{info.name}' would change {'; '.join(c.describe() for c in in_use)}. "
                "Nothing was installed: give the theme and components names of their own, or replace them "
                "for everyone with --replace."
            )
        replace_folder(info.root, store.folder("templates", info.name))
        replace_folder(info.theme_dir, store.folder("themes", info.theme_name))
        store.put_resource("themes", info.theme_name, owner, description=f"Theme of template {info.name}")
        for component in shipped:
            replace_folder(component, store.folder("components", component.name))
            store.put_resource("components", component.name, owner, description="")
        return store.put_resource(
            "templates", info.name, owner, description=info.description, theme_name=info.theme_name
        )
    finally:
        shutil.rmtree(extract_dir, ignore_errors=True)
