"""Why an import or an export failed. Each class's docstring is its default message; `code` is the job's
exit code."""

from __future__ import annotations


class SiteArchiveError(Exception):
    """The site archive could not be imported or exported."""

    code = "ERROR"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or (type(self).__doc__ or "").strip()
        super().__init__(self.message)


class InvalidFileName(SiteArchiveError):
    """The file name must be a plain name in Impex/src/instance."""

    code = "INVALID_FILE_NAME"


class OutsideArea(SiteArchiveError):
    """The file is reached through a symbolic link that leads out of the Impex folder."""

    code = "OUTSIDE_AREA"


class SiteImportError(SiteArchiveError):
    """The site archive could not be imported."""

    code = "IMPORT_FAILED"


class ArchiveNotFound(SiteImportError):
    """No such file in Impex/src/instance."""

    code = "FILE_NOT_FOUND"


class InvalidArchive(SiteImportError):
    """The file is not a site archive."""

    code = "INVALID_ARCHIVE"


class UnsafeArchive(SiteImportError):
    """The archive was refused as unsafe."""

    code = "UNSAFE_ARCHIVE"


class MalformedXml(SiteImportError):
    """A file of the archive is not well-formed XML."""

    code = "MALFORMED_XML"


class ForbiddenDoctype(SiteImportError):
    """A file of the archive declares a DOCTYPE or entities, which are refused."""

    code = "FORBIDDEN_DOCTYPE"


class InvalidData(SiteImportError):
    """An element of the archive lacks what identifies it."""

    code = "INVALID_DATA"


class ScratchFull(SiteImportError):
    """The scratch folder the import spools its changes to ran out of space: nothing was imported."""

    code = "DISK_FULL"


class SiteExportError(SiteArchiveError):
    """The site archive could not be exported."""

    code = "EXPORT_FAILED"


class ExportFileExists(SiteExportError):
    """The export file exists already and overwriting it was not asked for."""

    code = "EXPORT_FILE_EXISTS"


class DataUnitNotFound(SiteExportError):
    """A data unit of the export configuration names something the site store does not hold."""

    code = "DATA_UNIT_NOT_FOUND"


class ExportConflict(SiteExportError):
    """Two different things of the store would be written to the same file of the archive."""

    code = "EXPORT_CONFLICT"
