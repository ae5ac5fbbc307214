"""`sitejobs users` and `sitejobs templates`, and OCE jobs in `sitejobs list` / `status`."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import httpx

from sitejobs.auth.users import UserStore
from sitejobs.engine.service import JobEngine
from sitejobs.jobs.builtin import default_registry
from sitejobs.settings import Settings
from sitejobs.sites.content.model import SiteContent
from sitejobs.sites.content.store import ContentStore
from tests.api.oce.sites_client import TEMPLATES
from tests.conftest import ServerProcess, free_port
from tests.conftest import sitejobs_cli as sitejobs
from tests.test_cli import _words, assert_clear_failure


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, path.relative_to(folder).as_posix())
    return target


def test_users_add_and_list(settings: Settings) -> None:
    added = sitejobs(settings, "users", "add", "carol", "--password", "carol-pw", "--admin")
    assert added.returncode == 0, added.stderr
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    try:
        user = UserStore(engine.db).authenticate("carol", "carol-pw")
        assert user is not None
        assert user.is_admin
    finally:
        engine.close()
    assert "carol" in sitejobs(settings, "users", "list").stdout
    assert_clear_failure(sitejobs(settings, "users", "add", "dave", "--password", "x"), "at least 6")


def test_templates_add_from_a_zip_or_a_folder_and_list(settings: Settings, tmp_path: Path) -> None:
    zipped = _zip(TEMPLATES / "BlogTemplate", tmp_path / "MyBlog.zip")
    result = sitejobs(settings, "templates", "add", str(zipped))
    assert result.returncode == 0, result.stderr
    result = sitejobs(settings, "templates", "add", str(TEMPLATES / "StarterTemplate"), "--name", "Starter2")
    assert result.returncode == 0, result.stderr
    listed = _words(sitejobs(settings, "templates", "list").stdout)
    assert "MyBlog" in listed
    assert "Starter2" in listed
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    try:
        store = ContentStore(engine.db, settings.content_dir)
        template = store.resource("templates", "name:MyBlog")
        assert template is not None
        assert (store.folder("templates", "MyBlog") / "template" / "structure.json").is_file()
        assert store.resource("themes", f"name:{template['theme_name']}") is not None
        assert store.resource("components", "name:Starter-Blog-Post-Header") is not None
    finally:
        engine.close()


def test_a_bad_template_is_refused_naming_what_is_missing(settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "Broken"
    shutil.copytree(TEMPLATES / "StarterTemplate", broken)
    (broken / "template" / "structure.json").unlink()
    assert_clear_failure(sitejobs(settings, "templates", "add", str(broken)), "structure.json")
    assert_clear_failure(sitejobs(settings, "templates", "add", str(tmp_path / "nowhere")), "does not exist")
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello")
    assert_clear_failure(sitejobs(settings, "templates", "add", str(not_zip)))
    assert "Broken" not in sitejobs(settings, "templates", "list").stdout


def test_oce_jobs_show_in_list_and_status(settings: Settings) -> None:
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    try:
        execution = engine.submit("oce-refresh-site", request={"target_site": "F123"}, client_id="alice")
    finally:
        engine.close()
    listed = sitejobs(settings, "list")
    assert listed.returncode == 0, listed.stderr
    assert "oce-refresh-site" in listed.stdout
    status = sitejobs(settings, "status", str(execution.id))
    assert status.returncode == 0, status.stderr
    assert "oce-refresh-site" in status.stdout


def test_dev_seeds_a_user_the_demo_and_fixture_templates_and_the_demo_archive(settings: Settings) -> None:
    settings.ensure_dirs()
    port = free_port()
    server = ServerProcess(settings, "dev", "--port", str(port), "--templates", str(TEMPLATES), port=port)
    server.start()
    try:
        log = server.log_text()
        assert "dev-user" in log
        assert "dev-password" in log
        listed = httpx.get(
            f"{server.url}/sites/management/api/v1/templates?links=none", auth=("dev-user", "dev-password")
        )
        assert listed.status_code == 200, listed.text
        assert sorted(t["name"] for t in listed.json()["items"]) == [
            "BlogTemplate",
            "StarterTemplate",
            "StoreTemplate",
        ]
        assert (settings.impex_dir / "src" / "instance" / "demo-store.zip").is_file()
        assert "demo-store.zip" in log
    finally:
        server.terminate()
    # A second start finds everything in place and installs nothing twice.
    server.start()
    try:
        listed = httpx.get(
            f"{server.url}/sites/management/api/v1/templates?links=none", auth=("dev-user", "dev-password")
        )
        assert listed.json()["count"] == 3
    finally:
        server.terminate()


def test_sites_share_makes_a_site_and_its_jobs_visible(settings: Settings) -> None:
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    try:
        UserStore(engine.db).add("alice", "alice-pw")
        UserStore(engine.db).add("bob", "bob-pw1")
        store = ContentStore(engine.db, settings.content_dir)
        site = store.create_site(
            {"name": "Shop", "owner": "alice", "theme_name": "T", "site_prefix": "shop"},
            SiteContent(name="Shop", siteinfo={"properties": {}}, structure=[], pages={}),
        )
    finally:
        engine.close()
    assert "Shop" in sitejobs(settings, "sites", "list").stdout
    shared = sitejobs(settings, "sites", "share", "Shop", "bob", "--role", "contributor")
    assert shared.returncode == 0, shared.stderr
    engine = JobEngine.open(settings, default_registry(settings.jobs_module))
    try:
        bob = UserStore(engine.db).get("bob")
        assert bob is not None
        assert ContentStore(engine.db, settings.content_dir).role_of(site, bob) == "contributor"
    finally:
        engine.close()
    assert_clear_failure(sitejobs(settings, "sites", "share", "Shop", "bob", "--role", "owner"), "role")
    assert_clear_failure(sitejobs(settings, "sites", "share", "Nope", "bob"), "no site")
    assert_clear_failure(sitejobs(settings, "sites", "share", "Shop", "carol"), "no user")


def test_templates_add_refuses_to_change_a_theme_another_template_uses_unless_replace(
    settings: Settings, tmp_path: Path
) -> None:
    assert sitejobs(settings, "templates", "add", str(TEMPLATES / "BlogTemplate")).returncode == 0
    hostile = tmp_path / "Hostile"
    shutil.copytree(TEMPLATES / "BlogTemplate", hostile)
    (hostile / "theme" / "designs" / "default" / "design.css").write_text("body { display: none }")
    refused = sitejobs(settings, "templates", "add", str(hostile))
    assert_clear_failure(refused, "theme 'BlogTemplateTheme'", "template 'BlogTemplate'", "--replace")
    assert "Hostile" not in sitejobs(settings, "templates", "list").stdout
    replaced = sitejobs(settings, "templates", "add", str(hostile), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert "replaced theme 'BlogTemplateTheme'" in _words(replaced.stdout)


def test_a_template_nested_200000_levels_deep_is_one_clear_error(settings: Settings, tmp_path: Path) -> None:
    deep = tmp_path / "Deep"
    shutil.copytree(TEMPLATES / "StarterTemplate", deep)
    depth = 200_000
    (deep / "template" / "structure.json").write_text('{"pages": ' + "[" * depth + "]" * depth + "}")
    result = sitejobs(settings, "templates", "add", str(deep))
    assert_clear_failure(result, "structure.json", "nests deeper")
    assert len(result.stderr.strip().splitlines()) == 1


def test_lists_print_json_and_keep_whole_ids_on_a_narrow_terminal(settings: Settings, tmp_path: Path) -> None:
    zipped = tmp_path / "Narrow.zip"
    assert sitejobs(settings, "demo", "template", str(zipped)).returncode == 0
    assert sitejobs(settings, "templates", "add", str(zipped)).returncode == 0
    listed = json.loads(sitejobs(settings, "templates", "list", "--json").stdout)
    [template] = listed
    assert template["name"] == "Narrow"
    table = sitejobs(settings, "templates", "list", env={"COLUMNS": "60"}).stdout
    assert template["id"] in table  # whole, on one line
    assert "…" not in table
    assert json.loads(sitejobs(settings, "sites", "list", "--json").stdout) == []
