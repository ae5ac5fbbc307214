"""The SiteJobStatus document of an OCE job execution, as the seed's examples show it.

Field presence follows the seed: a running job carries `completedPercentage` and `intervalToPoll`; a finished
one `endTime` and, when it succeeded, `completedPercentage: 100`; a failed one its `error` and `completed:
false`; a refresh carries page counts instead of a percentage. The action-specific fields come from the job's
result document (jobs publish them while they run). Links and relations are added here; which of them a
response keeps is decided by the query parameters (`api/oce/shaping.py`).
"""

from __future__ import annotations

from typing import Any

from sitejobs.api.oce.errors import job_error
from sitejobs.engine.models import Execution
from sitejobs.engine.states import OCE, State
from sitejobs.errors import SitejobsError, restore_error
from sitejobs.jobs.oce import ACTIONS
from sitejobs.timefmt import iso_ms

SITES_PATH = "/sites/management/api/v1/sites"
STATUS_PATH = f"{SITES_PATH}/_status"
DESCRIBED_BY = "/sites/management/api/v1/metadata-catalog/sites/_status"
#: Result fields each action shows at the top level of its status (from the seed's examples).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "translate": ("translationFile", "translationJob"),
    "importTranslations": (
        "valid",
        "sourceLanguage",
        "targetLanguages",
        "importedAssetTranslations",
        "importedSiteTranslations",
        "assetValidation",
        "siteValidation",
        "validationOnly",
    ),
    "refresh": ("pageCount", "pendingCount", "processingCount", "completedCount", "failedCount"),
    # `cec upload-template` answers the imported template from its status (sitesRest.js `_importTemplate`).
    "createTemplate": ("template",),
    "importTemplate": ("template",),
    "copyTemplate": ("template",),
    "exportTemplate": ("file",),
}
#: Actions that report counts rather than a percentage, and no start time or polling hint (the seed's refresh).
COUNTING_ACTIONS = frozenset({"refresh"})


def job_error_of(execution: Execution) -> dict[str, Any]:
    """The `error` of a failed job: the document the job declared, or a server error for anything else
    (an unexpected exception, a lost worker)."""
    declared = (execution.result or {}).get("error")
    if isinstance(declared, dict):
        return job_error(restore_error(declared))
    return job_error(SitejobsError(execution.exit_message or "The site job failed."))


def link(rel: str, href: str, media_type: str = "application/json") -> dict[str, Any]:
    """A link as the seed writes them."""
    return {"rel": rel, "href": href, "templated": False, "mediaType": media_type, "method": "GET"}


def file_links(base_url: str, file_id: str) -> list[dict[str, Any]]:
    return [link("download", f"{base_url}/documents/api/1.2/files/{file_id}/data")]


def status_document(execution: Execution, base_url: str, poll_ms: int) -> dict[str, Any]:
    action = ACTIONS[execution.job_id]
    names = OCE[execution.state]
    counting = action in COUNTING_ACTIONS
    result = execution.result or {}
    doc: dict[str, Any] = {"context": str(execution.id), "action": action}
    if execution.start_time is not None:
        doc["startTime"] = iso_ms(execution.start_time)
    if execution.end_time is not None:
        doc["endTime"] = iso_ms(execution.end_time)
    doc["progress"] = names.progress
    doc["completed"] = names.completed
    if not counting and execution.start_time is not None and execution.state is not State.FAILED:
        if execution.state is State.SUCCEEDED:
            doc["completedPercentage"] = 100
        elif execution.state is not State.ABORTED:
            doc["completedPercentage"] = execution.percent or 0
    if not execution.is_terminal:
        if not counting:
            doc["intervalToPoll"] = poll_ms
        if execution.message:
            doc["message"] = execution.message
    if execution.state is State.FAILED:
        doc["error"] = job_error_of(execution)
        # The toolkit prints "failed: " + message + " " + error.detail (sitesRest.js `_copyResourceAsync`):
        # the message says what went wrong in short, the detail the rest.
        doc["message"] = str(doc["error"].get("title") or "The site job failed.")
    for name in ACTION_FIELDS.get(action, ()):
        if name in result:
            doc[name] = result[name]
    if "translationFile" in doc:
        doc["translationFile"] = {
            "links": file_links(base_url, doc["translationFile"]["id"]),
            **doc["translationFile"],
        }
    self_href = f"{base_url}{STATUS_PATH}/{execution.id}"
    links = [
        link("self", self_href),
        link("canonical", self_href),
        link("parent", f"{base_url}{SITES_PATH}"),
        link("describedBy", f"{base_url}{DESCRIBED_BY}", "application/schema+json"),
    ]
    if counting:
        links.append(link("pages", f"{self_href}/pages"))
    doc["links"] = links
    return doc
