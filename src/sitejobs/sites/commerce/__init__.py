"""The Commerce Cloud site store, the import of site archives (impex XML in a zip) into it, and their export."""

from sitejobs.sites.commerce.archive import ArchiveLimits
from sitejobs.sites.commerce.dataunits import ExportDataUnitsConfiguration
from sitejobs.sites.commerce.errors import SiteArchiveError, SiteExportError, SiteImportError
from sitejobs.sites.commerce.exporter import export_site_archive
from sitejobs.sites.commerce.importer import Reporter, import_site_archive
from sitejobs.sites.commerce.plan import Mode

__all__ = [
    "ArchiveLimits",
    "ExportDataUnitsConfiguration",
    "Mode",
    "Reporter",
    "SiteArchiveError",
    "SiteExportError",
    "SiteImportError",
    "export_site_archive",
    "import_site_archive",
]
