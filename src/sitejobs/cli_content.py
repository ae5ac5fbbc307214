"""`sitejobs users …` and `sitejobs templates …`: the Content Management side's users and site templates."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from sitejobs.auth.users import UserStore
from sitejobs.cli_common import Database, DataDir, FilesDir, console, fail, fold_table, opened, settings_for
from sitejobs.errors import SitejobsError
from sitejobs.settings import Settings
from sitejobs.sites.content.conflicts import Change
from sitejobs.sites.content.install import install_template
from sitejobs.sites.content.store import ROLES, ContentStore

users_app = typer.Typer(help="Manage Content Management users.", no_args_is_help=True)
templates_app = typer.Typer(help="Manage site templates.", no_args_is_help=True)
sites_app = typer.Typer(help="Content sites: list them, share them.", no_args_is_help=True)
MIN_PASSWORD = 6


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's login name.")],
    password: Annotated[str, typer.Option("--password", help="The password (stored hashed).")],
    admin: Annotated[bool, typer.Option("--admin", help="May see and manage every site and job.")] = False,
    display_name: Annotated[str | None, typer.Option("--display-name")] = None,
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Add a user, or give an existing one a new password and role."""
    if len(password) < MIN_PASSWORD:
        fail(f"a password must have at least {MIN_PASSWORD} characters")
    with opened(settings_for(data_dir, database, files_dir)) as engine:
        user = UserStore(engine.db).add(name, password, admin=admin, display_name=display_name)
    console.print(f"user [cyan]{user.name}[/cyan] saved{' (administrator)' if admin else ''}")


AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _print_json(rows: list[dict[str, Any]]) -> None:
    sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")


@users_app.command("list")
def users_list(
    as_json: AsJson = False, data_dir: DataDir = None, files_dir: FilesDir = None, database: Database = None
) -> None:
    """List the users."""
    with opened(settings_for(data_dir, database, files_dir), existing=True) as engine:
        users = UserStore(engine.db).list()
    if as_json:
        _print_json(
            [{"name": u.name, "display_name": u.display_name, "admin": u.is_admin, "id": u.id} for u in users]
        )
        return
    table = fold_table("name", "display name", "administrator", "id")
    for user in users:
        table.add_row(user.name, user.display_name, "yes" if user.is_admin else "no", user.id)
    console.print(table)


@templates_app.command("add")
def templates_add(
    path: Annotated[Path, typer.Argument(help="A template zip as `cec` exports it, or its unzipped folder.")],
    name: Annotated[str | None, typer.Option("--name", help="Default: the zip's or folder's name.")] = None,
    owner: Annotated[str, typer.Option("--owner", help="The user who owns the template.")] = "admin",
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace a theme or component of the same name that other templates or sites use.",
        ),
    ] = False,
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Install a site template (with its theme and components) so sites can be created from it.

    A theme or component of the same name with other files, which another template or a site uses, is refused
    (naming who uses it) unless --replace is given."""
    settings = settings_for(data_dir, database, files_dir)
    changed: list[Change] = []
    with opened(settings) as engine:
        store = ContentStore(engine.db, settings.content_dir)
        try:
            row = install_template(store, path, name=name, owner=owner, replace=replace, changed=changed)
        except SitejobsError as exc:
            fail(exc.message)
    for change in changed:
        console.print(f"replaced {change.describe()}", soft_wrap=True)
    console.print(
        f"template [cyan]{row['name']}[/cyan] installed (id {row['id']}, theme {row['theme_name']})"
    )


@templates_app.command("list")
def templates_list(
    as_json: AsJson = False, data_dir: DataDir = None, files_dir: FilesDir = None, database: Database = None
) -> None:
    """List the installed site templates."""
    settings = settings_for(data_dir, database, files_dir)
    with opened(settings, existing=True) as engine:
        rows = ContentStore(engine.db, settings.content_dir).resources("templates")
    if as_json:
        _print_json(
            [
                {"name": r["name"], "theme": r["theme_name"], "description": r["description"], "id": r["id"]}
                for r in rows
            ]
        )
        return
    table = fold_table("name", "theme", "description", "id")
    for row in rows:
        table.add_row(row["name"], row["theme_name"], row["description"], row["id"])
    console.print(table)


@sites_app.command("list")
def sites_list(
    as_json: AsJson = False, data_dir: DataDir = None, files_dir: FilesDir = None, database: Database = None
) -> None:
    """List the content sites."""
    settings = settings_for(data_dir, database, files_dir)
    with opened(settings, existing=True) as engine:
        sites = ContentStore(engine.db, settings.content_dir).sites()
    if as_json:
        _print_json(
            [
                {
                    "name": s.name,
                    "owner": s.owner,
                    "theme": s.theme_name,
                    "published": bool(s.published_at),
                    "status": s.runtime_status,
                    "id": s.id,
                }
                for s in sites
            ]
        )
        return
    table = fold_table("name", "owner", "theme", "published", "status", "id")
    for site in sites:
        table.add_row(
            site.name,
            site.owner,
            site.theme_name,
            "yes" if site.published_at else "no",
            site.runtime_status,
            site.id,
        )
    console.print(table)


@sites_app.command("share")
def sites_share(
    site: Annotated[str, typer.Argument(help="The site's name.")],
    user: Annotated[str, typer.Argument(help="The user to share it with.")],
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}.")] = "viewer",
    data_dir: DataDir = None,
    files_dir: FilesDir = None,
    database: Database = None,
) -> None:
    """Share a site (and its jobs) with a user, in a role."""
    if role not in ROLES:
        fail(f"role must be one of {', '.join(ROLES)}, not '{role}'")
    settings = settings_for(data_dir, database, files_dir)
    with opened(settings) as engine:
        store = ContentStore(engine.db, settings.content_dir)
        found = store.site(f"name:{site}")
        if found is None:
            fail(f"no site named '{site}'")
        elif UserStore(engine.db).get(user) is None:
            fail(f"no user named '{user}'")
        else:
            store.share(found.id, user, role)
    console.print(f"site [cyan]{site}[/cyan] shared with [cyan]{user}[/cyan] as {role}")


def seed_content(settings: Settings, user: tuple[str, str], templates: list[Path]) -> list[str]:
    """`sitejobs dev`: the development user (an administrator) and, once, each template folder found in the
    folders `templates`."""
    installed: list[str] = []
    with opened(settings) as engine:
        users = UserStore(engine.db)
        if users.authenticate(*user) is None:
            users.add(*user, admin=True)
        store = ContentStore(engine.db, settings.content_dir)
        folders = [f for parent in templates if parent.is_dir() for f in sorted(parent.iterdir())]
        for folder in folders:
            if folder.is_dir() and not folder.name.startswith(".") and folder.name not in installed:
                if store.resource("templates", f"name:{folder.name}") is None:
                    install_template(store, folder, owner=user[0])
                installed.append(folder.name)
    return installed


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(templates_app, name="templates")
    app.add_typer(sites_app, name="sites")
