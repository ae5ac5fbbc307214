"""Site translation: the zip for translators, the judgement of what they return, and the merge.

`export_translation_zip` writes the zip of a translate job; `validate_translation_zip` reads what
translators return and computes every list of the importTranslations `_status`; `merge_translations` puts
the valid translations into the site's language variants. The layout is in `layout`, what is translatable
in `strings`, the safe reading in `archive`, the `_status` data in `report`.
"""

from sitejobs.sites.content.translation.archive import ZipLimits
from sitejobs.sites.content.translation.export import export_translation_zip
from sitejobs.sites.content.translation.layout import EXPORT_TYPES
from sitejobs.sites.content.translation.merge import merge_translations
from sitejobs.sites.content.translation.report import (
    AssetValidation,
    SiteValidation,
    TranslationExport,
    TranslationValidation,
)
from sitejobs.sites.content.translation.validate import validate_translation_zip

__all__ = [
    "EXPORT_TYPES",
    "AssetValidation",
    "SiteValidation",
    "TranslationExport",
    "TranslationValidation",
    "ZipLimits",
    "export_translation_zip",
    "merge_translations",
    "validate_translation_zip",
]
