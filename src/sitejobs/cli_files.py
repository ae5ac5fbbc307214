"""`sitejobs impex …` (the Impex area's files, as the WebDAV surface shows them) and `sitejobs demo …` (the
demo content written out as zips, for the README's examples)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Column, Table

from sitejobs import demo
from sitejobs.cli_common import Database, DataDir, FilesDir, console, fail, settings_for
from sitejobs.errors import SitejobsError
from sitejobs.settings import Settings
from sitejobs.sites.commerce.archive import instance_path

impex_app = typer.Typer(
    help="Files in the Impex area (Impex/src/instance), where imports read.", no_args_is_help=True
)
demo_app = typer.Typer(help="Write the demo content that ships with sitejobs.", no_args_is_help=True)


def instance_dir(settings: Settings) -> Path:
    return settings.impex_dir / "src" / "instance"


@impex_app.command("upload")
def impex_upload(
    path: Annotated[
        Path, typer.Argument(help="A site archive (zip) or any file to put in Impex/src/instance.")
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="Its name there (default: the file's name).")
    ] = None,
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Copy a file into Impex/src/instance, as `PUT …/webdav/Sites/Impex/src/instance/NAME` does."""
    if not path.is_file():
        fail(f"'{path}' is not a file")
    settings = settings_for(data_dir, database, files_dir)
    try:
        target = instance_path(settings.impex_dir, name or path.name)
    except SitejobsError as exc:
        fail(exc.message)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        shutil.copyfile(path, partial)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        fail(f"cannot write '{target}': {exc.strerror}")
    console.print(
        f"uploaded [cyan]{target.name}[/cyan] ({target.stat().st_size} bytes) to Impex/src/instance"
    )


@impex_app.command("list")
def impex_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """List the files in Impex/src/instance (archives to import, exports written there)."""
    folder = instance_dir(settings_for(data_dir, database, files_dir))
    files = (
        sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        if folder.is_dir()
        else []
    )
    rows = [
        {
            "name": p.name,
            "size": p.stat().st_size,
            "modified": datetime.fromtimestamp(p.stat().st_mtime, UTC).isoformat(timespec="seconds"),
        }
        for p in files
    ]
    if as_json:
        typer.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(Column("name", overflow="fold"), Column("bytes", justify="right"), "modified")
    for row in rows:
        table.add_row(str(row["name"]), str(row["size"]), str(row["modified"]))
    console.print(table)


@demo_app.command("archive")
def demo_archive(
    dest: Annotated[Path, typer.Argument(help="Where to write the zip.")] = Path(f"{demo.ARCHIVE_NAME}.zip"),
) -> None:
    """Write the demo storefront site archive (site DemoStore: catalog, price book, inventory, library)."""
    console.print(f"wrote {demo.write_archive(dest)}")


@demo_app.command("template")
def demo_template(
    dest: Annotated[Path, typer.Argument(help="Where to write the zip.")] = Path(f"{demo.TEMPLATE_NAME}.zip"),
) -> None:
    """Write the demo site template (theme, custom components, pages) as a zip for `templates add`."""
    console.print(f"wrote {demo.write_template_zip(dest)}")


def seed_demo_archive(settings: Settings) -> str:
    """`sitejobs dev`: put the demo archive in Impex/src/instance unless a file of that name is there."""
    target = instance_dir(settings) / f"{demo.ARCHIVE_NAME}.zip"
    if not target.exists():
        demo.write_archive(target)
    return target.name


def register(app: typer.Typer) -> None:
    app.add_typer(impex_app, name="impex")
    app.add_typer(demo_app, name="demo")
