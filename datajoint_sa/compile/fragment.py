"""SQL fragments written by users, embedded in SQLAlchemy statements.

Restrictions (``"height > 20"``), computed attributes (``"liters * 1000"``) and aggregates
(``"count(*)"``) are SQL text in DataJoint's MySQL flavour in which bare attribute names
stand for columns.  :func:`bind` finds the references (the unqualified column names of
the fragment parsed as MySQL, see :mod:`.translate`) and binds each to whatever column
expression the attribute has in the query at hand (a table column, a subquery column,
another computed expression), so the text never needs to know about quoting, aliases or
subqueries.  When compiled, the fragment is translated for the dialect: ``YEAR(d)``,
``TIMESTAMPDIFF``, ``GROUP_CONCAT``, ``SUM(q='a')``, ``CONCAT``, ``"text"`` literals and
true division (``/``, MySQL's meaning) work on PostgreSQL and SQLite too.

A reference is bound when it starts with a lower-case letter or is quoted (backticks);
other names are bound when the query has such an attribute and left as SQL otherwise.

Fragments sqlglot cannot parse fall back to :func:`parse`, a tokenizer that keeps the
text as written: attribute references are words that start with a lower-case letter,
are not followed by ``(`` and are not SQL keywords; ``/`` is promoted to true division
with ``* 1.0`` on PostgreSQL and SQLite (``TRUE_DIVISION``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from itertools import zip_longest
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from ..dialects import rules_for
from ..errors import DataJointError
from .translate import COUNT_STAR, MYSQL_RESERVED, parse_fragment, render

__all__ = ["Fragment", "parse", "referenced_names", "bind", "KEYWORDS"]

#: Lower-case words that are SQL, not attribute names.
KEYWORDS = frozenset("""
    all and any as asc between binary both by case cast char collate date day decimal desc distinct div
    double else end escape exists false first float from hour ilike in int integer interval is last leading
    like limit minute mod month not null nulls numeric or real regexp rlike second signed similar some text
    then time timestamp to trailing true unknown unsigned using varchar week when xor year
    current_date current_time current_timestamp current_user localtime localtimestamp utc_date utc_time
    utc_timestamp
""".split())

_DIVISION = "\x00"  # marks a division operator inside stored text; rendered per dialect

#: What goes before ``/`` so that it divides truly, per dialect name.
TRUE_DIVISION = {"postgresql": " * 1.0 ", "sqlite": " * 1.0 "}

_TOKEN = re.compile(
    r"""(?P<quoted>'(?:[^']|'')*'|"(?:[^"]|"")*")
      | `(?P<backtick>[^`]+)`
      | (?P<count>(?i:count)\s*\(\s*\*\s*\))
      | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
      | (?P<slash>/)
      | (?P<other>[^'"`A-Za-z_/0-9.]+|.)""",
    re.VERBOSE | re.DOTALL,
)


@functools.lru_cache(maxsize=4096)
def parse(sql: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split ``sql`` into text pieces and attribute names: ``texts[i] names[i] texts[i+1] ...``.

    A ``count(*)`` is kept as the pseudo-name ``"*count"`` so aggregation can count
    matching rows only.
    """
    texts: list[str] = []
    names: list[str] = []
    current: list[str] = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        token = match.group(0)
        name = None
        if kind == "backtick":
            name = match.group("backtick")
        elif kind == "count":
            texts.append("".join(current) + "count(")
            names.append(COUNT_STAR)
            current = [")"]
            continue
        elif kind == "word" and _is_attribute_word(sql, match):
            name = token
        elif kind == "slash":
            current.append(_DIVISION + "/")
            continue
        if name is None:
            current.append(token)
        else:
            texts.append("".join(current))
            names.append(name)
            current = []
    texts.append("".join(current))
    return tuple(texts), tuple(names)


def _is_attribute_word(sql: str, match: re.Match[str]) -> bool:
    word = match.group(0)
    if not word[0].islower() or word in KEYWORDS:
        return False
    before = sql[: match.start()].rstrip()
    if before.endswith(".") or before.endswith("::"):
        return False  # qualified name or a PostgreSQL cast target
    after = sql[match.end():].lstrip()
    return not after.startswith(("(", "."))


def _bindable(sql: str) -> list[tuple[str, bool]]:
    """(name, must_bind) of each distinct reference: lower-case or quoted names must be attributes."""
    parsed = parse_fragment(sql)
    if parsed is None:  # not parseable as MySQL: the text is kept as written
        return [(n, True) for n in dict.fromkeys(parse(sql)[1])]
    seen: dict[str, bool] = {}
    for ref in parsed.references:
        must = ref.name == COUNT_STAR or ref.quoted or ref.name[:1].islower()
        seen[ref.name] = seen.get(ref.name, False) or must
    return list(seen.items())


def referenced_names(sql: str) -> list[str]:
    """The attribute names a fragment refers to, in text order (without ``count(*)``)."""
    parsed = parse_fragment(sql.strip())
    if parsed is None:
        return [n for n in parse(sql)[1] if n != COUNT_STAR]
    return [r.name for r in parsed.references
            if r.name != COUNT_STAR and (r.quoted or r.name[:1].islower())]


class Fragment(sa.sql.expression.ColumnElement[Any]):
    """User SQL text with attribute references bound to column expressions.

    ``names[i]`` is bound to ``elements[i]``.  The text is translated for the dialect
    it is compiled for (:mod:`.translate`).  Cacheable: its cache key is the text, the
    names and the cache keys of the bound columns, so a repeated query compiles once.
    """

    __visit_name__ = "dj_fragment"
    inherit_cache = True
    _traverse_internals = [
        ("sql", InternalTraversal.dp_string),
        ("names", InternalTraversal.dp_string_list),
        ("elements", InternalTraversal.dp_clauseelement_tuple),
    ]

    def __init__(self, sql: str, names: Iterable[str], elements: Iterable[sa.ColumnElement[Any]],
                 type_: Any = None) -> None:
        self.sql = sql
        self.names = tuple(names)
        self.elements = tuple(elements)
        self.type = sa.types.NullType() if type_ is None else type_

    @property
    def _from_objects(self) -> list[Any]:
        return [f for e in self.elements for f in e._from_objects]

    def self_group(self, against: Any = None) -> Any:
        return sa.sql.elements.Grouping(self)


def _pieces(element: Fragment, dialect_name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    rendered = render(element.sql, frozenset(element.names), rules_for(dialect_name).sqlglot_name)
    if rendered is not None:
        return rendered
    texts, names = parse(element.sql)
    rules = rules_for(dialect_name)
    if rules.name == "mysql":
        texts, names = _unquoted_reserved_as_text(element.sql, texts, names)
    promote = TRUE_DIVISION.get(rules.name, " ")
    return tuple(t.replace(_DIVISION, promote) for t in texts), names


def _unquoted_reserved_as_text(sql: str, texts: tuple[str, ...], names: tuple[str, ...]
                               ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """MySQL: a reserved word never written in backticks stays text, so the server reports it (as in
    :func:`.translate.render`); sqlglot refuses such fragments, so they come here."""
    out_texts, out_names = [texts[0]], []
    for name, text in zip(names, texts[1:]):
        if name.lower() in MYSQL_RESERVED and f"`{name}`" not in sql:
            out_texts[-1] += name + text
        else:
            out_names.append(name)
            out_texts.append(text)
    return tuple(out_texts), tuple(out_names)


@compiles(Fragment)
def _compile_fragment(element: Fragment, compiler: Any, **kw: Any) -> str:
    texts, names = _pieces(element, compiler.dialect.name)
    columns = dict(zip(element.names, element.elements))
    out = []
    for text, name in zip_longest(texts, names):
        out.append(compiler.post_process_text(text))
        if name is not None:
            column = columns[name]
            rendered = compiler.process(column, **kw)
            out.append(f"({rendered})" if isinstance(column, Fragment) else rendered)
    return "".join(out)


def bind(sql: str, columns: Mapping[str, sa.ColumnElement[Any]], *, where: str = "query",
         count_column: sa.ColumnElement[Any] | None = None, type_: Any = None) -> Fragment:
    """``sql`` with its attribute names bound to ``columns``.

    Raises DataJointError naming an attribute the query does not have.  ``count_column``
    replaces ``count(*)`` by ``count(column)`` (aggregation keeping unmatched rows).
    Upper-case names that are not attributes stay SQL (``CURRENT_DATE``, ``PI``).
    """
    sql = sql.strip()
    names, elements = [], []
    for name, must_bind in _bindable(sql):
        if name == COUNT_STAR:
            column = count_column if count_column is not None else sa.literal_column("*")
        else:
            column = columns.get(name)
        if column is None:
            if not must_bind:
                continue
            raise DataJointError(
                f"Attribute `{name}` is not found in {where}; available: {', '.join(columns) or '(none)'}."
            )
        names.append(name)
        elements.append(column)
    return Fragment(sql, names, elements, type_)
