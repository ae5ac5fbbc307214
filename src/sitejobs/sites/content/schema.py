"""The content (OCE) site store's tables, in the engine's MetaData so Alembic sees them. Names start with `oce_`.

Documents (siteinfo, a page's structure entry and page JSON, a language variant) are kept whole as JSON text:
jobs read and write them whole, and nothing queries inside them. Files (templates, themes, components,
published output, translation zips) live on disk under `FILES_DIR/content/`; rows hold their names.
Times are integer milliseconds since the epoch, as in the execution store.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from sitejobs.engine.schema import metadata

NAME = 256
GUID = 64


def _named_resource(table_name: str, *extra: Column[object]) -> Table:
    """Templates, themes and components: a named folder of files with an owner."""
    return Table(
        table_name,
        metadata,
        Column("id", String(GUID), primary_key=True),
        Column("name", String(NAME), nullable=False, unique=True),
        Column("owner", String(NAME), nullable=False),
        Column("description", Text, nullable=False, default=""),
        Column("created_at", BigInteger, nullable=False),
        Column("updated_at", BigInteger, nullable=False),
        Column("published_at", BigInteger, nullable=True),
        # Set while it is in the trash (`DELETE /templates/{id}`); it keeps its name until deleted for good.
        Column("deleted_at", BigInteger, nullable=True),
        *extra,
    )


templates = _named_resource("oce_templates", Column("theme_name", String(NAME), nullable=False))
themes = _named_resource("oce_themes")
components = _named_resource("oce_components")

sites = Table(
    "oce_sites",
    metadata,
    Column("id", String(GUID), primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("owner", String(NAME), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("template_name", String(NAME), nullable=True),
    Column("theme_name", String(NAME), nullable=False),
    Column("default_language", String(32), nullable=False),
    Column("localization_policy", String(GUID), nullable=True),
    Column("site_prefix", String(NAME), nullable=False),
    Column("repository_id", String(GUID), nullable=True),
    Column("siteinfo", Text, nullable=False),
    Column("runtime_status", String(16), nullable=False, default="offline"),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("published_at", BigInteger, nullable=True),
    # Page fingerprints of the last publish (JSON {page_id: hash}): an incremental publish renders the others.
    Column("published_fingerprints", Text, nullable=True),
    # Set while the site is in the trash (`DELETE /sites/{id}`); the site keeps its name until deleted for good.
    Column("deleted_at", BigInteger, nullable=True),
)

site_members = Table(
    "oce_site_members",
    metadata,
    Column("site_id", String(GUID), ForeignKey("oce_sites.id", ondelete="CASCADE"), primary_key=True),
    Column("user_name", String(NAME), primary_key=True),
    Column("role", String(32), nullable=False),
    Index("ix_oce_site_members_user_name", "user_name"),
)

pages = Table(
    "oce_pages",
    metadata,
    Column("site_id", String(GUID), ForeignKey("oce_sites.id", ondelete="CASCADE"), primary_key=True),
    Column("page_id", BigInteger, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("entry", Text, nullable=False),
    Column("document", Text, nullable=False),
)

site_languages = Table(
    "oce_site_languages",
    metadata,
    Column("site_id", String(GUID), ForeignKey("oce_sites.id", ondelete="CASCADE"), primary_key=True),
    Column("language", String(32), primary_key=True),
    Column("variant", Text, nullable=False),
)

content_items = Table(
    "oce_content_items",
    metadata,
    Column("site_id", String(GUID), ForeignKey("oce_sites.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", String(GUID), primary_key=True),
    Column("document", Text, nullable=False),
)

files = Table(
    "oce_files",
    metadata,
    Column("id", String(GUID), primary_key=True),
    Column("name", String(NAME), nullable=False),
    Column("owner", String(NAME), nullable=False),
    Column("folder_id", String(GUID), nullable=False),
    # The site a translation zip was made from (import translations finds its site by it).
    Column("site_id", String(GUID), nullable=True),
    Column("path", String(1024), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

# ---- enterprise sites: the Content Management API's repositories, channels, localization policies ----------------

repositories = Table(
    "oce_repositories",
    metadata,
    Column("id", String(GUID), primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("owner", String(NAME), nullable=False),
    Column("repository_type", String(32), nullable=False, default="Standard"),
    Column("default_language", String(32), nullable=False),
    # JSON lists: the channels ({id, name}) the repository publishes to, its other languages.
    Column("channels", Text, nullable=False, default="[]"),
    Column("language_options", Text, nullable=False, default="[]"),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

localization_policies = Table(
    "oce_localization_policies",
    metadata,
    Column("id", String(GUID), primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("owner", String(NAME), nullable=False),
    Column("default_value", String(32), nullable=False),
    # JSON lists of language codes.
    Column("required_values", Text, nullable=False),
    Column("optional_values", Text, nullable=False, default="[]"),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

channels = Table(
    "oce_channels",
    metadata,
    Column("id", String(GUID), primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("owner", String(NAME), nullable=False),
    Column("channel_type", String(16), nullable=False, default="public"),
    Column("publish_policy", String(32), nullable=False, default="anythingPublished"),
    Column("localization_policy_id", String(GUID), nullable=True),
    Column("token", String(GUID), nullable=False),
    # The enterprise site the channel was made for (its site channel), if any.
    Column("site_id", String(GUID), nullable=True, index=True),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

translation_jobs = Table(
    "oce_translation_jobs",
    metadata,
    Column("id", String(GUID), primary_key=True),
    Column("name", String(NAME), nullable=False, unique=True),
    Column("job_type", String(16), nullable=False),
    Column("owner", String(NAME), nullable=False),
    Column("site_id", String(GUID), nullable=True, index=True),
    Column("repository_id", String(GUID), nullable=True),
    # The translate execution that wrote the zip (its `_status` and IDC job id).
    Column("execution_id", BigInteger, nullable=False),
    Column("status", String(32), nullable=False),
    Column("file_id", String(GUID), nullable=False),
    # The translation job document as the translate `_status` shows it (JSON).
    Column("document", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# ---- per-site settings: IDC site metadata, runtime access, who last changed the site ----------------------------

site_settings = Table(
    "oce_site_settings",
    metadata,
    Column("site_id", String(GUID), ForeignKey("oce_sites.id", ondelete="CASCADE"), primary_key=True),
    # JSON objects / lists: SCS_SET_SITE_METADATA's values, `security.access`, `staticSiteDeliveryOptions`.
    Column("idc_metadata", Text, nullable=False, default="{}"),
    Column("access", Text, nullable=False, default='["everyone"]'),
    Column("static_delivery", Text, nullable=True),
    Column("expires_at", BigInteger, nullable=True),
    Column("embeddable", Boolean, nullable=False, default=False),
    Column("updated_by", String(NAME), nullable=True),
)

site_access = Table(
    "oce_site_access",
    metadata,
    Column("site_id", String(GUID), ForeignKey("oce_sites.id", ondelete="CASCADE"), primary_key=True),
    # `user:NAME` or `group:NAME`, as the Sites Management API names members of a secure site.
    Column("member", String(NAME + 8), primary_key=True),
)

# A site's documents seen as files of the Documents API (`siteinfo.json`, `structure.json`, `pages/{id}.json`):
# the version each has reached, and who wrote it last. A document never written through that API is version 1.
site_file_versions = Table(
    "oce_site_file_versions",
    metadata,
    Column("site_id", String(GUID), ForeignKey("oce_sites.id", ondelete="CASCADE"), primary_key=True),
    Column("path", String(NAME), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(NAME), nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# Who a template, theme or component is shared with (the Documents API's shares of its folder), and in what role.
resource_members = Table(
    "oce_resource_members",
    metadata,
    Column("resource_id", String(GUID), primary_key=True),
    Column("user_name", String(NAME), primary_key=True),
    Column("role", String(32), nullable=False),
    Index("ix_oce_resource_members_user_name", "user_name"),
)

# The earlier versions of a site's documents written through the Documents API: each write keeps the version it
# replaces here (the latest version is the site's rows themselves), so `files/{id}/data?version=N` can read it.
site_file_revisions = Table(
    "oce_site_file_revisions",
    metadata,
    Column("site_id", String(GUID), ForeignKey("oce_sites.id", ondelete="CASCADE"), primary_key=True),
    Column("path", String(NAME), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("updated_by", String(NAME), nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

# Groups of users (the social API's groups, as `cec create-group` makes them): a secure site may admit a group
# (`group:NAME` in its access list), which admits the group's members.
groups = Table(
    "oce_groups",
    metadata,
    Column("id", String(GUID), primary_key=True),
    Column("name", String(NAME), nullable=False),
    # the name in lower case: names are unique without regard to case
    Column("name_key", String(NAME), nullable=False, unique=True),
    Column("group_type", String(32), nullable=False),
    Column("owner", String(NAME), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

group_members = Table(
    "oce_group_members",
    metadata,
    Column("group_id", String(GUID), ForeignKey("oce_groups.id", ondelete="CASCADE"), primary_key=True),
    # a user's login name, or another group's name when `is_group`
    Column("member", String(NAME), primary_key=True),
    Column("is_group", Boolean, primary_key=True),
    Column("role", String(32), nullable=False),
    Index("ix_oce_group_members_member", "member"),
)
