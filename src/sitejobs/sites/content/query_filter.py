"""The `q` filter of Sites Management collections: a small expression language, parsed, never evaluated as code.

    q      := or
    or     := and ("or" and)*
    and    := unary ("and" unary)*
    unary  := "not" unary | "(" q ")" | FIELD OP VALUE
    OP     := eq | ne | co | mt | sw | ew | gt | ge | lt | le
    VALUE  := "double-quoted string" (\\" and \\\\ escaped) | number | true | false

Keywords and operators are case-insensitive (`AND`, `Eq`); field names are case-sensitive and dotted for
nested fields (`ownedBy.userName`); after its first character a name may hold `-` (Content Management field
names such as `fields.starter-blog-post_title` do). Oracle's search form for sites lists `eq`, the logical `and`/`or`/`not`,
space as term delimiter and `()` for grouping; the other operators follow the usual REST filter set.

Matching: `eq`/`ne` compare exactly and only values of the same kind (a string never equals a number);
`co`/`sw`/`ew` (contains, starts with, ends with) are case-insensitive and apply to strings; `gt`/`ge`/`lt`/`le`
compare numbers with numbers and strings with strings. A missing field matches only `ne`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from sitejobs.errors import BadQueryParameter

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "OPERATORS", "All", "AnyOf", "Compare", "Filter", "Not", "parse_filter"]

MAX_LENGTH = 2000
#: Nesting of parentheses and `not`: the parser recurses.
MAX_DEPTH = 32
OPERATORS = ("eq", "ne", "co", "mt", "sw", "ew", "gt", "ge", "lt", "le")
#: `mt` (matches, the Content Management API's word search) is taken as a case-insensitive `co`.
_TEXT_OPERATORS = frozenset({"co", "mt", "sw", "ew"})
_ORDER_OPERATORS = frozenset({"gt", "ge", "lt", "le"})
_KEYWORDS = frozenset({"and", "or", "not", "true", "false", *OPERATORS})

Value: TypeAlias = "str | int | float | bool"
_MISSING: Any = object()

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?)(?![A-Za-z0-9_.])
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)
    """,
    re.VERBOSE,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Compare:
    path: tuple[str, ...]
    op: str
    value: Value

    def matches(self, item: Mapping[str, Any]) -> bool:
        return _compare(_lookup(item, self.path), self.op, self.value)


@dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Filter, ...]

    def matches(self, item: Mapping[str, Any]) -> bool:
        return all(p.matches(item) for p in self.parts)


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Filter, ...]

    def matches(self, item: Mapping[str, Any]) -> bool:
        return any(p.matches(item) for p in self.parts)


@dataclass(frozen=True, slots=True)
class Not:
    part: Filter

    def matches(self, item: Mapping[str, Any]) -> bool:
        return not self.part.matches(item)


Filter: TypeAlias = "Compare | All | AnyOf | Not"


def parse_filter(text: str, fields: Collection[str]) -> Filter:
    """The filter `text` stands for, over the given field names; a BadQueryParameter ("q") says what is wrong."""
    if len(text) > MAX_LENGTH:
        raise _bad(f"is longer than {MAX_LENGTH} characters")
    parser = _Parser(_tokens(text), fields)
    result = parser.disjunction(0)
    if parser.peek() is not None:
        raise parser.unexpected("'and', 'or' or the end")
    return result


# -- tokens ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    at: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    at = 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            what = "an unterminated string" if text[at] == '"' else f"unexpected {text[at]!r}"
            raise _bad(f"has {what} at character {at}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), at))
        at = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token], fields: Collection[str]) -> None:
        self.tokens = tokens
        self.fields = fields
        self.i = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "word" and token.text.lower() == word:
            self.i += 1
            return True
        return False

    def unexpected(self, wanted: str) -> BadQueryParameter:
        token = self.peek()
        if token is None:
            return _bad(f"ends where {wanted} was expected")
        return _bad(f"has {token.text!r} at character {token.at} where {wanted} was expected")

    def disjunction(self, depth: int) -> Filter:
        parts = [self.conjunction(depth)]
        while self.keyword("or"):
            parts.append(self.conjunction(depth))
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def conjunction(self, depth: int) -> Filter:
        parts = [self.unary(depth)]
        while self.keyword("and"):
            parts.append(self.unary(depth))
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def unary(self, depth: int) -> Filter:
        if depth >= MAX_DEPTH:
            raise _bad(f"nests deeper than {MAX_DEPTH} levels")
        if self.keyword("not"):
            return Not(self.unary(depth + 1))
        token = self.peek()
        if token is not None and token.kind == "open":
            self.i += 1
            inner = self.disjunction(depth + 1)
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise self.unexpected("')'")
            self.i += 1
            return inner
        return self.comparison()

    def comparison(self) -> Compare:
        token = self.peek()
        if token is None or token.kind != "word" or token.text.lower() in _KEYWORDS:
            raise self.unexpected("a field name")
        if token.text not in self.fields:
            raise _bad(f"cannot filter on {token.text!r}; the fields are {sorted(self.fields)}")
        self.i += 1
        op_token = self.peek()
        op = op_token.text.lower() if op_token is not None and op_token.kind == "word" else ""
        if op not in OPERATORS:
            raise self.unexpected(f"an operator ({', '.join(OPERATORS)})")
        self.i += 1
        value = self.value()
        if op in _TEXT_OPERATORS and not isinstance(value, str):
            raise _bad(f"'{op}' needs a quoted string, after {token.text!r} {op}")
        if op in _ORDER_OPERATORS and isinstance(value, bool):
            raise _bad(f"'{op}' cannot compare with true or false, after {token.text!r} {op}")
        return Compare(tuple(token.text.split(".")), op, value)

    def value(self) -> Value:
        token = self.peek()
        if token is None:
            raise self.unexpected("a value")
        if token.kind == "string":
            body = token.text[1:-1]
            bad = next((m for m in _ESCAPE.finditer(body) if m.group(1) not in '"\\'), None)
            if bad is not None:
                raise _bad(f"has the unknown escape {bad.group()!r} in the string at character {token.at}")
            parsed: Value = _ESCAPE.sub(r"\1", body)
        elif token.kind == "number":
            parsed = float(token.text) if "." in token.text else int(token.text)
        elif token.kind == "word" and token.text.lower() in ("true", "false"):
            parsed = token.text.lower() == "true"
        else:
            raise self.unexpected('a value (a "quoted string", a number, true or false)')
        self.i += 1
        return parsed


def _bad(problem: str) -> BadQueryParameter:
    return BadQueryParameter("q", f"The query parameter 'q' {problem}.")


# -- matching --------------------------------------------------------------------------------------


def _lookup(item: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = item
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "string" if isinstance(value, str) else "other"


def _text_test(op: str) -> Callable[[str, str], bool]:
    return {"co": str.__contains__, "mt": str.__contains__, "sw": str.startswith, "ew": str.endswith}[op]


def _compare(actual: Any, op: str, value: Value) -> bool:
    if actual is _MISSING:
        return op == "ne"
    same_kind = _kind(actual) == _kind(value)
    if op in ("eq", "ne"):
        return (same_kind and actual == value) is (op == "eq")
    if not same_kind:
        return False
    if op in _TEXT_OPERATORS:
        return _text_test(op)(actual.casefold(), str(value).casefold())
    if op == "gt":
        return bool(actual > value)
    if op == "ge":
        return bool(actual >= value)
    if op == "lt":
        return bool(actual < value)
    return bool(actual <= value)
