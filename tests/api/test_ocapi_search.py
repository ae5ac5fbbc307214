"""`POST job_execution_search` over HTTP: queries, sorts, paging and refused documents."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.conftest import V_SFCC_CI, V, assert_fault, params, start, stored_count, wait_for

SEARCH = f"{V}/job_execution_search"


@pytest.fixture
def runs(api: TestClient) -> dict[str, list[str]]:
    """Six finished executions: three noop (OK), two hello-world failing on request, one site import (ERROR)."""
    made: dict[str, list[str]] = {"noop": [], "hello-world": [], "sfcc-site-archive-import": []}
    for _ in range(3):
        made["noop"].append(start(api, "noop")["id"])
    for _ in range(2):
        made["hello-world"].append(start(api, "hello-world", params(Seconds="0", Fail="true"))["id"])
    made["sfcc-site-archive-import"].append(
        start(api, "sfcc-site-archive-import", {"file_name": "a.zip"})["id"]
    )
    for job_id, ids in made.items():
        for i in ids:
            wait_for(api, f"{V}/jobs/{job_id}/executions/{i}")
    return made


def _search(api: TestClient, body: Any, path: str = SEARCH) -> dict[str, Any]:
    response = api.post(path, json=body)
    assert response.status_code == 200, response.text
    doc: dict[str, Any] = response.json()
    return doc


def _ids(doc: dict[str, Any]) -> list[int]:
    return [int(h["id"]) for h in doc["hits"]]


def _all_ids(runs: dict[str, list[str]]) -> list[int]:
    return sorted(int(i) for ids in runs.values() for i in ids)


def test_match_all_returns_everything_newest_first(api: TestClient, runs: dict[str, list[str]]) -> None:
    doc = _search(api, {"query": {"match_all_query": {}}})
    assert doc["_type"] == "job_execution_search_result"
    assert doc["_v"] == "23.2"
    assert (doc["total"], doc["count"], doc["start"]) == (6, 6, 0)
    assert doc["query"] == {"match_all_query": {}}
    assert _ids(doc) == sorted(_all_ids(runs), reverse=True)
    assert "next" not in doc
    assert "previous" not in doc
    hit = doc["hits"][0]
    assert hit["_type"] == "job_execution"
    assert hit["_v"] == "23.2"
    assert hit["status"] in ("OK", "ERROR")
    assert "exit_status" in hit


def test_the_sfcc_ci_prefix_echoes_its_version(api: TestClient, runs: dict[str, list[str]]) -> None:
    doc = _search(api, {"query": {"match_all_query": {}}, "count": 1}, f"{V_SFCC_CI}/job_execution_search")
    assert doc["_v"] == "19.5"
    assert doc["hits"][0]["_v"] == "19.5"


QUERIES: list[tuple[dict[str, Any], set[str]]] = [
        ({"term_query": {"fields": ["job_id"], "operator": "is", "values": ["noop"]}}, {"noop"}),
        ({"term_query": {"fields": ["status"], "operator": "is", "values": ["OK"]}}, {"noop"}),
        ({"term_query": {"fields": ["status"], "operator": "is", "values": ["error"]}},
         {"hello-world", "sfcc-site-archive-import"}),
        ({"term_query": {"fields": ["status"], "operator": "one_of", "values": ["OK", "ERROR"]}},
         {"noop", "hello-world", "sfcc-site-archive-import"}),
        ({"term_query": {"fields": ["job_id"], "operator": "neq", "values": ["noop"]}},
         {"hello-world", "sfcc-site-archive-import"}),
        ({"term_query": {"fields": ["job_id"], "operator": "not_in", "values": ["noop", "hello-world"]}},
         {"sfcc-site-archive-import"}),
        ({"term_query": {"fields": ["execution_status"], "operator": "is", "values": ["finished"]}},
         {"noop", "hello-world", "sfcc-site-archive-import"}),
        ({"term_query": {"fields": ["exit_status.code"], "operator": "is", "values": ["HELLO_FAILED"]}},
         {"hello-world"}),
        ({"term_query": {"fields": ["client_id"], "operator": "is", "values": ["test-client"]}},
         {"noop", "hello-world", "sfcc-site-archive-import"}),
        ({"term_query": {"fields": ["client_id"], "operator": "is", "values": ["someone-else"]}}, set()),
        ({"term_query": {"fields": ["status"], "operator": "is", "values": ["RUNNING"]}}, set()),
        ({"text_query": {"fields": ["job_id"], "search_phrase": "site-archive"}}, {"sfcc-site-archive-import"}),
        ({"bool_query": {"must": [{"term_query": {"fields": ["status"], "operator": "is", "values": ["ERROR"]}}],
                         "must_not": [{"term_query": {"fields": ["job_id"], "operator": "is",
                                                      "values": ["hello-world"]}}]}},
         {"sfcc-site-archive-import"}),
        ({"bool_query": {"should": [
            {"term_query": {"fields": ["job_id"], "operator": "is", "values": ["noop"]}},
            {"term_query": {"fields": ["job_id"], "operator": "is", "values": ["hello-world"]}}]}},
         {"noop", "hello-world"}),
        ({"filtered_query": {"query": {"match_all_query": {}},
                             "filter": {"term_filter": {"field": "job_id", "operator": "is", "values": ["noop"]}}}},
         {"noop"}),
        ({"filtered_query": {"query": {"term_query": {"fields": ["status"], "operator": "is", "values": ["ERROR"]}},
                             "filter": {"bool_filter": {"operator": "not", "filters": [
                                 {"term_filter": {"field": "job_id", "operator": "is", "values": ["hello-world"]}}]}}}},
         {"sfcc-site-archive-import"}),
        ({"filtered_query": {"query": {"match_all_query": {}},
                             "filter": {"range_filter": {"field": "start_time", "from": "2000-01-01T00:00:00.000Z"}}}},
         {"noop", "hello-world", "sfcc-site-archive-import"}),
        ({"filtered_query": {"query": {"match_all_query": {}},
                             "filter": {"range_filter": {"field": "end_time", "to": "2000-01-01T00:00:00.000Z"}}}},
         set()),
        ({"filtered_query": {"query": {"match_all_query": {}}, "filter": {"query_filter": {"query": {
            "term_query": {"fields": ["job_id"], "operator": "is", "values": ["hello-world"]}}}}}},
         {"hello-world"}),
]  # fmt: skip


def test_queries_select_the_right_executions(api: TestClient, runs: dict[str, list[str]]) -> None:
    """One setup for the whole table (it takes a while); every mismatch is reported at the end."""
    wrong = []
    for query, expected in QUERIES:
        doc = _search(api, {"query": query})
        wanted = sorted((int(i) for job in expected for i in runs[job]), reverse=True)
        if (_ids(doc), doc["total"], doc["query"]) != (wanted, len(wanted), query):
            wrong.append(
                f"{query}: wanted {wanted} of {sorted(expected)}, got {_ids(doc)} (total {doc['total']})"
            )
    assert not wrong, "\n".join(wrong)


def test_a_range_on_ids(api: TestClient, runs: dict[str, list[str]]) -> None:
    ids = _all_ids(runs)
    query = {"filtered_query": {"query": {"match_all_query": {}}, "filter": {"range_filter": {
        "field": "id", "from": ids[1], "to": ids[3], "to_inclusive": False}}}}  # fmt: skip
    assert _ids(_search(api, {"query": query})) == [ids[2], ids[1]]


def test_sorts(api: TestClient, runs: dict[str, list[str]]) -> None:
    ids = _all_ids(runs)
    doc = _search(api, {"query": {"match_all_query": {}}, "sorts": [{"field": "id", "sort_order": "asc"}]})
    assert _ids(doc) == ids
    assert doc["sorts"] == [{"field": "id", "sort_order": "asc"}]
    by_job = _search(
        api,
        {
            "query": {"match_all_query": {}},
            "sorts": [{"field": "job_id", "sort_order": "asc"}, {"field": "id", "sort_order": "desc"}],
        },
    )
    assert [h["job_id"] for h in by_job["hits"]] == ["hello-world"] * 2 + ["noop"] * 3 + [
        "sfcc-site-archive-import"
    ]
    assert _ids(by_job)[:2] == sorted((int(i) for i in runs["hello-world"]), reverse=True)
    started = _search(
        api, {"query": {"match_all_query": {}}, "sorts": [{"field": "start_time", "sort_order": "desc"}]}
    )
    times = [h["start_time"] for h in started["hits"]]
    assert times == sorted(times, reverse=True)


def test_paging(api: TestClient, runs: dict[str, list[str]]) -> None:
    everything = _ids(_search(api, {"query": {"match_all_query": {}}}))
    pages = []
    for start_at in (0, 2, 4):
        doc = _search(api, {"query": {"match_all_query": {}}, "start": start_at, "count": 2})
        assert (doc["start"], doc["count"], doc["total"]) == (start_at, 2, 6)
        pages.append(doc)
    assert [i for p in pages for i in _ids(p)] == everything
    first, middle, last = pages
    assert first["next"] == {"_type": "result_page", "start": 2, "count": 2}
    assert "previous" not in first
    assert middle["next"]["start"] == 4
    assert middle["previous"]["start"] == 0
    assert "next" not in last
    assert last["previous"] == {"_type": "result_page", "start": 2, "count": 2}
    beyond = _search(api, {"query": {"match_all_query": {}}, "start": 10, "count": 2})
    assert (beyond["count"], beyond["hits"], beyond["total"]) == (0, [], 6)
    assert "next" not in beyond
    partial = _search(api, {"query": {"match_all_query": {}}, "start": 5, "count": 4})
    assert (partial["count"], partial["total"]) == (1, 6)
    assert _ids(partial) == everything[5:]


def test_the_default_page_is_25(idle_api: TestClient) -> None:
    for _ in range(27):
        start(idle_api, "noop")
    doc = _search(idle_api, {"query": {"match_all_query": {}}})
    assert (doc["count"], doc["total"]) == (25, 27)
    assert doc["next"] == {"_type": "result_page", "start": 25, "count": 25}
    pending = _search(idle_api, {"query": {"term_query": {"fields": ["status"], "operator": "is",
                                                          "values": ["PENDING"]}}, "count": 200})  # fmt: skip
    assert pending["total"] == 27


BAD_DOCUMENTS: list[tuple[Any, str]] = [
        ({"query": {"no_such_query": {}}}, "UnknownPropertyException"),
        ({"query": {"term_query": {"fields": ["colour"], "operator": "is", "values": ["red"]}}},
         "UnknownPropertyException"),
        ({"query": {"term_query": {"fields": ["job_id"], "operator": "like", "values": ["x"]}}},
         "InvalidParameterException"),
        ({"query": {"term_query": {"fields": ["job_id"], "operator": "is", "values": []}}},
         "InvalidParameterException"),
        ({"query": {"term_query": {"fields": ["job_id"], "operator": "is"}}}, "MissingParameterException"),
        ({"query": {"term_query": {"fields": ["status"], "operator": "is", "values": ["HAPPY"]}}},
         "InvalidParameterException"),
        ({"query": {"filtered_query": {"query": {"match_all_query": {}}, "filter": {"no_such_filter": {}}}}},
         "UnknownPropertyException"),
        ({"query": {"filtered_query": {"query": {"match_all_query": {}},
                                       "filter": {"range_filter": {"field": "start_time", "from": "yesterday"}}}}},
         "InvalidParameterException"),
        ({"query": {"match_all_query": {}, "term_query": {}}}, "InvalidParameterException"),
        ({}, "MissingParameterException"),
        ({"query": {"match_all_query": {}}, "colour": "red"}, "UnknownPropertyException"),
        ({"query": {"match_all_query": {}}, "count": 0}, "InvalidParameterException"),
        ({"query": {"match_all_query": {}}, "count": 201}, "InvalidParameterException"),
        ({"query": {"match_all_query": {}}, "count": "5"}, "InvalidParameterException"),
        ({"query": {"match_all_query": {}}, "start": -1}, "InvalidParameterException"),
        ({"query": {"match_all_query": {}}, "start": 1.5}, "InvalidParameterException"),
        ({"query": {"match_all_query": {}}, "sorts": [{"field": "id", "sort_order": "up"}]},
         "InvalidParameterException"),
        ({"query": {"match_all_query": {}}, "sorts": [{"field": "colour"}]}, "UnknownPropertyException"),
        ({"query": {"match_all_query": {}}, "sorts": {"field": "id"}}, "InvalidParameterException"),
        ({"query": {"match_all_query": {}}, "select": 5}, "InvalidParameterException"),
]  # fmt: skip


def test_bad_search_documents_are_refused(idle_api: TestClient) -> None:
    start(idle_api, "noop")
    wrong = []
    for body, fault in BAD_DOCUMENTS:
        response = idle_api.post(SEARCH, json=body)
        try:
            assert_fault(response, 400, fault)
        except AssertionError as exc:
            wrong.append(
                f"{body}: wanted 400 {fault}, got {response.status_code} {response.text[:300]} ({exc})"
            )
    assert not wrong, "\n".join(wrong)
    assert stored_count(idle_api) == 1


def test_an_empty_search_body_is_refused(idle_api: TestClient) -> None:
    response = idle_api.post(SEARCH)
    assert response.status_code == 400
    assert_fault(response, 400, response.json()["fault"]["type"])


def test_a_huge_start_is_an_empty_page_or_a_fault_never_a_server_error(idle_api: TestClient) -> None:
    start(idle_api, "noop")
    for start_at in (2**31, 2**63 - 1, 2**63, 2**64 - 1):
        response = idle_api.post(SEARCH, json={"query": {"match_all_query": {}}, "start": start_at})
        if response.status_code == 200:
            assert response.json()["hits"] == [], start_at
        else:
            assert_fault(response, 400, "InvalidParameterException")


def test_a_nul_character_in_a_value_matches_nothing_or_is_refused(idle_api: TestClient) -> None:
    """PostgreSQL text cannot hold NUL (such a parameter is a 500 there); SQLite's LIKE stops at it."""
    start(idle_api, "noop")
    for query in (
        {"term_query": {"fields": ["job_id"], "operator": "is", "values": ["a\u0000b"]}},
        {"text_query": {"fields": ["job_id"], "search_phrase": "\u0000"}},
        {"term_query": {"fields": ["client_id"], "operator": "one_of", "values": ["\u0000", "x"]}},
    ):
        response = idle_api.post(SEARCH, json={"query": query})
        if response.status_code == 200:
            assert response.json()["hits"] == [], query
        else:
            assert_fault(response, 400, "InvalidParameterException")
