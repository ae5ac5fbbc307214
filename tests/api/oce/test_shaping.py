"""Shaping `_status` and the read resources: each seed example reproduced from the full document by the seed's
own query string, each parameter on its own and in combination, expansion errors, paging and `q`, and
properties over generated combinations of parameters."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitejobs.api.oce.errors import error_document, job_error
from sitejobs.api.oce.query import Query, default_query
from sitejobs.api.oce.resources import SITES, STATUS, STATUS_PAGES
from sitejobs.api.oce.shaping import Loader, page_collection, shape, sort_items
from sitejobs.errors import BadQueryParameter, ExpansionFailed, SiteAlreadyExists, SiteNotFound
from tests.api.oce.conftest import (
    SeedExample,
    full_document,
    link,
    query,
    seed_examples,
    status_links,
)

EXAMPLES = seed_examples()


def example(prefix: str) -> SeedExample:
    return next(e for e in EXAMPLES if e.title.startswith(prefix))


# -- the seed ---------------------------------------------------------------------------------------


def test_the_seed_has_the_five_status_examples() -> None:
    assert [e.query for e in EXAMPLES] == [
        "links=none",
        "links=none",
        "links=download",
        "links=none",
        "links=none&expand=pages",
    ]


@pytest.mark.parametrize("seed", EXAMPLES, ids=[e.title for e in EXAMPLES])
def test_seed_example_is_reproduced_from_the_full_document(seed: SeedExample) -> None:
    doc, relations = full_document(seed.body)
    before = copy.deepcopy(doc)
    shaped = shape(doc, query(seed.query), relations)
    assert shaped == seed.body
    assert list(shaped) == list(seed.body)  # field order too, as the seed prints it
    assert doc == before  # the stored document is left alone


def test_failed_copy_example_carries_the_job_error_of_site_already_exists() -> None:
    seed = example("Get the Status of a Failed")
    doc = {k: v for k, v in seed.body.items() if k != "error"}
    doc["error"] = job_error(SiteAlreadyExists("AcmeProductLaunch"))
    doc["links"] = status_links(doc["context"])
    assert shape(doc, query(seed.query)) == seed.body


def test_translate_download_link_survives_links_download_and_nothing_else_does() -> None:
    doc, _ = full_document(example("Get the Status of a Create Site Translation").body)
    shaped = shape(doc, query("links=download"))
    assert "links" not in shaped
    assert [lk["rel"] for lk in shaped["translationFile"]["links"]] == ["download"]
    assert [lk["rel"] for lk in shape(doc, query("links=self"))["links"]] == ["self"]
    assert [lk["rel"] for lk in shape(doc, query("links=self"))["translationFile"]["links"]] == ["self"]


def test_refresh_pages_are_only_there_when_expanded() -> None:
    doc, relations = full_document(example("Get the Status of a Refresh").body)
    assert "pages" not in shape(doc, query("links=none"), relations)
    assert shape(doc, query("expand=pages"), relations)["pages"]["count"] == 5
    assert [lk["rel"] for lk in shape(doc, query("expand=pages"), relations)["links"]] == [
        "self",
        "canonical",
        "parent",
        "describedBy",
        "pages",
    ]


# -- documents for the parameter tests ---------------------------------------------------------------


def status_doc() -> dict[str, Any]:
    """A translate job with a bit of everything: nested objects, nested links, lists of objects, a null."""
    doc, _ = full_document(example("Get the Status of a Create Site Translation").body)
    doc["message"] = None
    doc["intervalToPoll"] = 5000
    doc["targets"] = [{"language": "fr", "links": [link("self", "/fr")]}, {"language": "de"}]
    return doc


class Recorder:
    """Relation loaders that answer from a table and remember which were called."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def loaders(self) -> dict[str, Loader]:
        return {name: self._loader(name) for name in self.answers}

    def _loader(self, name: str) -> Loader:
        def load() -> Any:
            self.calls.append(name)
            answer = self.answers[name]
            if isinstance(answer, Exception):
                raise answer
            return answer

        return load


SITE_DOC = {"id": "S1", "name": "Acme", "links": [link("self", "/sites/S1")]}


def copy_job(site: Any = SITE_DOC) -> tuple[dict[str, Any], Recorder]:
    doc = {
        "context": "C1",
        "action": "copy",
        "progress": "succeeded",
        "completed": True,
        "completedPercentage": 100,
        "links": [*status_links("C1"), link("site", "/sites/_status/C1/site")],
    }
    return doc, Recorder({"site": site})


# -- fields / excludeFields ---------------------------------------------------------------------------


def test_fields_keeps_named_and_essential_fields_and_the_links() -> None:
    shaped = shape(status_doc(), query("fields=endTime,nothingLikeThis"))
    assert set(shaped) == {"endTime", "links"} | STATUS.essential


def test_fields_dotted_selects_inside_objects_and_keeps_their_links() -> None:
    shaped = shape(status_doc(), query("fields=translationFile.id,translationFile.createdBy.displayName"))
    assert shaped["translationFile"] == {
        "links": status_doc()["translationFile"]["links"],
        "id": "D7954F8FE0DC1AFC8B68E594A9BCC17EC9210ED29015",
        "createdBy": {"displayName": "cecsadmina"},
    }


def test_fields_dotted_selects_inside_each_object_of_a_list() -> None:
    doc = example("Get the Status of an Import").body
    shaped = shape(doc, query("fields=importedSiteTranslations.fileName"))
    assert shaped["importedSiteTranslations"] == [
        {"fileName": t["fileName"]} for t in doc["importedSiteTranslations"]
    ]


def test_fields_are_case_sensitive_and_a_whole_field_wins_over_a_part() -> None:
    assert "endTime" not in shape(status_doc(), query("fields=endtime"))
    shaped = shape(status_doc(), query("fields=translationFile.id,translationFile"))
    assert shaped["translationFile"] == status_doc()["translationFile"]


def test_fields_keeps_nulls() -> None:
    assert shape(status_doc(), query("fields=message"))["message"] is None


def test_exclude_fields_top_level_nested_and_essential() -> None:
    shaped = shape(status_doc(), query("excludeFields=translationJob,translationFile.createdBy,context"))
    assert "translationJob" not in shaped
    assert "context" not in shaped
    assert "createdBy" not in shaped["translationFile"]
    assert "modifiedBy" in shaped["translationFile"]
    shaped = shape(status_doc(), query("excludeFields=targets.language"))
    assert shaped["targets"] == [{"links": [link("self", "/fr")]}, {}]


def test_fields_and_exclude_fields_never_touch_links() -> None:
    assert "links" in shape(status_doc(), query("excludeFields=links"))
    assert "links" in shape(status_doc(), query("fields=context"))


# -- links / excludeLinks ----------------------------------------------------------------------------


def _rels(doc: Any) -> Iterator[str]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == "links":
                yield from (lk["rel"] for lk in value)
            else:
                yield from _rels(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from _rels(value)


def test_links_keeps_only_the_named_relations_at_every_depth() -> None:
    assert sorted(_rels(shape(status_doc(), query("links=self,parent")))) == [
        "parent",
        "self",
        "self",
        "self",
    ]


def test_links_none_removes_every_links_list() -> None:
    assert list(_rels(shape(status_doc(), query("links=none")))) == []
    assert '"links"' not in str(shape(status_doc(), query("links=none"))).replace("'", '"')


def test_exclude_links_drops_the_named_relations() -> None:
    shaped = shape(status_doc(), query("excludeLinks=self,download"))
    assert sorted(_rels(shaped)) == ["canonical", "describedBy", "parent"]
    assert "links" not in shaped["translationFile"]
    assert "links" not in shaped["targets"][0]


# -- expand and expansionErrors ----------------------------------------------------------------------


@pytest.mark.parametrize("relation", sorted(STATUS.expandable))
def test_each_relation_is_loaded_only_when_expanded(relation: str) -> None:
    doc = {"context": "C", "action": "copy", "progress": "succeeded", "completed": True}
    recorder = Recorder({name: {"id": name} for name in STATUS.expandable})
    assert shape(doc, query("links=none"), recorder.loaders()) == doc
    assert recorder.calls == []
    shaped = shape(doc, query(f"expand={relation}"), recorder.loaders())
    assert shaped == {**doc, relation: {"id": relation}}
    assert recorder.calls == [relation]


def test_expand_all_and_return_representation_load_every_relation() -> None:
    doc, recorder = copy_job()
    recorder.answers["pages"] = page_collection([], default_query(STATUS_PAGES))
    assert set(shape(doc, query("expand=all"), recorder.loaders())) >= {"site", "pages"}
    assert set(shape(doc, query("return=representation"), recorder.loaders())) >= {"site", "pages"}
    assert sorted(recorder.calls) == ["pages", "pages", "site", "site"]


def test_an_inline_relation_is_kept_without_a_load_and_a_missing_one_is_left_out() -> None:
    doc = status_doc()
    recorder = Recorder({"translationFile": {"replaced": True}})
    shaped = shape(doc, query("expand=translationFile,site"), recorder.loaders())
    assert shaped["translationFile"] == doc["translationFile"]
    assert "site" not in shaped
    assert recorder.calls == []


def test_a_relation_with_nothing_yet_is_left_out_with_its_link() -> None:
    doc, recorder = copy_job(site=None)
    shaped = shape(doc, query("expand=site"), recorder.loaders())
    assert "site" not in shaped
    assert "site" in list(_rels(shaped))


def test_a_relation_cut_by_fields_is_not_loaded() -> None:
    doc, recorder = copy_job()
    assert "site" not in shape(doc, query("expand=site&fields=completedPercentage"), recorder.loaders())
    assert "site" not in shape(doc, query("expand=site&excludeFields=site"), recorder.loaders())
    assert recorder.calls == []
    assert shape(doc, query("expand=site&fields=site.name"), recorder.loaders())["site"] == {
        "name": "Acme",
        "links": SITE_DOC["links"],
    }


def test_expanded_relations_obey_links() -> None:
    doc, recorder = copy_job()
    assert "links" not in shape(doc, query("expand=site&links=none"), recorder.loaders())["site"]


def test_expansion_error_include_puts_the_error_document_in_the_field_and_keeps_the_link() -> None:
    missing = SiteNotFound("S1")
    doc, recorder = copy_job(site=missing)
    shaped = shape(doc, query("expand=site"), recorder.loaders())
    assert shaped["site"] == error_document(missing)
    assert "site" in list(_rels(shaped))
    assert shape(doc, query("expand=site&expansionErrors=include"), recorder.loaders()) == shaped


def test_expansion_error_ignore_leaves_out_the_field_and_its_link() -> None:
    doc, recorder = copy_job(site=SiteNotFound("S1"))
    shaped = shape(doc, query("expand=site&expansionErrors=ignore"), recorder.loaders())
    assert "site" not in shaped
    assert "site" not in list(_rels(shaped))
    assert "self" in list(_rels(shaped))


def test_expansion_error_fail_fails_the_request_with_the_cause() -> None:
    missing = SiteNotFound("S1")
    doc, recorder = copy_job(site=missing)
    with pytest.raises(ExpansionFailed) as caught:
        shape(doc, query("expand=site&expansionErrors=fail"), recorder.loaders())
    assert caught.value.cause is missing
    assert caught.value.relation == "site"


def test_a_bug_in_a_loader_is_not_an_expansion_error() -> None:
    doc, recorder = copy_job(site=KeyError("oops"))
    with pytest.raises(KeyError):
        shape(doc, query("expand=site&expansionErrors=ignore"), recorder.loaders())


# -- return ------------------------------------------------------------------------------------------


def test_return_minimal_is_the_essential_fields_and_no_links() -> None:
    shaped = shape(status_doc(), query("return=minimal"))
    assert shaped == {k: status_doc()[k] for k in ("action", "context", "progress", "completed")}
    assert list(shaped) == ["action", "context", "progress", "completed"]  # document order


def test_return_basic_is_the_basic_fields_and_links() -> None:
    shaped = shape(status_doc(), query("return=basic"))
    assert set(shaped) == (STATUS.basic & status_doc().keys()) | {"links"}
    assert sorted(_rels(shaped)) == ["canonical", "self"]


def test_return_default_and_representation_keep_everything() -> None:
    doc = status_doc()
    assert shape(doc, query("return=default")) is doc
    assert shape(doc, query("return=representation")) == doc


def test_parameters_narrow_a_return_and_expand_adds_to_it() -> None:
    doc, recorder = copy_job()
    shaped = shape(doc, query("return=minimal&expand=site"), recorder.loaders())
    assert set(shaped) == STATUS.essential | {"site"}
    assert "links" not in shaped["site"]
    assert set(shape(doc, query("return=minimal&fields=completedPercentage"))) == STATUS.essential
    assert "links" not in shape(doc, query("return=minimal&links=self"))
    assert [lk["rel"] for lk in shape(doc, query("return=basic&links=self,parent"))["links"]] == ["self"]
    assert set(shape(doc, query("return=basic&excludeFields=action,completedPercentage"))) == {
        "context",
        "progress",
        "completed",
        "links",
    }


# -- the fast path -----------------------------------------------------------------------------------


def test_no_parameters_hands_back_the_document_itself() -> None:
    doc = status_doc()
    assert shape(doc, query("")) is doc
    assert shape(doc, query("expansionErrors=fail")) is doc


def test_what_needs_no_change_is_shared_not_copied() -> None:
    doc = status_doc()
    shaped = shape(doc, query("excludeFields=targets"))
    assert shaped is not doc
    assert shaped["translationFile"] is doc["translationFile"]
    assert shaped["translationJob"] is doc["translationJob"]


# -- paging and q ------------------------------------------------------------------------------------

STATUSES = ["complete", "processing", "failed", "pending"]


def pages(n: int) -> list[dict[str, Any]]:
    return [{"pageUrl": f"/p{i}.html", "status": STATUSES[i % 4]} for i in range(n)]


def test_the_first_page_of_a_short_collection() -> None:
    assert page_collection(pages(3), default_query(STATUS_PAGES)) == {
        "limit": 50,
        "count": 3,
        "hasMore": False,
        "offset": 0,
        "items": pages(3),
    }


def test_limit_and_offset_cut_the_page() -> None:
    body = page_collection(pages(120), query("limit=50&offset=50", STATUS_PAGES))
    assert (body["count"], body["hasMore"], body["items"][0]["pageUrl"]) == (50, True, "/p50.html")
    body = page_collection(pages(120), query("offset=100", STATUS_PAGES))
    assert (body["count"], body["hasMore"]) == (20, False)
    body = page_collection(pages(120), query("offset=500", STATUS_PAGES))
    assert (body["count"], body["hasMore"], body["items"]) == (0, False, [])
    body = page_collection(pages(600), query("limit=1000", STATUS_PAGES))
    assert (body["limit"], body["count"], body["hasMore"]) == (250, 250, True)


def test_q_filters_before_paging() -> None:
    body = page_collection(pages(20), query(urlencode({"q": 'status eq "failed"', "limit": 2}), STATUS_PAGES))
    assert body["items"] == [
        {"pageUrl": "/p2.html", "status": "failed"},
        {"pageUrl": "/p6.html", "status": "failed"},
    ]
    assert body["hasMore"] is True


def test_total_results_when_asked() -> None:
    sites = [{"id": f"S{i}", "name": n} for i, n in enumerate(["b", "A", "c"])]
    body = page_collection(sites, query("totalResults=true&limit=1", SITES))
    assert body["totalResults"] == 3
    assert body["count"] == 1
    assert "totalResults" not in page_collection(sites, query("limit=1", SITES))


def test_order_by() -> None:
    sites = [
        {"id": "1", "name": "beta"},
        {"id": "2", "name": "Alpha"},
        {"id": "3"},
        {"id": "4", "name": "gamma"},
    ]
    names = [s.get("name") for s in page_collection(sites, query("orderBy=name", SITES))["items"]]
    assert names == ["Alpha", "beta", "gamma", None]
    names = [s.get("name") for s in page_collection(sites, query("orderBy=name:desc", SITES))["items"]]
    assert names == ["gamma", "beta", "Alpha", None]
    two_keys = sort_items(
        [{"status": "b", "pageUrl": "1"}, {"status": "a", "pageUrl": "2"}, {"status": "b", "pageUrl": "0"}],
        query("orderBy=status:desc,pageUrl", STATUS_PAGES).order_by,
    )
    assert [p["pageUrl"] for p in two_keys] == ["0", "1", "2"]


def test_items_are_shaped_with_the_query() -> None:
    sites = [{"id": "S1", "name": "Acme", "description": "d", "links": [link("self", "/sites/S1")]}]
    body = page_collection(sites, query("links=none&fields=description", SITES))
    assert body["items"] == [{"id": "S1", "name": "Acme", "description": "d"}]
    assert page_collection(sites, query("", SITES))["items"][0] is sites[0]
    custom = page_collection(sites, query("", SITES), shape_item=lambda item: {"id": item["id"]})
    assert custom["items"] == [{"id": "S1"}]


def test_a_singular_query_cannot_page() -> None:
    with pytest.raises(ValueError, match="not a collection"):
        page_collection([], query(""))


# -- properties over generated combinations ------------------------------------------------------------

_FIELD_NAMES = sorted(
    {*status_doc(), "translationFile.id", "translationFile.createdBy.id", "targets.language", "x.y", "nope"}
    - {"links"}
)
_RELS = ["self", "canonical", "parent", "describedBy", "pages", "download", "site", "none", "zzz"]


def _csv(options: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(options), max_size=4).map(",".join)


_PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "fields": _csv(_FIELD_NAMES),
        "excludeFields": _csv(_FIELD_NAMES),
        "links": _csv(_RELS),
        "excludeLinks": _csv(_RELS),
        "expand": _csv([*sorted(STATUS.expandable), "all", "bogus"]),
        "expansionErrors": st.sampled_from(["ignore", "include", "fail", "sometimes"]),
        "return": st.sampled_from(["representation", "default", "basic", "minimal", "everything"]),
    },
)
_ANSWERS = st.sampled_from([{"id": "R1", "links": [link("self", "/r")]}, None, SiteNotFound("R1")])


def _items(params: dict[str, str], name: str) -> list[str] | None:
    """A list parameter's items as the server reads them; None when there are none (not given)."""
    items = [item for item in params.get(name, "").split(",") if item]
    return items or None


@settings(max_examples=400, deadline=None)
@given(params=_PARAMS, site=_ANSWERS, pages_answer=_ANSWERS)
def test_shaping_properties(params: dict[str, str], site: Any, pages_answer: Any) -> None:
    doc = {**status_doc(), "links": [*status_doc()["links"], link("site", "/s"), link("pages", "/p")]}
    before = copy.deepcopy(doc)
    relations = Recorder({"site": site, "pages": pages_answer}).loaders()
    try:
        q: Query = query(urlencode(params))
    except BadQueryParameter:
        return
    try:
        shaped = shape(doc, q, relations)
    except ExpansionFailed:
        assert params.get("expansionErrors") == "fail"
        return
    assert doc == before
    links, fields = _items(params, "links"), _items(params, "fields")
    if links == ["none"] or params.get("return") == "minimal":
        assert list(_rels(shaped)) == []
        assert "'links'" not in repr(shaped)
    if fields and "all" not in fields:
        assert set(shaped) <= {p.split(".")[0] for p in fields} | STATUS.essential | {"links"}
    for name in _items(params, "excludeFields") or []:
        if "." not in name:
            assert name not in shaped
    kept_links = set(_rels(shaped))
    if links and links != ["none"]:
        assert kept_links <= set(links)
    assert not kept_links & set(_items(params, "excludeLinks") or [])
    if not q.plain:
        return
    assert shaped is doc


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(0, 300),
    limit=st.one_of(st.none(), st.integers(1, 300)),
    offset=st.one_of(st.none(), st.integers(0, 320)),
    status=st.one_of(st.none(), st.sampled_from(STATUSES)),
)
def test_paging_properties(n: int, limit: int | None, offset: int | None, status: str | None) -> None:
    items = pages(n)
    params = {
        k: v
        for k, v in {"limit": limit, "offset": offset, "q": status and f'status eq "{status}"'}.items()
        if v is not None
    }
    q = query(urlencode(params), STATUS_PAGES)
    body = page_collection(items, q)
    matching = [p for p in items if status is None or p["status"] == status]
    start = offset or 0
    assert body["limit"] == min(limit or 50, 250)
    assert body["offset"] == start
    assert body["count"] == len(body["items"]) <= body["limit"]
    assert body["items"] == matching[start : start + body["limit"]]
    assert body["hasMore"] is (start + body["count"] < len(matching))
    assert all(p["status"] == status for p in body["items"] if status is not None)
