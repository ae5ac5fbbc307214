"""Query parameters of the Sites Management resources: every parameter's accepted values, every bad value as
the 400 document naming the parameter, the query strings the Content Toolkit really sends, and the `q`
language (parser errors, precedence, matching) with a model check against generated expressions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitejobs.api.oce.errors import error_document
from sitejobs.api.oce.query import ExpansionErrors, OrderKey, Return, parse_query
from sitejobs.api.oce.resources import (
    COMPONENT,
    SITE,
    SITES,
    STATUS,
    STATUS_PAGES,
    TEMPLATE,
    TEMPLATES,
    THEME,
    THEMES,
    ResourceSpec,
)
from sitejobs.errors import BadQueryParameter
from sitejobs.sites.content.query_filter import MAX_DEPTH, MAX_LENGTH, All, AnyOf, Compare, Not, parse_filter
from tests.api.oce.conftest import query


def bad(text: str, spec: ResourceSpec = STATUS) -> BadQueryParameter:
    with pytest.raises(BadQueryParameter) as caught:
        query(text, spec)
    return caught.value


# -- defaults and each parameter -------------------------------------------------------------------


def test_no_parameters_is_the_plain_query() -> None:
    q = query("")
    assert q.plain
    assert (q.fields, q.links, q.expand, q.expansion_errors, q.representation) == (
        None,
        None,
        frozenset(),
        ExpansionErrors.INCLUDE,
        None,
    )


def test_collections_default_to_50_from_offset_0() -> None:
    q = query("", STATUS_PAGES)
    assert (q.limit, q.offset, q.order_by, q.q) == (50, 0, (), None)


def test_fields_and_exclude_fields_are_dotted_paths() -> None:
    q = query("fields=context,translationFile.id, translationFile.createdBy.displayName&excludeFields=error")
    assert q.fields == (
        ("context",),
        ("translationFile", "id"),
        ("translationFile", "createdBy", "displayName"),
    )
    assert q.exclude_fields == (("error",),)
    assert not q.plain


def test_list_parameters_skip_empty_items_and_merge_repeats() -> None:
    q = query("fields=a,,b,&fields=c&expand=pages&expand=site")
    assert q.fields == (("a",), ("b",), ("c",))
    assert q.expand == {"pages", "site"}


def test_an_empty_list_parameter_counts_as_not_given() -> None:
    assert query("links=&fields=&expand=,&excludeLinks=").plain


def test_fields_all_is_every_field() -> None:
    assert query("fields=all").fields is None


def test_links_none_keeps_no_link_and_names_are_not_checked() -> None:
    assert query("links=none").links == frozenset()
    assert query("links=download,self").links == frozenset({"download", "self"})
    assert query("excludeLinks=describedBy").exclude_links == {"describedBy"}


def test_expand_all_is_every_relation_of_the_resource() -> None:
    assert query("expand=all").expand == STATUS.expandable
    assert query("expand=all,pages").expand == STATUS.expandable


@pytest.mark.parametrize("relation", sorted(STATUS.expandable))
def test_each_status_relation_can_be_expanded(relation: str) -> None:
    assert query(f"expand={relation}").expand == {relation}


@pytest.mark.parametrize("mode", list(ExpansionErrors))
def test_expansion_errors(mode: ExpansionErrors) -> None:
    assert query(f"expansionErrors={mode.value}").expansion_errors is mode


@pytest.mark.parametrize("representation", list(Return))
def test_return(representation: Return) -> None:
    q = query(f"return={representation.value}")
    assert q.representation is representation
    assert q.plain is (representation is Return.DEFAULT)


def test_limit_above_the_maximum_is_lowered_to_it() -> None:
    assert query("limit=250", STATUS_PAGES).limit == 250
    assert query("limit=251", STATUS_PAGES).limit == 250
    assert query("limit=99999999999", SITES).limit == 250
    assert query("limit=1&offset=7", STATUS_PAGES).offset == 7


def test_order_by_fields_and_directions() -> None:
    assert query("orderBy=name", SITES).order_by == (OrderKey(("name",)),)
    assert query("orderBy=name:desc,createdAt:asc", SITES).order_by == (
        OrderKey(("name",), descending=True),
        OrderKey(("createdAt",)),
    )


def test_flags() -> None:
    assert query("includeDeleted=true", SITE).flags == {"includeDeleted"}
    assert query("includeDeleted=FALSE", TEMPLATE).flags == frozenset()
    assert query("totalResults=true", SITES).flags == {"totalResults"}


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (SITES, "links=none&orderBy=name&limit=250"),
        (SITES, "links=none&orderBy=name&limit=250&offset=500"),
        (SITES, "links=none&orderBy=name&limit=250&expand=template,theme,channel&expansionErrors=ignore"),
        (TEMPLATES, "links=none&orderBy=name&limit=250&expand=ownedBy&expansionErrors=ignore"),
        (THEMES, "links=none&orderBy=name&limit=250&expand=all&expansionErrors=ignore"),
        (SITE, "links=none"),
        (SITE, "links=none&includeDeleted=true"),
        (
            SITE,
            "links=none&expand=ownedBy,createdBy,lastModifiedBy,members,repository,channel,vanityDomain,siteCategory",
        ),
        (SITE, "links=none&expand=channel,repository,staticSiteDeliveryOptions,access"),
        (SITE, "links=none&expand=channel,defaultCollection,repository"),
        (TEMPLATE, "links=none&expand=localizationPolicy,policy"),
        (TEMPLATE, "links=none&expand=permissions&includeDeleted=true"),
        (THEME, "links=none&expand=ownedBy"),
        (COMPONENT, "links=none&expand=all"),
        (STATUS, "links=none"),
    ],
)
def test_what_the_content_toolkit_sends_is_accepted(spec: ResourceSpec, text: str) -> None:
    q = query(text, spec)
    assert q.links == frozenset()


# -- bad values: a 400 naming the parameter --------------------------------------------------------

BAD_VALUES: list[tuple[ResourceSpec, str, str]] = [
    (STATUS, "return=full", "return"),
    (STATUS, "return=", "return"),
    (STATUS, "return=Minimal", "return"),
    (STATUS, "expansionErrors=skip", "expansionErrors"),
    (STATUS, "expand=sites", "expand"),
    (STATUS, "expand=Pages", "expand"),
    (SITE, "expand=pages", "expand"),
    (STATUS, "links=none,self", "links"),
    (STATUS, "fields=a..b", "fields"),
    (STATUS, "excludeFields=.a", "excludeFields"),
    (STATUS_PAGES, "limit=0", "limit"),
    (STATUS_PAGES, "limit=-1", "limit"),
    (STATUS_PAGES, "limit=x", "limit"),
    (STATUS_PAGES, "limit=", "limit"),
    (STATUS_PAGES, "limit=1.5", "limit"),
    (STATUS_PAGES, "limit= 5", "limit"),
    (STATUS_PAGES, "limit=" + "9" * 5000, "limit"),
    (STATUS_PAGES, "offset=-1", "offset"),
    (STATUS_PAGES, "offset=x", "offset"),
    (STATUS_PAGES, "offset=99999999999999999999", "offset"),
    (SITES, "orderBy=size", "orderBy"),
    (SITES, "orderBy=name:up", "orderBy"),
    (SITES, "orderBy=name,name:desc", "orderBy"),
    (SITES, "orderBy=", "orderBy"),
    (STATUS_PAGES, 'q=status eq "failed', "q"),
    (STATUS_PAGES, "q=status eq failed", "q"),
    (STATUS_PAGES, 'q=progress eq "failed"', "q"),
    (SITE, "includeDeleted=yes", "includeDeleted"),
    # A scalar given twice.
    (STATUS_PAGES, "limit=1&limit=2", "limit"),
    (STATUS, "return=basic&return=basic", "return"),
]


@pytest.mark.parametrize(("spec", "text", "parameter"), BAD_VALUES)
def test_bad_values_are_400_documents_naming_the_parameter(
    spec: ResourceSpec, text: str, parameter: str
) -> None:
    error = bad(text, spec)
    doc = error_document(error)
    assert (doc["status"], doc["o:errorCode"], doc["parameter"]) == ("400", "OCE-SITEMGMT-009905", parameter)
    assert repr(parameter) in doc["detail"] or doc["detail"].startswith(parameter)
    assert len(doc["detail"]) < 400  # an echoed value is cut short


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (STATUS, "_=1700000000000"),  # a cache-buster
        (STATUS, "expands=pages"),
        (STATUS, "Limit=10"),
        (SITES, "orderby=name"),
        (STATUS, "limit=10"),  # a collection's parameter on a singular resource
        (STATUS, "q=x"),
        (SITE, "totalResults=true"),
        (STATUS, "includeDeleted=true"),
    ],
)
def test_unknown_parameters_are_ignored(spec: ResourceSpec, text: str) -> None:
    assert query(text, spec) == query("", spec)
    assert query(f"{text}&links=none", spec).links == frozenset()


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(
        [
            "fields",
            "excludeFields",
            "links",
            "excludeLinks",
            "expand",
            "expansionErrors",
            "return",
            "limit",
            "offset",
            "orderBy",
            "q",
            "includeDeleted",
            "totalResults",
            "other",
        ]
    ),
    value=st.text(max_size=40),
    spec=st.sampled_from([STATUS, STATUS_PAGES, SITES, SITE, TEMPLATES, COMPONENT]),
)
def test_any_value_parses_or_is_a_bad_query_parameter(name: str, value: str, spec: ResourceSpec) -> None:
    caught: BadQueryParameter | None = None
    try:
        parse_query([(name, value)], spec)
    except BadQueryParameter as error:
        caught = error
    assert caught is None or caught.parameter == name


# -- the q language --------------------------------------------------------------------------------

FIELDS = frozenset({"status", "pageUrl", "count", "done", "ownedBy.userName"})


def parse(text: str) -> Any:
    return parse_filter(text, FIELDS)


def test_comparison() -> None:
    assert parse('status eq "failed"') == Compare(("status",), "eq", "failed")
    assert parse("count ge -2.5") == Compare(("count",), "ge", -2.5)
    assert parse("done EQ TRUE") == Compare(("done",), "eq", True)
    assert parse('ownedBy.userName sw "ad"') == Compare(("ownedBy", "userName"), "sw", "ad")
    assert parse(r'pageUrl co "a \"b\" \\ c"') == Compare(("pageUrl",), "co", 'a "b" \\ c')


def test_and_binds_tighter_than_or_and_parentheses_group() -> None:
    a = Compare(("status",), "eq", "a")
    b = Compare(("status",), "eq", "b")
    c = Compare(("count",), "gt", 1)
    assert parse('status eq "a" or status eq "b" and count gt 1') == AnyOf((a, All((b, c))))
    assert parse('(status eq "a" or status eq "b") and count gt 1') == All((AnyOf((a, b)), c))
    assert parse('not status eq "a" And not (count gt 1)') == All((Not(a), Not(c)))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "ends where a field name"),
        ("status", "an operator"),
        ("status eq", "a value"),
        ('status is "x"', "'is'"),
        ('size eq "x"', "cannot filter on 'size'"),
        ('Status eq "x"', "cannot filter on 'Status'"),
        ('status eq "x', "unterminated string"),
        ("status eq 'x'", 'unexpected "\'"'),
        ('status eq "x" status eq "y"', "'and', 'or' or the end"),
        ('(status eq "x"', "')'"),
        ('status eq "x")', "'and', 'or' or the end"),
        ("count co 1", "'co' needs a quoted string"),
        ("done gt true", "cannot compare with true or false"),
        (r'status eq "\n"', "unknown escape"),
        ("count eq 1.2.3", "unexpected '1'"),
        ("and eq 1", "a field name"),
        ("(" * (MAX_DEPTH + 1) + 'status eq "x"' + ")" * (MAX_DEPTH + 1), "nests deeper"),
        ("not " * (MAX_DEPTH + 1) + 'status eq "x"', "nests deeper"),
        ('status eq "' + "x" * MAX_LENGTH + '"', "longer than"),
    ],
)
def test_malformed_filters(text: str, says: str) -> None:
    with pytest.raises(BadQueryParameter) as caught:
        parse(text)
    assert caught.value.parameter == "q"
    assert says in caught.value.message


def test_matching_rules() -> None:
    item = {"status": "Failed", "count": 3, "done": False, "ownedBy": {"userName": "admin"}}
    assert parse('status eq "Failed"').matches(item)
    assert not parse('status eq "failed"').matches(item)  # eq is exact
    assert parse('status co "AIL"').matches(item)  # co/sw/ew ignore case
    assert parse('status sw "fa" and status ew "ED"').matches(item)
    assert parse("count eq 3 and count ge 3.0 and count lt 4").matches(item)
    assert not parse('count eq "3"').matches(item)  # a string never equals a number
    assert parse('count ne "3"').matches(item)
    assert not parse('count gt "2"').matches(item)
    assert parse("done eq false").matches(item)
    assert parse('ownedBy.userName eq "admin"').matches(item)
    assert not parse('pageUrl eq "x"').matches(item)
    assert parse('pageUrl ne "x"').matches(item)
    assert not parse('pageUrl co "x"').matches(item)
    assert parse('status gt "E" and status le "Failed"').matches(item)


# Model check: a generated expression, written out as text, parses to something that matches exactly the
# items a direct Python reading of the expression matches.

_VALUES = st.one_of(
    st.sampled_from(["failed", "complete", "Pending", 'quo"te', "back\\slash", ""]), st.integers(-3, 3)
)
_ITEMS = st.lists(
    st.fixed_dictionaries(
        {},
        optional={"status": _VALUES, "count": _VALUES, "pageUrl": st.sampled_from(["/a.html", "/B/c.html"])},
    ),
    max_size=8,
)


def _literal(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _model(op: str, actual: Any, value: Any) -> bool:
    missing = actual is _ABSENT
    same = not missing and type(actual) is type(value)
    if op == "eq":
        return same and actual == value
    if op == "ne":
        return not (same and actual == value)
    if not same:
        return False
    if op == "co":
        return bool(value.lower() in actual.lower())
    if op == "sw":
        return bool(actual.lower().startswith(value.lower()))
    if op == "ew":
        return bool(actual.lower().endswith(value.lower()))
    return bool(
        {"gt": actual > value, "ge": actual >= value, "lt": actual < value, "le": actual <= value}[op]
    )


_ABSENT = object()


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> tuple[str, Any]:
    kind = draw(st.sampled_from(["cmp", "cmp", "and", "or", "not"] if depth < 3 else ["cmp"]))
    if kind == "cmp":
        field = draw(st.sampled_from(["status", "count", "pageUrl"]))
        value = draw(_VALUES)
        ops = ["eq", "ne", "gt", "ge", "lt", "le"] + (["co", "sw", "ew"] if isinstance(value, str) else [])
        op = draw(st.sampled_from(ops))
        text = f"{field} {draw(st.sampled_from([op, op.upper()]))} {_literal(value)}"
        return text, lambda item: _model(op, item.get(field, _ABSENT), value)
    if kind == "not":
        text, fn = draw(expressions(depth + 1))
        return f"not ({text})", lambda item: not fn(item)
    parts = draw(st.lists(expressions(depth + 1), min_size=2, max_size=3))
    joined = f" {kind} ".join(f"({text})" for text, _ in parts)
    fns = [fn for _, fn in parts]
    if kind == "and":
        return joined, lambda item: all(fn(item) for fn in fns)
    return joined, lambda item: any(fn(item) for fn in fns)


@settings(max_examples=300, deadline=None)
@given(expression=expressions(), items=_ITEMS)
def test_parsed_filters_match_what_the_expression_says(expression: tuple[str, Any], items: list[Any]) -> None:
    text, model = expression
    parsed = parse_filter(text, FIELDS)
    assert [parsed.matches(item) for item in items] == [model(item) for item in items]


def test_q_reaches_the_query_through_urlencoding() -> None:
    q = query(urlencode({"q": 'status eq "failed" or status eq "pending"'}), STATUS_PAGES)
    assert q.q is not None
    assert q.q.matches({"status": "pending"})
    assert not q.q.matches({"status": "complete"})
