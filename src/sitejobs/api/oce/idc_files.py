"""`FLD_FILE_REVISIONS`: the versions of a file, as `cec describe-file` and `cec download-file -v N` read them
(document.js `_getFileVersions`: the `REVISIONS` rows, `dRevisionID` compared with the version asked for,
then `files/{id}/data/?version=N`)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from sitejobs.api.oce.doc_files import versions
from sitejobs.api.oce.idc import IdcAnswer, IdcCall, Service, result_set
from sitejobs.errors import BadRequest
from sitejobs.sites.content.store import ContentStore

REVISION_FIELDS = (
    "dRevisionID",
    "dRevLabel",
    "dFileSize",
    "fFileGUID",
    "fFileName",
    "fLastModifiedDate",
    "fCreatorLoginName",
    "fCreatorFullName",
)


async def file_revisions(call: IdcCall) -> IdcAnswer:
    store: ContentStore = call.state.content
    item = call.require("item")
    prefix, _, file_id = item.partition(":")
    if prefix != "fFileGUID" or not file_id:
        raise BadRequest(f"The item '{item}' is not of the form fFileGUID:<id>.", property="item")
    found = await run_in_threadpool(versions, store, call.user, file_id)
    rows = [
        {
            "dRevisionID": v["version"],
            "dRevLabel": v["version"],
            "dFileSize": v["size"],
            "fFileGUID": v["id"],
            "fFileName": v["name"],
            "fLastModifiedDate": v["modifiedTime"],
            "fCreatorLoginName": v["modifiedBy"]["loginName"],
            "fCreatorFullName": v["modifiedBy"]["displayName"],
        }
        for v in found
    ]
    return IdcAnswer({}, {"REVISIONS": result_set(rows, REVISION_FIELDS)})


SERVICES: dict[str, Service] = {"FLD_FILE_REVISIONS": file_revisions}
