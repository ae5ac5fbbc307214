"""The Commerce Cloud site store and the import of site archives (impex XML in a zip) into it."""

from sitejobs.sites.commerce.archive import ArchiveLimits
from sitejobs.sites.commerce.errors import SiteImportError
from sitejobs.sites.commerce.importer import Reporter, import_site_archive
from sitejobs.sites.commerce.plan import Mode

__all__ = ["ArchiveLimits", "Mode", "Reporter", "SiteImportError", "import_site_archive"]
