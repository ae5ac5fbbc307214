"""The IDC background-job services the toolkit's translation commands use, on top of the site jobs.

`SCS_EXPORT_SITE_TRANS` starts the same translate job as `POST /sites/{id}/translate`, and
`SCS_IMPORT_SITE_TRANS` the same import as `POST /sites/_importTranslations`: one execution, whose id is the
IDC `JobID` and the `_status` context alike. `SCS_GET_BACKGROUND_SERVICE_JOB_STATUS`,
`…_RESPONSE_DATA` and `SCS_GET_ALL_BACKGROUND_JOBS` read any site job the caller may see.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from sitejobs.api.oce.idc import IdcAnswer, IdcCall, Service, issue_token, result_set
from sitejobs.api.oce.routes import CONTRIBUTE, _site_for, import_target, visible_execution
from sitejobs.api.oce.status import job_error_of
from sitejobs.engine.models import Execution
from sitejobs.engine.states import State
from sitejobs.engine.store import list_executions
from sitejobs.errors import BadRequest, SitejobsError
from sitejobs.jobs.oce import ACTIONS
from sitejobs.jobs.oce import requests as req
from sitejobs.sites.content.access import may_see_execution
from sitejobs.sites.content.enterprise import EnterpriseStore
from sitejobs.sites.content.translation_jobs import TranslationJobStore
from sitejobs.timefmt import iso_ms

JOB_FIELDS = (
    "JobID",
    "JobType",
    "JobAction",
    "JobStatus",
    "JobPercentage",
    "JobMessage",
    "JobCreatorLoginName",
    "JobCreatorFullName",
    "JobCreateDate",
    "JobUpdateDate",
    "ItemID",
    "SiteId",
)
#: How IDC names a job's state; the toolkit waits while PROCESSING/QUEUED and stops at COMPLETE or FAILED.
IDC_STATUS = {
    State.PENDING: "QUEUED",
    State.SUCCEEDED: "COMPLETE",
    State.FAILED: "FAILED",
    State.ABORTED: "FAILED",
}
#: The most recent site jobs `SCS_GET_ALL_BACKGROUND_JOBS` looks through.
RECENT_JOBS = 500


class LanguageMismatch(BadRequest):
    """A target language is not in the site's localization policy."""


class TranslationJobExists(SitejobsError):
    """A translation job with this name already exists."""

    status = 409


def job_type(job_id: str) -> str:
    return "theme" if "theme" in job_id else "component" if "component" in job_id else "site"


def job_row(execution: Execution) -> dict[str, Any]:
    request = execution.request or {}
    result = execution.result or {}
    message = execution.message or ""
    if execution.state is State.FAILED:
        message = str(job_error_of(execution).get("detail") or execution.exit_message or "failed")
    elif execution.state is State.SUCCEEDED and not message:
        message = "Done"
    # The toolkit stops waiting at JobPercentage "100": only a job that has ended, result stored, says so.
    percent = 100 if execution.state is State.SUCCEEDED else min(execution.percent or 0, 99)
    item = (
        request.get("target_site") or request.get("target_resource") or (result.get("site") or {}).get("id")
    )
    return {
        "JobID": str(execution.id),
        "JobType": job_type(execution.job_id),
        "JobAction": ACTIONS[execution.job_id],
        "JobStatus": IDC_STATUS.get(execution.state, "PROCESSING"),
        "JobPercentage": str(percent),
        "JobMessage": message,
        "JobCreatorLoginName": execution.client_id or "",
        "JobCreatorFullName": execution.client_id or "",
        "JobCreateDate": iso_ms(execution.created_at),
        "JobUpdateDate": iso_ms(execution.modified_at),
        "ItemID": item or "",
        "SiteId": request.get("target_site") or "",
    }


def _validated(model: type[BaseModel], document: dict[str, Any]) -> BaseModel:
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "LocalData"
        raise BadRequest(f"Parameter '{where}': {first['msg']}.", property=where) from None


async def _submit(call: IdcCall, job_id: str, document: BaseModel) -> IdcAnswer:
    execution = await call.state.engine.asubmit(job_id, request=document, client_id=call.user.name)
    return IdcAnswer({"JobID": str(execution.id), "idcToken": issue_token(call.state, call.user)})


async def export_site_translation(call: IdcCall) -> IdcAnswer:
    call.check_token()
    name = call.require("jobName")
    languages = [lang.strip() for lang in call.require("targetLanguages").split(",") if lang.strip()]
    store = call.state.content

    def check() -> BaseModel:
        site = _site_for(store, call.user, call.require("siteGUID"), CONTRIBUTE)
        if TranslationJobStore(store.db).name_taken(name):
            raise TranslationJobExists(f"A translation job named '{name}' already exists.")
        if site.localization_policy:
            policy = EnterpriseStore(store.db).get("localizationPolicies", site.localization_policy)
            allowed = EnterpriseStore.policy_languages(policy) if policy else []
            stray = [lang for lang in languages if lang not in allowed]
            if policy and stray:
                raise LanguageMismatch(
                    f"Languages {', '.join(stray)} are not in the localization policy '{policy['name']}'."
                )
        document = {
            "target_site": site.id,
            "name": name,
            "sourceLanguage": call.params.get("sourceLanguage") or None,
            "targetLanguages": languages,
            "exportType": call.params.get("exportType") or "siteAll",
        }
        return _validated(req.TranslateSite, document)

    return await _submit(call, "oce-translate-site", await run_in_threadpool(check))


async def import_site_translation(call: IdcCall) -> IdcAnswer:
    call.check_token()
    mode = call.params.get("validationMode", "validateAndImport")
    if mode not in ("validateOnly", "validateAndImport"):
        raise BadRequest(f"validationMode must be validateOnly or validateAndImport, not '{mode}'.")
    file_id = call.require("fFileGUID")
    site = await run_in_threadpool(import_target, call.state.content, call.user, file_id, None)
    document = {
        "target_site": site.id,
        "translationImportFile": file_id,
        "options": {"validate": mode == "validateOnly"},
    }
    return await _submit(call, "oce-import-translations", _validated(req.ImportTranslations, document))


def _execution(call: IdcCall) -> Execution:
    state = call.state
    return visible_execution(state.engine, state.content, call.user, call.require("JobID"))


async def job_status(call: IdcCall) -> IdcAnswer:
    execution = await run_in_threadpool(_execution, call)
    return IdcAnswer(
        {"idcToken": call.token} if call.token else {},
        {"JobInfo": result_set([job_row(execution)], JOB_FIELDS)},
    )


async def job_response_data(call: IdcCall) -> IdcAnswer:
    """What the job found: an import's validation (as `_displayValidationResult` prints it), a translate
    job's translation job; the failure's message as `StatusMessage` (the toolkit prints it)."""
    execution = await run_in_threadpool(_execution, call)
    row = job_row(execution)
    result = execution.result or {}
    local: dict[str, str] = {}
    if execution.state is State.FAILED:
        local["StatusMessage"] = row["JobMessage"]
    if "siteValidation" in result:
        local["valid"] = "true" if result.get("valid") else "false"
        local["sourceLanguage"] = str(result.get("sourceLanguage") or "")
        local["targetedLanguages"] = ",".join(result.get("targetLanguages") or [])
        local["SiteValidation"] = orjson.dumps(result["siteValidation"]).decode()
        local["AssetValidation"] = orjson.dumps(result.get("assetValidation") or {}).decode()
    job = result.get("translationJob")
    if isinstance(job, dict):
        local.update(jobName=job["name"], translationJobId=job["id"], fFileGUID=job["fFileGUID"])
    return IdcAnswer(local, {"JobInfo": result_set([row], JOB_FIELDS)})


async def all_jobs(call: IdcCall) -> IdcAnswer:
    wanted = call.params.get("jobType") or None
    state = call.state

    def rows() -> list[dict[str, Any]]:
        recent = state.engine.read(lambda conn: list_executions(conn, limit=RECENT_JOBS))
        return [
            job_row(e)
            for e in recent
            if e.job_id in ACTIONS
            and (wanted is None or job_type(e.job_id) == wanted)
            and may_see_execution(state.content, call.user, e)
        ]

    return IdcAnswer({}, {"JobInfo": result_set(await run_in_threadpool(rows), JOB_FIELDS)})


SERVICES: dict[str, Service] = {
    "SCS_EXPORT_SITE_TRANS": export_site_translation,
    "SCS_IMPORT_SITE_TRANS": import_site_translation,
    "SCS_GET_BACKGROUND_SERVICE_JOB_STATUS": job_status,
    "SCS_GET_BACKGROUND_SERVICE_JOB_RESPONSE_DATA": job_response_data,
    "SCS_GET_ALL_BACKGROUND_JOBS": all_jobs,
}
