"""The OCAPI jobs resource over HTTP, as sfcc-ci and b2c-tools use it: start, follow, delete executions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from sitejobs.engine.states import State
from tests.api.conftest import (
    TIME_MS,
    V_SFCC_CI,
    V,
    app_engine,
    assert_fault,
    assert_faults,
    params,
    start,
    stored_count,
    wait_for,
)

SEED_KEYS = {
    "_v", "_type", "client_id", "execution_status", "id", "is_log_file_existing", "is_restart", "job_id",
    "log_file_name", "modification_time", "parameters", "status",
}  # fmt: skip


def _url(doc: dict[str, Any], prefix: str = V) -> str:
    return f"{prefix}/jobs/{doc['job_id']}/executions/{doc['id']}"


def test_start_answers_the_seed_document(idle_api: TestClient) -> None:
    for prefix, version in [(V, "23.2"), (V_SFCC_CI, "19.5"), ("/dw/data/v21_10", "21.10")]:
        _check_seed_document(idle_api, prefix, version)


def _check_seed_document(idle_api: TestClient, prefix: str, version: str) -> None:
    response = idle_api.post(f"{prefix}/jobs/hello-world/executions", json=params(Seconds="1"))
    assert response.status_code == 202, response.text
    assert response.headers["content-type"].startswith("application/json")
    doc = response.json()
    assert set(doc) >= SEED_KEYS, doc
    assert doc["_v"] == version
    assert doc["_type"] == "job_execution"
    assert isinstance(doc["id"], str)
    assert doc["id"].isdigit()
    assert doc["job_id"] == "hello-world"
    assert doc["client_id"] == "test-client"
    assert (doc["execution_status"], doc["status"]) == ("pending", "PENDING")
    assert doc["is_restart"] is False
    assert doc["is_log_file_existing"] is False
    assert re.fullmatch(r"Job-hello-world-\d{17}\.log", doc["log_file_name"]), doc["log_file_name"]
    assert doc["log_file_path"] == f"/Sites/LOGS/jobs/hello-world/{doc['log_file_name']}"
    assert TIME_MS.match(doc["modification_time"]), doc["modification_time"]
    assert doc["parameters"] == [{"_type": "job_execution_parameter", "name": "Seconds", "value": "1"}]
    assert "exit_status" not in doc  # absent until it ends
    # the same execution, read back through either prefix
    again = idle_api.get(_url(doc, prefix)).json()
    assert again["id"] == doc["id"]
    assert again["_v"] == version
    assert idle_api.get(_url(doc, V_SFCC_CI)).json()["_v"] == "19.5"


def test_ids_are_distinct_decimal_strings(idle_api: TestClient) -> None:
    ids = [start(idle_api, "noop")["id"] for _ in range(5)]
    assert len(set(ids)) == 5
    assert all(i.isdigit() for i in ids)


def test_hello_world_runs_to_ok_with_steps(api: TestClient) -> None:
    doc = start(api, "hello-world", params(Seconds="1"))
    seen: list[str] = []

    def ended(d: dict[str, Any]) -> bool:
        seen.append(d["status"])
        return d["status"] in ("OK", "ERROR")

    final = wait_for(api, _url(doc), ended)
    # polled every 50 ms through a run of one second: it went PENDING (or straight) to RUNNING, then OK
    assert "RUNNING" in seen, seen
    assert seen[seen.index("RUNNING") :].count("PENDING") == 0, seen
    assert (final["status"], final["execution_status"]) == ("OK", "finished")
    assert final["exit_status"] == {"_type": "status", "code": "OK", "message": "OK", "status": "ok"}
    assert TIME_MS.match(final["start_time"])
    assert TIME_MS.match(final["end_time"])
    assert final["start_time"] <= final["end_time"]
    assert isinstance(final["duration"], int)
    assert final["duration"] >= 900
    assert final["is_log_file_existing"] is True
    [step] = final["step_executions"]
    assert step["_type"] == "job_step_execution"
    assert (step["step_id"], step["status"], step["execution_status"]) == ("sleep", "OK", "finished")
    assert step["exit_status"]["status"] == "ok"
    assert TIME_MS.match(step["start_time"])
    assert TIME_MS.match(step["end_time"])


def test_a_failing_job_ends_in_error_with_its_code(api: TestClient) -> None:
    doc = start(api, "hello-world", params(Seconds="0", Fail="true"))
    final = wait_for(api, _url(doc))
    assert (final["status"], final["execution_status"]) == ("ERROR", "finished")
    assert final["exit_status"]["status"] == "error"
    assert final["exit_status"]["code"] == "HELLO_FAILED"
    assert "Fail=true" in final["exit_status"]["message"]


@pytest.mark.parametrize("prefix", [V, V_SFCC_CI])
def test_site_archive_import_echoes_its_parameters_and_ends_in_error(api: TestClient, prefix: str) -> None:
    """There is no x.zip to import: the execution must say so, never pretend to have imported it."""
    response = api.post(f"{prefix}/jobs/sfcc-site-archive-import/executions", json={"file_name": "x.zip"})
    assert response.status_code == 202, response.text
    doc = response.json()
    assert doc["job_id"] == "sfcc-site-archive-import"
    assert doc["parameters"] == [
        {"_type": "job_execution_parameter", "name": "ImportMode", "value": "merge"},
        {"_type": "job_execution_parameter", "name": "ImportFile", "value": "x.zip"},
    ]
    final = wait_for(api, _url(doc, prefix))
    assert final["status"] == "ERROR"
    assert final["execution_status"] == "finished"
    assert final["exit_status"]["status"] == "error"
    assert final["exit_status"]["code"] != "OK"
    assert "x.zip" in final["exit_status"]["message"]  # says which archive it could not import


def test_site_archive_import_with_a_mode(idle_api: TestClient) -> None:
    doc = start(idle_api, "sfcc-site-archive-import", {"file_name": "site.zip", "mode": "replace"})
    assert [(p["name"], p["value"]) for p in doc["parameters"]] == [
        ("ImportMode", "replace"),
        ("ImportFile", "site.zip"),
    ]


def test_site_archive_import_refuses_bad_documents(idle_api: TestClient) -> None:
    url = f"{V}/jobs/sfcc-site-archive-import/executions"
    bad: list[tuple[Any, str]] = [
        ({}, "MissingParameterException"),
        ({"mode": "merge"}, "MissingParameterException"),
        ({"file_name": "a.zip", "colour": "red"}, "UnknownPropertyException"),
        ({"file_name": "a.zip", "mode": "sideways"}, "InvalidParameterException"),
        ({"file_name": 7}, "InvalidParameterException"),
        ({"file_name": ""}, "InvalidParameterException"),
        ({"file_name": "a.zip", "parameters": [{"name": "A", "value": "1"}]}, "UnknownPropertyException"),
    ]
    assert_faults(idle_api, [("POST", url, {"json": body}, 400, fault) for body, fault in bad])
    assert_fault(idle_api.post(url), 400, "MissingParameterException")  # no body at all
    assert stored_count(idle_api) == 0


def test_a_second_active_site_import_is_refused(idle_api: TestClient) -> None:
    first = start(idle_api, "sfcc-site-archive-import", {"file_name": "a.zip"})
    response = idle_api.post(f"{V}/jobs/sfcc-site-archive-import/executions", json={"file_name": "b.zip"})
    fault = assert_fault(response, 400, "JobAlreadyRunningException")
    assert fault["arguments"]["jobId"] == "sfcc-site-archive-import"
    assert stored_count(idle_api) == 1
    # once the first one has ended, the job may run again
    app_engine(idle_api).abort(int(first["id"]))
    assert start(idle_api, "sfcc-site-archive-import", {"file_name": "b.zip"})["status"] == "PENDING"


def test_concurrent_custom_jobs_may_run_side_by_side(idle_api: TestClient) -> None:
    start(idle_api, "hello-world", params(Seconds="1"))
    start(idle_api, "hello-world", params(Seconds="1"))
    assert stored_count(idle_api) == 2


def test_delete_a_finished_execution(api: TestClient) -> None:
    doc = start(api, "noop")
    wait_for(api, _url(doc))
    response = api.delete(_url(doc))
    assert response.status_code == 204
    assert response.content == b""
    assert_fault(api.get(_url(doc)), 404, "JobExecutionNotFoundException")
    assert_fault(api.delete(_url(doc)), 404, "JobExecutionNotFoundException")
    assert stored_count(api) == 0


def test_delete_a_running_execution_is_refused(api: TestClient) -> None:
    doc = start(api, "hello-world", params(Seconds="30"))
    wait_for(api, _url(doc), lambda d: d["status"] == "RUNNING", timeout=15)
    fault = assert_fault(api.delete(_url(doc)), 400, "JobExecutionNotFinishedException")
    assert "abort" in fault["message"].lower()
    assert api.get(_url(doc)).json()["status"] == "RUNNING"
    app_engine(api).abort(int(doc["id"]))  # so the test does not wait for it
    final = wait_for(api, _url(doc), timeout=15)
    assert (final["status"], final["execution_status"]) == ("ERROR", "aborted")
    assert api.delete(_url(doc)).status_code == 204


def test_delete_a_pending_execution_is_refused(idle_api: TestClient) -> None:
    doc = start(idle_api, "noop")
    assert_fault(idle_api.delete(_url(doc)), 400, "JobExecutionNotFinishedException")
    assert stored_count(idle_api) == 1


def test_an_execution_under_another_job_is_not_found(idle_api: TestClient) -> None:
    doc = start(idle_api, "hello-world")
    for method in ("GET", "DELETE"):
        response = idle_api.request(method, f"{V}/jobs/noop/executions/{doc['id']}")
        fault = assert_fault(response, 404, "JobExecutionNotFoundException")
        assert fault["arguments"] == {"jobId": "noop", "executionId": doc["id"]}
    assert stored_count(idle_api) == 1


def test_unknown_or_malformed_execution_ids_are_not_found(idle_api: TestClient) -> None:
    start(idle_api, "noop")
    raws = ["424242", "abc", "-1", "1.0", "0x1", "99999999999999999999999", "1%0A", "%D9%A1", "%201"]
    assert_faults(
        idle_api,
        [(m, f"{V}/jobs/noop/executions/{raw}", {}, 404, "JobExecutionNotFoundException")
         for raw in raws for m in ("GET", "DELETE")],
    )  # fmt: skip
    assert stored_count(idle_api) == 1


def test_unknown_job(idle_api: TestClient) -> None:
    response = idle_api.post(f"{V}/jobs/no-such-job/executions", json=params(A="1"))
    fault = assert_fault(response, 404, "JobNotFoundException")
    assert fault["arguments"] == {"jobId": "no-such-job"}
    assert stored_count(idle_api) == 0


def test_custom_jobs_refuse_bad_parameters(idle_api: TestClient) -> None:
    bad: list[tuple[Any, str]] = [
        (params(Nope="1"), "UnknownPropertyException"),
        ({"colour": "red"}, "UnknownPropertyException"),
        ({"file_name": "a.zip"}, "UnknownPropertyException"),
        ({"parameters": [{"name": "Seconds", "value": "1", "colour": "red"}]}, "UnknownPropertyException"),
        (params(Seconds="three"), "InvalidParameterException"),
        (params(Seconds="-1"), "InvalidParameterException"),
        (params(Seconds="1.5"), "InvalidParameterException"),
        (params(Seconds="86401"), "InvalidParameterException"),
        (params(Fail="maybe"), "InvalidParameterException"),
        ({"parameters": [{"name": "Seconds", "value": {"n": 1}}]}, "InvalidParameterException"),
        ({"parameters": [{"name": "Seconds", "value": [1]}]}, "InvalidParameterException"),
        ({"parameters": [{"name": "Seconds", "value": None}]}, "InvalidParameterException"),
        ({"parameters": [{"value": "1"}]}, "InvalidParameterException"),
        ({"parameters": [{"name": 5, "value": "1"}]}, "InvalidParameterException"),
        ({"parameters": ["Seconds=1"]}, "InvalidParameterException"),
        ({"parameters": "Seconds=1"}, "InvalidParameterException"),
        ({"parameters": [{"name": "Seconds", "value": "1"}, {"name": "Seconds", "value": "2"}]},
         "InvalidParameterException"),
    ]  # fmt: skip
    assert_faults(
        idle_api, [("POST", f"{V}/jobs/hello-world/executions", {"json": b}, 400, f) for b, f in bad]
    )
    assert stored_count(idle_api) == 0


def test_unknown_parameter_fault_names_it(idle_api: TestClient) -> None:
    fault = assert_fault(idle_api.post(f"{V}/jobs/hello-world/executions", json=params(Nope="1")), 400,
                         "UnknownPropertyException")  # fmt: skip
    assert "Nope" in fault["message"]
    assert fault["arguments"]["property"] == "Nope"


def test_defaults_apply_and_no_body_is_fine(idle_api: TestClient) -> None:
    response = idle_api.post(f"{V}/jobs/noop/executions")
    assert response.status_code == 202, response.text
    assert response.json()["parameters"] == []
    doc = start(idle_api, "hello-world", {"parameters": []})
    stored = app_engine(idle_api).get(int(doc["id"]))
    assert stored is not None
    assert stored.state is State.PENDING


def test_parameter_values_may_be_json_scalars(idle_api: TestClient) -> None:
    doc = start(idle_api, "hello-world", {"parameters": [{"name": "Seconds", "value": 2}]})
    assert doc["parameters"] == [{"_type": "job_execution_parameter", "name": "Seconds", "value": "2"}]


def test_aborted_execution_reads_as_error(idle_api: TestClient) -> None:
    doc = start(idle_api, "hello-world")
    app_engine(idle_api).abort(int(doc["id"]))
    final = idle_api.get(_url(doc)).json()
    assert (final["status"], final["execution_status"]) == ("ERROR", "aborted")
    assert final["exit_status"]["status"] == "error"
    assert final["exit_status"]["code"] == "ABORTED"


def test_boolean_values_echo_as_json_spells_them(idle_api: TestClient) -> None:
    doc = start(idle_api, "hello-world", {"parameters": [{"name": "Fail", "value": True}]})
    assert doc["parameters"] == [{"_type": "job_execution_parameter", "name": "Fail", "value": "true"}]
