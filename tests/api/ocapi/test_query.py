"""job_execution_search: the request document, every query, filter, operator and field, sorting, paging,
the faults for bad documents, and a model check against a plain-Python filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, insert

from sitejobs.api.ocapi.query import SearchRequest, parse_search
from sitejobs.engine import search as engine_search
from sitejobs.engine.db import create_store_engine, migrate
from sitejobs.engine.models import Execution
from sitejobs.engine.schema import executions
from sitejobs.engine.states import OCAPI, State
from sitejobs.errors import InvalidParameter, MalformedDocument, MissingParameter, UnknownProperty

T0 = 1_494_599_037_316  # 2017-05-12T14:23:57.316Z
MIN = 60_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def search(conn: Connection, req: SearchRequest) -> tuple[int, list[Execution]]:
    """What the HTTP route asks the engine to run for `req`."""
    return engine_search.search_executions(conn, req.search())


def hits_statement(req: SearchRequest) -> Any:
    return engine_search.hits_statement(req.search())


def iso(ms: int) -> str:
    return (_EPOCH + timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def row(
    id_: int,
    job_id: str,
    state: State,
    client_id: str | None = None,
    exit_code: str | None = None,
    start: int | None = None,
    end: int | None = None,
    modified: int = 0,
) -> dict[str, Any]:
    return {
        "id": id_,
        "job_id": job_id,
        "state": state.value,
        "client_id": client_id,
        "exit_code": exit_code,
        "start_time": start,
        "end_time": end,
        "modified_at": modified,
        "parameters": [],
        "is_restart": False,
        "attempt": 1,
        "created_at": modified,
    }


S = State
#: status: PENDING 5 | RUNNING 4 6 7 8 10 11 | OK 1 9 | ERROR 2 3
#: execution_status: finished 1 2 9 | aborted 3 | running 4 | pending 5 | paused 6 7 | aborting 8 | pausing 10 |
#: resuming 11
ROWS = [
    row(1, "sfcc-site-archive-import", S.SUCCEEDED, "c1", "OK", T0, T0 + MIN, T0 + MIN),
    row(2, "sfcc-site-archive-import", S.FAILED, "c2", "ERROR", T0 + 2 * MIN, T0 + 3 * MIN, T0 + 3 * MIN),
    row(3, "My-Job_2%", S.ABORTED, "c1", "ABORTED", T0 + 4 * MIN, T0 + 5 * MIN, T0 + 5 * MIN),
    row(4, "my-job", S.RUNNING, "c3", None, T0 + 6 * MIN, None, T0 + 6 * MIN),
    row(5, "my-job", S.PENDING, None, None, None, None, T0 + 7 * MIN),
    row(6, "export", S.PAUSED, "c2", None, T0 + 8 * MIN, None, T0 + 9 * MIN),
    row(7, "export", S.BLOCKED, "c2", None, T0 + 8 * MIN, None, T0 + 10 * MIN),  # same start as 6
    row(8, "export", S.ABORTING, None, None, T0 + 11 * MIN, None, T0 + 11 * MIN),
    row(9, "myjob2", S.SUCCEEDED, "ERROR", "CUSTOM", T0 + 12 * MIN, T0 + 13 * MIN, T0 + 13 * MIN),
    row(10, "export", S.PAUSING, "c1", None, T0 + 14 * MIN, None, T0 + 14 * MIN),
    row(11, "export", S.RESUMING, "c3", None, T0 + 15 * MIN, None, T0 + 15 * MIN),
]
ROWS[0]["parameters"] = [{"name": "ImportFile", "value": "site.zip"}]
ALL = list(range(11, 0, -1))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = create_store_engine("sqlite:///" + str(tmp_path_factory.mktemp("query") / "t.db"))
    migrate(eng)
    with eng.begin() as conn:
        conn.execute(insert(executions), ROWS)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def empty_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = create_store_engine("sqlite:///" + str(tmp_path_factory.mktemp("query-model") / "t.db"))
    migrate(eng)
    yield eng
    eng.dispose()


def run(engine: Engine, body: dict[str, Any]) -> tuple[int, list[int]]:
    with engine.connect() as conn:
        total, hits = search(conn, parse_search(body))
    return total, [h.id for h in hits]


def ids(engine: Engine, query: dict[str, Any], **rest: Any) -> list[int]:
    return run(engine, {"query": query, **rest})[1]


def term(field: str, operator: str, *values: Any) -> dict[str, Any]:
    return {"term_query": {"fields": [field], "operator": operator, "values": list(values)}}


def filtered(filter_: dict[str, Any], query: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"filtered_query": {"query": query or {"match_all_query": {}}, "filter": filter_}}


def rng(field: str, **bounds: Any) -> dict[str, Any]:
    return filtered({"range_filter": {"field": field, **bounds}})


# -- queries --------------------------------------------------------------------------------------------------


def test_match_all_returns_everything_newest_id_first(engine: Engine) -> None:
    assert run(engine, {"query": {"match_all_query": {}}}) == (11, ALL)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (term("job_id", "is", "export"), [11, 10, 8, 7, 6]),
        (term("job_id", "one_of", "my-job", "export"), [11, 10, 8, 7, 6, 5, 4]),
        (term("job_id", "neq", "export"), [9, 5, 4, 3, 2, 1]),
        (term("job_id", "not_in", "export", "my-job"), [9, 3, 2, 1]),
        (term("job_id", "less", "f"), [11, 10, 8, 7, 6, 3]),  # binary order: "M" < "e" < "f" < "m"
        (term("job_id", "greater", "my-job"), [9, 2, 1]),
        (term("client_id", "is", "c1"), [10, 3, 1]),
        (term("client_id", "one_of", "c1", "c3"), [11, 10, 4, 3, 1]),
        # an execution without a client is "not equal" to every client
        (term("client_id", "neq", "c1"), [11, 9, 8, 7, 6, 5, 4, 2]),
        (term("client_id", "not_in", "c1", "c2"), [11, 9, 8, 5, 4]),
        (term("exit_status.code", "is", "ERROR"), [2]),
        (term("exit_status.code", "one_of", "OK", "CUSTOM"), [9, 1]),
        (term("exit_status.code", "neq", "OK"), [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]),
        (term("id", "is", "3"), [3]),
        (term("id", "is", 3), [3]),
        (term("id", "one_of", "1", 2, "11"), [11, 2, 1]),
        (term("id", "less", "4"), [3, 2, 1]),
        (term("id", "greater", 9), [11, 10]),
        (term("id", "neq", "5"), [11, 10, 9, 8, 7, 6, 4, 3, 2, 1]),
        (term("id", "not_in", "5", "6", 7), [11, 10, 9, 8, 4, 3, 2, 1]),
        (term("id", "is", "-1"), []),
        (term("status", "is", "ERROR"), [3, 2]),
        (term("status", "is", "error"), [3, 2]),
        (term("status", "is", "Ok"), [9, 1]),
        (term("status", "one_of", "PENDING", "OK"), [9, 5, 1]),
        (term("status", "neq", "RUNNING"), [9, 5, 3, 2, 1]),
        (term("status", "not_in", "RUNNING", "OK"), [5, 3, 2]),
        (term("status", "one_of", "PENDING", "RUNNING", "OK", "ERROR"), ALL),
        (term("status", "not_in", "PENDING", "RUNNING", "OK", "ERROR"), []),
        (term("execution_status", "is", "paused"), [7, 6]),  # blocked shows as paused
        (term("execution_status", "is", "FINISHED"), [9, 2, 1]),
        (term("execution_status", "one_of", "aborted", "aborting"), [8, 3]),
        (term("execution_status", "neq", "finished"), [11, 10, 8, 7, 6, 5, 4, 3]),
        (term("execution_status", "not_in", "finished", "paused", "running"), [11, 10, 8, 5, 3]),
        (term("start_time", "is", iso(T0 + 8 * MIN)), [7, 6]),
        (term("start_time", "less", iso(T0 + 4 * MIN)), [2, 1]),  # 5 has no start time
        (term("start_time", "greater", iso(T0 + 12 * MIN)), [11, 10]),
        (term("start_time", "neq", iso(T0 + 8 * MIN)), [11, 10, 9, 8, 5, 4, 3, 2, 1]),
        (term("start_time", "one_of", iso(T0), iso(T0 + 2 * MIN)), [2, 1]),
        (term("end_time", "is", iso(T0 + MIN)), [1]),
        (term("end_time", "not_in", iso(T0 + MIN), iso(T0 + 3 * MIN)), [11, 10, 9, 8, 7, 6, 5, 4, 3]),
        (term("modification_time", "greater", iso(T0 + 13 * MIN)), [11, 10]),
        (term("modification_time", "is", iso(T0 + 7 * MIN)), [5]),
    ],
)
def test_term_query(engine: Engine, query: dict[str, Any], expected: list[int]) -> None:
    assert ids(engine, query) == expected


def test_term_query_over_several_fields_matches_any_of_them(engine: Engine) -> None:
    query = {
        "term_query": {"fields": ["client_id", "exit_status.code"], "operator": "is", "values": ["ERROR"]}
    }
    assert ids(engine, query) == [9, 2]


@pytest.mark.parametrize(
    "value",
    [
        "2017-05-12T14:23:57.316Z",
        "2017-05-12T14:23:57.316+00:00",
        "2017-05-12T16:23:57.316+02:00",
        "2017-05-12T10:23:57.316-04:00",
        "2017-05-12T14:23:57.3169Z",  # below a millisecond is cut off
    ],
)
def test_time_formats_name_the_same_instant(engine: Engine, value: str) -> None:
    assert ids(engine, term("start_time", "is", value)) == [1]


def test_time_without_millis(engine: Engine) -> None:
    assert ids(engine, term("start_time", "is", "2017-05-12T14:23:57Z")) == []
    window = rng("start_time", **{"from": "2017-05-12T14:23:57Z", "to": "2017-05-12T14:23:58+00:00"})
    assert ids(engine, window) == [1]


@pytest.mark.parametrize(
    ("fields", "phrase", "expected"),
    [
        (["job_id"], "JOB", [9, 5, 4, 3]),  # case-insensitive
        (["job_id"], "b_", [3]),  # `_` is a character, not a wildcard ("myjob2" would match "b_")
        (["job_id"], "%", [3]),
        (["job_id"], "_2%", [3]),
        (["job_id"], "archive-imp", [2, 1]),
        (["job_id"], "nothing", []),
        (["client_id"], "c", [11, 10, 7, 6, 4, 3, 2, 1]),
        (["client_id", "exit_status.code"], "err", [9, 2]),
        (["exit_status.code"], "o", [9, 3, 2, 1]),
    ],
)
def test_text_query(engine: Engine, fields: list[str], phrase: str, expected: list[int]) -> None:
    assert ids(engine, {"text_query": {"fields": fields, "search_phrase": phrase}}) == expected


@pytest.mark.parametrize(
    ("bool_query", "expected"),
    [
        ({}, ALL),
        ({"must": [term("job_id", "is", "export"), term("client_id", "is", "c2")]}, [7, 6]),
        ({"should": [term("job_id", "is", "my-job"), term("status", "is", "ERROR")]}, [5, 4, 3, 2]),
        ({"must_not": [term("job_id", "is", "export")]}, [9, 5, 4, 3, 2, 1]),
        # executions without a client are not "client c1", so they stay
        ({"must_not": [term("client_id", "is", "c1")]}, [11, 9, 8, 7, 6, 5, 4, 2]),
        ({"must_not": [term("client_id", "is", "c1"), term("client_id", "is", "c2")]}, [11, 9, 8, 5, 4]),
        (
            {
                "must": [term("status", "is", "RUNNING")],
                "should": [term("client_id", "is", "c2"), term("client_id", "is", "c3")],
                "must_not": [term("id", "is", "7")],
            },
            [11, 6, 4],
        ),
        ({"must": [{"bool_query": {"must_not": [term("status", "is", "RUNNING")]}}]}, [9, 5, 3, 2, 1]),
        ({"must": [], "should": [], "must_not": []}, ALL),
    ],
)
def test_bool_query(engine: Engine, bool_query: dict[str, Any], expected: list[int]) -> None:
    assert ids(engine, {"bool_query": bool_query}) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (rng("start_time", **{"from": iso(T0 + 2 * MIN), "to": iso(T0 + 8 * MIN)}), [7, 6, 4, 3, 2]),
        (
            rng(
                "start_time", **{"from": iso(T0 + 2 * MIN), "to": iso(T0 + 8 * MIN), "from_inclusive": False}
            ),
            [7, 6, 4, 3],
        ),
        (
            rng("start_time", **{"from": iso(T0 + 2 * MIN), "to": iso(T0 + 8 * MIN), "to_inclusive": False}),
            [4, 3, 2],
        ),
        (
            rng(
                "start_time",
                **{
                    "from": iso(T0 + 2 * MIN),
                    "to": iso(T0 + 8 * MIN),
                    "from_inclusive": False,
                    "to_inclusive": False,
                },
            ),
            [4, 3],
        ),
        (rng("start_time", **{"from": iso(T0 + 12 * MIN)}), [11, 10, 9]),
        (rng("start_time", **{"to": iso(T0 + MIN)}), [1]),
        (rng("start_time", **{"from": iso(T0 + 12 * MIN), "to": None}), [11, 10, 9]),  # null is absent
        (rng("end_time", **{"from": iso(T0)}), [9, 3, 2, 1]),
        (rng("modification_time", **{"from": iso(T0 + 9 * MIN), "to": iso(T0 + 11 * MIN)}), [8, 7, 6]),
        (rng("id", **{"from": "3", "to": 5}), [5, 4, 3]),
        (rng("job_id", **{"from": "export", "to": "my-job"}), [11, 10, 8, 7, 6, 5, 4]),
        (rng("exit_status.code", **{"from": "A", "to": "D"}), [9, 3]),
        (rng("start_time", **{"from": iso(T0 + 8 * MIN), "to": iso(T0 + 2 * MIN)}), []),
        (
            filtered({"term_filter": {"field": "status", "operator": "is", "values": ["RUNNING"]}}),
            [11, 10, 8, 7, 6, 4],
        ),
        (
            filtered(
                {"term_filter": {"field": "client_id", "operator": "neq", "values": ["c2"]}},
                term("job_id", "is", "export"),
            ),
            [11, 10, 8],
        ),
        (
            filtered(
                {
                    "bool_filter": {
                        "operator": "and",
                        "filters": [
                            {"term_filter": {"field": "job_id", "operator": "is", "values": ["export"]}},
                            {"range_filter": {"field": "modification_time", "to": iso(T0 + 10 * MIN)}},
                        ],
                    }
                }
            ),
            [7, 6],
        ),
        (
            filtered(
                {
                    "bool_filter": {
                        "operator": "or",
                        "filters": [
                            {"term_filter": {"field": "job_id", "operator": "is", "values": ["my-job"]}},
                            {"term_filter": {"field": "status", "operator": "is", "values": ["OK"]}},
                        ],
                    }
                }
            ),
            [9, 5, 4, 1],
        ),
        (  # not: none of the filters
            filtered(
                {
                    "bool_filter": {
                        "operator": "not",
                        "filters": [
                            {"term_filter": {"field": "job_id", "operator": "is", "values": ["export"]}},
                            {"term_filter": {"field": "client_id", "operator": "is", "values": ["c1"]}},
                        ],
                    }
                }
            ),
            [9, 5, 4, 2],
        ),
        (
            filtered(
                {
                    "bool_filter": {
                        "operator": "not",
                        "filters": [{"range_filter": {"field": "end_time", "from": iso(T0)}}],
                    }
                }
            ),
            [11, 10, 8, 7, 6, 5, 4],
        ),
        (
            filtered(
                {"query_filter": {"query": {"text_query": {"fields": ["job_id"], "search_phrase": "JOB"}}}},
                term("status", "is", "running"),
            ),
            [4],
        ),
        (filtered({"query_filter": {"query": {"match_all_query": {}}}}), ALL),
    ],
)
def test_filtered_query(engine: Engine, query: dict[str, Any], expected: list[int]) -> None:
    assert ids(engine, query) == expected


# -- sorting and paging ---------------------------------------------------------------------------------------


def sort(*keys: str) -> list[dict[str, str]]:
    out = []
    for key in keys:
        field, _, order = key.partition(" ")
        out.append({"field": field, "sort_order": order} if order else {"field": field})
    return out


@pytest.mark.parametrize(
    ("sorts", "expected"),
    [
        ([], ALL),
        (sort("id"), list(range(1, 12))),
        (sort("id asc"), list(range(1, 12))),
        (sort("id DESC"), ALL),
        # no start time sorts first ascending, last descending; ties go by id in the last key's direction
        (sort("start_time asc"), [5, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]),
        (sort("start_time desc"), [11, 10, 9, 8, 7, 6, 4, 3, 2, 1, 5]),
        (sort("end_time desc"), [9, 3, 2, 1, 11, 10, 8, 7, 6, 5, 4]),
        (sort("job_id asc"), [3, 6, 7, 8, 10, 11, 4, 5, 9, 1, 2]),
        (sort("job_id desc", "id asc"), [1, 2, 9, 4, 5, 6, 7, 8, 10, 11, 3]),
        (sort("job_id", "start_time desc"), [3, 11, 10, 8, 7, 6, 4, 5, 9, 2, 1]),
        # status and execution_status sort by the internal state name
        (sort("status"), [3, 8, 7, 2, 6, 10, 5, 11, 4, 1, 9]),
        (sort("execution_status desc"), [9, 1, 4, 11, 5, 10, 6, 2, 7, 8, 3]),
        (sort("client_id", "exit_status.code desc"), [8, 5, 9, 1, 3, 10, 2, 7, 6, 11, 4]),  # "E" < "c"
        (sort("modification_time desc"), ALL),
    ],
)
def test_sorts(engine: Engine, sorts: list[dict[str, str]], expected: list[int]) -> None:
    assert ids(engine, {"match_all_query": {}}, sorts=sorts) == expected


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (0, 3, [11, 10, 9]),
        (3, 3, [8, 7, 6]),
        (9, 5, [2, 1]),
        (10, 1, [1]),
        (11, 5, []),
        (50, 200, []),
    ],
)
def test_paging_keeps_the_total(engine: Engine, start: int, count: int, expected: list[int]) -> None:
    assert run(engine, {"query": {"match_all_query": {}}, "start": start, "count": count}) == (11, expected)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (0, 2, [11, 10]),
        (1, 2, [10, 8]),
        (4, 25, [6, 4]),
        (5, 1, [4]),
        (6, 1, []),
        (0, 25, [11, 10, 8, 7, 6, 4]),
    ],
)
def test_paging_a_filtered_query(engine: Engine, start: int, count: int, expected: list[int]) -> None:
    body = {"query": term("status", "is", "RUNNING"), "start": start, "count": count}
    assert run(engine, body) == (6, expected)


def test_no_match_has_total_zero(engine: Engine) -> None:
    assert run(engine, {"query": term("job_id", "is", "nothing")}) == (0, [])
    assert run(engine, {"query": term("job_id", "is", "nothing"), "start": 5}) == (0, [])


def test_hits_are_whole_executions(engine: Engine) -> None:
    with engine.connect() as conn:
        _, hits = search(conn, parse_search({"query": term("id", "is", "1")}))
    (hit,) = hits
    assert hit.job_id == "sfcc-site-archive-import"
    assert hit.state is State.SUCCEEDED
    assert hit.client_id == "c1"
    assert hit.exit_code == "OK"
    assert (hit.start_time, hit.end_time, hit.modified_at) == (T0, T0 + MIN, T0 + MIN)
    assert hit.parameters == [{"name": "ImportFile", "value": "site.zip"}]
    assert hit.is_restart is False


# -- the request document -------------------------------------------------------------------------------------


def test_defaults_and_echo() -> None:
    query: dict[str, Any] = {"match_all_query": {}}
    req = parse_search({"query": query})
    assert (req.query, req.sorts, req.start, req.count, req.select, req.expand) == (
        query,
        None,
        0,
        25,
        "(**)",
        (),
    )
    assert req.query is query


def test_everything_given_is_kept() -> None:
    body = {
        "query": term("job_id", "is", "x"),
        "sorts": [{"field": "start_time", "sort_order": "desc"}],
        "start": 7,
        "count": 200,
        "select": "(hits.(id,status))",
        "expand": ["step_executions"],
    }
    req = parse_search(body)
    assert req.query == body["query"]
    assert req.sorts == body["sorts"]
    assert (req.start, req.count, req.select, req.expand) == (
        7,
        200,
        "(hits.(id,status))",
        ("step_executions",),
    )


def test_nulls_mean_defaults_and_type_markers_are_ignored(engine: Engine) -> None:
    body = {
        "_v": "23.2",
        "_type": "search_request",
        "query": {"_type": "x", "match_all_query": {"_type": "match_all_query"}},
        "sorts": None,
        "start": None,
        "count": None,
        "select": None,
        "expand": None,
    }
    req = parse_search(body)
    assert (req.sorts, req.start, req.count, req.select) == (None, 0, 25, "(**)")
    sorted_ = {
        "query": {"match_all_query": {}},
        "sorts": [{"_type": "sort", "field": "id", "sort_order": None}],
    }
    assert run(engine, sorted_)[1] == list(range(1, 12))


def test_status_filters_use_the_state_index() -> None:
    sql = str(hits_statement(parse_search({"query": term("status", "is", "ERROR")})))
    assert "executions.state IN" in sql
    sql = str(hits_statement(parse_search({"query": term("execution_status", "neq", "finished")})))
    assert "executions.state IN" in sql
    assert "NOT" not in sql


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (term("job_id", "is", "export"), "ix_executions_job_id_id"),
        (term("status", "is", "ERROR"), "ix_executions_state_id"),
        (term("client_id", "is", "c1"), "ix_executions_client_id_id"),
        (term("exit_status.code", "is", "OK"), "ix_executions_exit_code"),
        (rng("start_time", **{"from": iso(T0), "to": iso(T0 + MIN)}), "ix_executions_start_time"),
        (rng("end_time", **{"from": iso(T0), "to": iso(T0 + MIN)}), "ix_executions_end_time"),
        (rng("modification_time", **{"from": iso(T0), "to": iso(T0 + MIN)}), "ix_executions_modified_at"),
    ],
)
def test_typical_queries_are_served_by_an_index(engine: Engine, query: dict[str, Any], index: str) -> None:
    stmt = hits_statement(parse_search({"query": query}))
    with engine.connect() as conn:
        sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " | ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert index in plan


MA: dict[str, Any] = {"match_all_query": {}}


def tq(**body: Any) -> dict[str, Any]:
    return {"query": {"term_query": {"fields": ["job_id"], "operator": "is", "values": ["x"], **body}}}


def fq(filter_: dict[str, Any]) -> dict[str, Any]:
    return {"query": filtered(filter_)}


BAD: list[tuple[object, type[Exception], str]] = [
    ([], MalformedDocument, "JSON object"),
    ("query", MalformedDocument, "JSON object"),
    (None, MalformedDocument, "JSON object"),
    ({}, MissingParameter, "'query'"),
    ({"query": None}, MissingParameter, "'query'"),
    ({"query": MA, "limit": 5}, UnknownProperty, "'limit'"),
    ({"query": MA, "start": -1}, InvalidParameter, "'start'"),
    ({"query": MA, "start": "0"}, InvalidParameter, "'start'"),
    ({"query": MA, "start": True}, InvalidParameter, "'start'"),
    ({"query": MA, "start": 1.5}, InvalidParameter, "'start'"),
    ({"query": MA, "start": 2**31}, InvalidParameter, "'start'"),
    ({"query": MA, "count": 0}, InvalidParameter, "'count'"),
    ({"query": MA, "count": 201}, InvalidParameter, "'count'"),
    ({"query": MA, "count": "25"}, InvalidParameter, "'count'"),
    ({"query": MA, "select": 1}, InvalidParameter, "'select'"),
    ({"query": MA, "expand": "x"}, InvalidParameter, "'expand'"),
    ({"query": MA, "expand": [1]}, InvalidParameter, "'expand'"),
    ({"query": MA, "sorts": {"field": "id"}}, InvalidParameter, "'sorts'"),
    ({"query": MA, "sorts": ["id"]}, InvalidParameter, "sorts[0]"),
    ({"query": MA, "sorts": [{"field": "nope"}]}, UnknownProperty, "'nope'"),
    ({"query": MA, "sorts": [{"field": "id", "sort_order": "up"}]}, InvalidParameter, "sort_order"),
    ({"query": MA, "sorts": [{"sort_order": "asc"}]}, MissingParameter, "'field'"),
    ({"query": MA, "sorts": [{"field": "id", "order": "asc"}]}, UnknownProperty, "'order'"),
    ({"query": "match_all_query"}, InvalidParameter, "query must be a query object"),
    ({"query": {}}, InvalidParameter, "exactly one"),
    ({"query": {"match_all_query": {}, "term_query": {}}}, InvalidParameter, "exactly one"),
    ({"query": {"nope_query": {}}}, UnknownProperty, "'nope_query'"),
    ({"query": {"match_all_query": {"boost": 1}}}, UnknownProperty, "'boost'"),
    ({"query": {"match_all_query": []}}, InvalidParameter, "match_all_query must be an object"),
    (
        {"query": {"term_filter": {"field": "id", "operator": "is", "values": [1]}}},
        UnknownProperty,
        "term_filter",
    ),
    (tq(fields=["nope"]), UnknownProperty, "'nope'"),
    (tq(fields="job_id"), InvalidParameter, "fields"),
    (tq(fields=[]), InvalidParameter, "fields"),
    (tq(fields=[1]), InvalidParameter, "fields[0]"),
    (tq(fields=["job_id", ["client_id"]]), InvalidParameter, "fields[1]"),
    (tq(fields=["job_id", {"client_id": 1}]), InvalidParameter, "fields[1]"),
    (tq(operator=None), MissingParameter, "'operator'"),
    (tq(operator="like"), InvalidParameter, "'like'"),
    (tq(values=[]), InvalidParameter, "values"),
    (tq(values="x"), InvalidParameter, "values"),
    (tq(values=["x", "y"]), InvalidParameter, "exactly one value"),
    (tq(operator="less", values=["x", "y"]), InvalidParameter, "exactly one value"),
    (tq(operator="neq", values=["x", "y"]), InvalidParameter, "exactly one value"),
    (tq(values=[5]), InvalidParameter, "values[0]"),
    (tq(values=["a\x00b"]), InvalidParameter, "NUL"),
    (tq(fields=["client_id"], operator="one_of", values=["x", "\x00"]), InvalidParameter, "values[1]"),
    (tq(values=["a\ud800"]), InvalidParameter, "surrogate"),
    (tq(boost=2), UnknownProperty, "'boost'"),
    (tq(fields=["status"], operator="less", values=["OK"]), InvalidParameter, "'less'"),
    (tq(fields=["execution_status"], operator="greater", values=["running"]), InvalidParameter, "'greater'"),
    (tq(fields=["status"], values=["DONE"]), InvalidParameter, "'DONE'"),
    (tq(fields=["status"], values=[1]), InvalidParameter, "values[0]"),
    (
        tq(fields=["execution_status"], operator="one_of", values=["running", "finishd"]),
        InvalidParameter,
        "values[1]",
    ),
    (tq(fields=["id"], values=["abc"]), InvalidParameter, "'abc'"),
    (tq(fields=["id"], values=[1.5]), InvalidParameter, "1.5"),
    (tq(fields=["id"], values=[True]), InvalidParameter, "True"),
    (tq(fields=["id"], values=["99999999999999999999"]), InvalidParameter, "values[0]"),
    (tq(fields=["id"], values=[2**63]), InvalidParameter, "out of range"),
    (tq(fields=["id"], values=["\uff14\uff12"]), InvalidParameter, "values[0]"),  # non-ASCII digits
    (tq(fields=["start_time"], values=["yesterday"]), InvalidParameter, "'yesterday'"),
    (tq(fields=["start_time"], values=["2017-05-12"]), InvalidParameter, "ISO 8601"),
    (tq(fields=["start_time"], values=["2017-05-12T14:23:57"]), InvalidParameter, "ISO 8601"),
    (tq(fields=["start_time"], values=["2017-13-12T14:23:57Z"]), InvalidParameter, "ISO 8601"),
    (tq(fields=["end_time"], values=[1494599037316]), InvalidParameter, "ISO 8601"),
    (tq(fields=["job_id", "id"], values=["x"]), InvalidParameter, "'x'"),
    ({"query": {"text_query": {"fields": ["status"], "search_phrase": "OK"}}}, InvalidParameter, "'status'"),
    (
        {"query": {"text_query": {"fields": ["id"], "search_phrase": "1"}}},
        InvalidParameter,
        "not a text field",
    ),
    ({"query": {"text_query": {"fields": ["nope"], "search_phrase": "x"}}}, UnknownProperty, "'nope'"),
    (
        {"query": {"text_query": {"fields": ["job_id"], "search_phrase": ""}}},
        InvalidParameter,
        "search_phrase",
    ),
    (
        {"query": {"text_query": {"fields": ["job_id"], "search_phrase": 5}}},
        InvalidParameter,
        "search_phrase",
    ),
    ({"query": {"text_query": {"fields": ["job_id"]}}}, MissingParameter, "'search_phrase'"),
    ({"query": {"text_query": {"fields": ["job_id"], "search_phrase": "\x00"}}}, InvalidParameter, "NUL"),
    ({"query": {"bool_query": {"must": MA}}}, InvalidParameter, "must must be a list"),
    ({"query": {"bool_query": {"must": [{"bad_query": {}}]}}}, UnknownProperty, "'bad_query'"),
    ({"query": {"bool_query": {"filter": []}}}, UnknownProperty, "'filter'"),
    (
        {"query": {"bool_query": {"should": [{"term_query": {"fields": ["id"]}}]}}},
        MissingParameter,
        "query.bool_query.should[0].term_query needs the property 'operator'",
    ),
    ({"query": {"filtered_query": {"query": MA}}}, MissingParameter, "'filter'"),
    (
        {"query": {"filtered_query": {"filter": {"range_filter": {"field": "id", "from": 1}}}}},
        MissingParameter,
        "'query'",
    ),
    (fq({"nope_filter": {}}), UnknownProperty, "'nope_filter'"),
    (fq({"match_all_query": {}}), UnknownProperty, "'match_all_query'"),
    (fq({"range_filter": {"field": "status", "from": "OK"}}), InvalidParameter, "'status'"),
    (fq({"range_filter": {"field": "execution_status", "to": "running"}}), InvalidParameter, "no order"),
    (fq({"range_filter": {"field": "start_time"}}), MissingParameter, "'from', 'to'"),
    (
        fq({"range_filter": {"field": "start_time", "from": None, "to": None}}),
        MissingParameter,
        "'from', 'to'",
    ),
    (fq({"range_filter": {"from": "1"}}), MissingParameter, "'field'"),
    (fq({"range_filter": {"field": "nope", "from": "1"}}), UnknownProperty, "'nope'"),
    (
        fq({"range_filter": {"field": "id", "from": 1, "from_inclusive": "yes"}}),
        InvalidParameter,
        "from_inclusive",
    ),
    (fq({"range_filter": {"field": "start_time", "from": "x"}}), InvalidParameter, "range_filter.from"),
    (fq({"range_filter": {"field": "id", "from": 1, "step": 2}}), UnknownProperty, "'step'"),
    (
        fq({"term_filter": {"field": ["job_id"], "operator": "is", "values": ["x"]}}),
        InvalidParameter,
        "field",
    ),
    (
        fq({"term_filter": {"fields": ["job_id"], "operator": "is", "values": ["x"]}}),
        UnknownProperty,
        "'fields'",
    ),
    (
        fq({"term_filter": {"field": "status", "operator": "less", "values": ["OK"]}}),
        InvalidParameter,
        "'less'",
    ),
    (fq({"bool_filter": {"operator": "xor", "filters": []}}), InvalidParameter, "'xor'"),
    (fq({"bool_filter": {"operator": "and", "filters": []}}), InvalidParameter, "at least one"),
    (fq({"bool_filter": {"operator": "or", "filters": {}}}), InvalidParameter, "filters must be a list"),
    (fq({"bool_filter": {"filters": [{"query_filter": {"query": MA}}]}}), MissingParameter, "'operator'"),
    (fq({"query_filter": {}}), MissingParameter, "'query'"),
    (fq({"query_filter": {"query": {"range_filter": {}}}}), UnknownProperty, "'range_filter'"),
]


def nested_bool(depth: int) -> dict[str, Any]:
    query: dict[str, Any] = {"match_all_query": {}}
    for _ in range(depth):
        query = {"bool_query": {"must": [query]}}
    return {"query": query}


BAD += [
    (nested_bool(2000), InvalidParameter, "too large"),
    (tq(operator="one_of", values=[str(i) for i in range(2000)]), InvalidParameter, "too large"),
    (tq(fields=["start_time"], values=["x" * 10_000]), InvalidParameter, "xxx..."),
]


def test_moderate_nesting_and_repeated_fields_are_fine(engine: Engine) -> None:
    assert ids(engine, nested_bool(20)["query"]) == ALL
    repeated = {
        "term_query": {"fields": ["job_id", "job_id", "client_id"], "operator": "is", "values": ["c3"]}
    }
    assert ids(engine, repeated) == [11, 4]
    many = term("id", "one_of", *[str(i) for i in range(900)])
    assert ids(engine, many) == ALL


def test_long_values_are_cut_short_in_messages() -> None:
    with pytest.raises(InvalidParameter) as info:
        parse_search(tq(fields=["start_time"], values=["x" * 10_000]))
    assert len(str(info.value)) < 200


@pytest.mark.parametrize(("doc", "fault", "names"), BAD)
def test_bad_documents_raise_the_matching_fault(doc: object, fault: type[Exception], names: str) -> None:
    with pytest.raises(fault) as info:
        parse_search(doc)
    assert type(info.value) is fault
    assert names in str(info.value)


# -- a model check --------------------------------------------------------------------------------------------

JOB_IDS = ["a", "B", "a%", "_b", "ab", "b"]
CLIENTS = [None, "c1", "C1", "x_"]
CODES = [None, "OK", "ERROR", "X", "ok"]
STATUS_NAMES = sorted({n.status for n in OCAPI.values()})
EXECUTION_STATUS_NAMES = sorted({n.execution_status for n in OCAPI.values()})
TIME_FIELDS = {"start_time": "start_time", "end_time": "end_time", "modification_time": "modified_at"}
STATE_FIELDS = ("status", "execution_status")
ORDERED_FIELDS = ("id", "job_id", "client_id", "exit_status.code", *TIME_FIELDS)
TEXT_FIELDS = ("job_id", "client_id", "exit_status.code")
times = st.integers(0, 6).map(lambda k: T0 + k * 1000)


@st.composite
def random_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(0, 25))
    return [
        row(
            i + 1,
            draw(st.sampled_from(JOB_IDS)),
            draw(st.sampled_from(list(State))),
            draw(st.sampled_from(CLIENTS)),
            draw(st.sampled_from(CODES)),
            draw(st.none() | times),
            draw(st.none() | times),
            draw(times),
        )
        for i in range(n)
    ]


def any_case(names: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(names).flatmap(
        lambda s: st.sampled_from([s, s.lower(), s.upper(), s.capitalize()])
    )


def values_for(field: str) -> st.SearchStrategy[Any]:
    if field == "id":
        return st.integers(-1, 27).flatmap(lambda i: st.sampled_from([i, str(i)]))
    if field in TIME_FIELDS:  # half seconds, so some values fall between the stored times
        return st.integers(-1, 13).map(lambda k: iso(T0 + k * 500))
    if field == "status":
        return any_case(STATUS_NAMES)
    if field == "execution_status":
        return any_case(EXECUTION_STATUS_NAMES)
    return st.sampled_from(
        {
            "job_id": JOB_IDS,
            "client_id": [c for c in CLIENTS if c] + ["zz"],
            "exit_status.code": [c for c in CODES if c],
        }[field]
    )


@st.composite
def term_filters(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(ORDERED_FIELDS + STATE_FIELDS))
    operators = ["is", "one_of", "neq", "not_in"] + ([] if field in STATE_FIELDS else ["less", "greater"])
    operator = draw(st.sampled_from(operators))
    size = 1 if operator in ("is", "less", "greater", "neq") else draw(st.integers(1, 3))
    values = draw(st.lists(values_for(field), min_size=size, max_size=size))
    return {"term_filter": {"field": field, "operator": operator, "values": values}}


@st.composite
def range_filters(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(ORDERED_FIELDS))
    body: dict[str, Any] = {"field": field}
    for key in draw(st.sampled_from([("from",), ("to",), ("from", "to")])):
        body[key] = draw(values_for(field))
        if draw(st.booleans()):
            body[f"{key}_inclusive"] = draw(st.booleans())
    return {"range_filter": body}


@st.composite
def text_filters(draw: st.DrawFn) -> dict[str, Any]:
    fields = draw(st.lists(st.sampled_from(TEXT_FIELDS), min_size=1, max_size=2))
    phrase = draw(st.sampled_from(["a", "B", "%", "_", "1", "o", "k", "x_", "rr"]))
    return {"query_filter": {"query": {"text_query": {"fields": fields, "search_phrase": phrase}}}}


filters = st.recursive(
    term_filters() | range_filters() | text_filters(),
    lambda children: st.builds(
        lambda op, fs: {"bool_filter": {"operator": op, "filters": fs}},
        st.sampled_from(["and", "or", "not"]),
        st.lists(children, min_size=1, max_size=3),
    ),
    max_leaves=5,
)
sorts = st.lists(
    st.builds(
        lambda f, o: {"field": f, "sort_order": o},
        st.sampled_from(ORDERED_FIELDS + STATE_FIELDS),
        st.sampled_from(["asc", "desc"]),
    ),
    max_size=2,
)


def field_value(r: dict[str, Any], field: str) -> Any:
    if field == "status":
        return OCAPI[State(r["state"])].status
    if field == "execution_status":
        return OCAPI[State(r["state"])].execution_status
    column = {"exit_status.code": "exit_code", **TIME_FIELDS}.get(field, field)
    return r[column]


def query_value(field: str, raw: Any) -> Any:
    if field == "id":
        return int(raw)
    if field in TIME_FIELDS:
        return (datetime.fromisoformat(raw) - _EPOCH) // timedelta(milliseconds=1)
    if field == "status":
        return raw.upper()
    if field == "execution_status":
        return raw.lower()
    return raw


def matches(r: dict[str, Any], filter_: dict[str, Any]) -> bool:
    ((kind, body),) = filter_.items()
    if kind == "bool_filter":
        results = [matches(r, f) for f in body["filters"]]
        return {"and": all(results), "or": any(results), "not": not any(results)}[body["operator"]]
    if kind == "query_filter":
        text = body["query"]["text_query"]
        phrase = text["search_phrase"].lower()
        return any((v := field_value(r, f)) is not None and phrase in v.lower() for f in text["fields"])
    v = field_value(r, body["field"])
    if kind == "range_filter":
        if v is None:
            return False
        ok = True
        if "from" in body:
            lo = query_value(body["field"], body["from"])
            ok &= v >= lo if body.get("from_inclusive", True) else v > lo
        if "to" in body:
            hi = query_value(body["field"], body["to"])
            ok &= v <= hi if body.get("to_inclusive", True) else v < hi
        return ok
    values = [query_value(body["field"], x) for x in body["values"]]
    operator = body["operator"]
    if operator == "less":
        return v is not None and v < values[0]
    if operator == "greater":
        return v is not None and v > values[0]
    found = v is not None and v in values
    return found if operator in ("is", "one_of") else not found


def expected_order(rows: list[dict[str, Any]], sort_docs: list[dict[str, str]]) -> list[dict[str, Any]]:
    keys = [(s["field"], s["sort_order"] == "desc") for s in sort_docs]
    if "id" not in (f for f, _ in keys):
        keys.append(("id", keys[-1][1] if keys else True))
    ordered = list(rows)
    for field, descending in reversed(keys):  # stable sorts, last key first

        def key(r: dict[str, Any], field: str = field) -> tuple[bool, Any]:
            v = r["state"] if field in STATE_FIELDS else field_value(r, field)
            return (v is not None, v)

        ordered.sort(key=key, reverse=descending)
    return ordered


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(
    rows=random_rows(), filter_=filters, sort_docs=sorts, start=st.integers(0, 12), count=st.integers(1, 8)
)
def test_search_agrees_with_a_python_filter(
    empty_engine: Engine,
    rows: list[dict[str, Any]],
    filter_: dict[str, Any],
    sort_docs: list[dict[str, str]],
    start: int,
    count: int,
) -> None:
    body = {"query": filtered(filter_), "sorts": sort_docs, "start": start, "count": count}
    expected = expected_order([r for r in rows if matches(r, filter_)], sort_docs)
    with empty_engine.connect() as conn, conn.begin() as tx:
        if rows:
            conn.execute(insert(executions), rows)
        total, hits = search(conn, parse_search(body))
        tx.rollback()
    assert total == len(expected)
    assert [h.id for h in hits] == [r["id"] for r in expected[start : start + count]]


VOCABULARY = [
    *("query", "sorts", "start", "count", "select", "expand", "_type", "x"),
    *("match_all_query", "term_query", "text_query", "bool_query", "filtered_query"),
    *("term_filter", "range_filter", "bool_filter", "query_filter"),
    *("fields", "field", "operator", "values", "search_phrase", "must", "must_not", "should", "filter"),
    *("filters", "from", "to", "from_inclusive", "to_inclusive", "sort_order"),
]
WORDS = [
    *(
        "id",
        "job_id",
        "status",
        "execution_status",
        "exit_status.code",
        "client_id",
        "start_time",
        "end_time",
    ),
    *("modification_time", "is", "one_of", "less", "greater", "not_in", "neq", "and", "or", "not", "asc"),
    *("desc", "OK", "error", "finished", "7", "-3", iso(T0), "2017-05-12T14:23:57+00:00", "a%"),
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(WORDS)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(VOCABULARY), children, max_size=1)
        | st.dictionaries(st.sampled_from(VOCABULARY), children, max_size=4)
    ),
    max_leaves=16,
)
#: Mostly shaped like a request, so that the fuzzing reaches every part of the parser.
requests = json_values | st.fixed_dictionaries(
    {"query": json_values}, optional={"sorts": json_values, "start": json_values, "count": json_values}
)


@settings(max_examples=400, deadline=None)
@given(doc=requests)
def test_any_document_is_a_fault_or_a_query_that_runs(engine: Engine, doc: object) -> None:
    try:
        req = parse_search(doc)
    except (MalformedDocument, UnknownProperty, MissingParameter, InvalidParameter):
        return
    with engine.connect() as conn:
        total, hits = search(conn, req)
    assert 0 <= len(hits) <= total
