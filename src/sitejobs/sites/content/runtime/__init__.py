"""The site runtime a published page runs in the browser, as on Content Management.

An OCE layout loads `/_sitescloud/renderer/require.js` with `renderer.js` as its main module and carries the
page's controller data where it says `<!--$SCS_RENDER_INFO-->`. Publish copies the runtime into the site's
own folder (`_sitesclouddelivery/renderer/`, linked relatively like everything else) and writes the
controller data (`window.SCS`: the structure, the current page, the instances of the page's custom
components) into every page. `renderer.js` and `renderer.css` are this project's; the libraries the
components ask for by name (RequireJS and its text plugin, Knockout, Mustache, Marked, jQuery) are Debian's packages
(`LIBRARIES` says which), copied as they are.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson

from sitejobs.sites.content.assets import sync_tree, temporary_name
from sitejobs.sites.content.names import RUNTIME_DIR

RENDERER_DIR = f"{RUNTIME_DIR}/renderer"  # what `/_sitescloud/renderer/` in a layout becomes
OWN_FILES = Path(__file__).parent / "files"

#: File below RENDERER_DIR -> (the Debian package that has it, where it may be).
LIBRARIES: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "require.js": (
        "libjs-requirejs",
        ("/usr/share/javascript/requirejs/require.min.js", "/usr/share/javascript/requirejs/require.js"),
    ),
    "libs/text.js": ("libjs-requirejs-text", ("/usr/share/javascript/requirejs/text.js",)),
    "libs/knockout.js": (
        "node-knockout",
        ("/usr/share/nodejs/knockout/build/output/knockout-latest.js",),
    ),
    "libs/mustache.js": (
        "libjs-mustache",
        ("/usr/share/javascript/mustache/mustache.min.js", "/usr/share/javascript/mustache/mustache.js"),
    ),
    "libs/marked.js": (
        "libjs-marked",
        ("/usr/share/javascript/marked/marked.umd.min.js", "/usr/share/javascript/marked/marked.umd.js"),
    ),
    "libs/jquery.js": (
        "libjs-jquery",
        ("/usr/share/javascript/jquery/jquery.min.js", "/usr/share/javascript/jquery/jquery.js"),
    ),
}


def sync_runtime(out_dir: Path) -> tuple[int, int, list[str]]:
    """Copy the runtime below `out_dir`: (files copied, files unchanged, problems: libraries not found)."""
    target = out_dir / RENDERER_DIR
    copied, unchanged = sync_tree(OWN_FILES, target)
    problems = []
    for name, (package, candidates) in LIBRARIES.items():
        source = next((Path(c) for c in candidates if Path(c).is_file()), None)
        if source is None:
            problems.append(
                f"the browser runtime has no {name}: install Debian's package {package} "
                "(custom components that need it stay empty)"
            )
            continue
        if _copy_if_changed(source, target / name):
            copied += 1
        else:
            unchanged += 1
    return copied, unchanged, problems


def _copy_if_changed(source: Path, target: Path) -> bool:
    info = source.stat()
    try:
        published = target.stat()
        if published.st_size == info.st_size and published.st_mtime_ns == info.st_mtime_ns:
            return False
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(target)
    try:
        shutil.copy2(source, temporary)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return True


def script_json(value: Any) -> str:
    """`value` as JSON that is safe inside a `<script>` element (no `</script>`, no `<!--`)."""
    return orjson.dumps(value).decode().replace("<", "\\u003c")


def render_info(site_data: str, page_data: Mapping[str, Any], expand: Callable[[str], str]) -> str:
    """The controller data of one page: `window.SCS`, the site's part (`site_data`, already JSON) and the
    page's own, whose markers (`[!--$SCS_CONTENT_URL--]`, page links) `expand` resolves for the page."""
    return (
        '<script type="text/javascript">window.SCS=Object.assign(window.SCS||{},'
        f"{site_data},{expand(script_json(page_data))});</script>"
    )
