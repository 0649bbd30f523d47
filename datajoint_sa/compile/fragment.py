"""SQL fragments written by users, embedded in SQLAlchemy statements.

Restrictions (``"height > 20"``), computed attributes (``"liters * 1000"``) and aggregates
(``"count(*)"``) are SQL text in which bare attribute names stand for columns.  A
fragment is split once into text and attribute references (:func:`parse`); the
references are then bound to whatever column expression the attribute has in the
query at hand (a table column, a subquery column, another computed expression), so
the text never needs to know about quoting, aliases or subqueries.

Attribute references follow DataJoint's convention: a word that starts with a
lower-case letter, is not followed by ``(`` (a function) and is not an SQL keyword,
or any name in backticks.  Quoted literals are left untouched.

Division: ``/`` divides truly on every backend (MySQL's meaning).  PostgreSQL and
SQLite truncate ``int / int``, and SQLite stores whole decimals as integers, so on
those dialects the left operand is promoted with ``* 1.0`` (see ``TRUE_DIVISION``).
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

from ..errors import DataJointError

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
            names.append("*count")
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


def referenced_names(sql: str) -> list[str]:
    """The attribute names a fragment refers to (without ``count(*)``)."""
    return [n for n in parse(sql)[1] if n != "*count"]


class Fragment(sa.sql.expression.ColumnElement[Any]):
    """User SQL text with attribute references bound to column expressions.

    Cacheable: its cache key is the text pieces plus the cache keys of the bound
    columns, so a repeated query compiles once.
    """

    __visit_name__ = "dj_fragment"
    inherit_cache = True
    _traverse_internals = [
        ("texts", InternalTraversal.dp_string_list),
        ("elements", InternalTraversal.dp_clauseelement_tuple),
    ]

    def __init__(self, texts: Iterable[str], elements: Iterable[sa.ColumnElement[Any]],
                 type_: Any = None) -> None:
        self.texts = tuple(texts)
        self.elements = tuple(elements)
        self.type = sa.types.NullType() if type_ is None else type_

    @property
    def _from_objects(self) -> list[Any]:
        return [f for e in self.elements for f in e._from_objects]

    def self_group(self, against: Any = None) -> Any:
        return sa.sql.elements.Grouping(self)


@compiles(Fragment)
def _compile_fragment(element: Fragment, compiler: Any, **kw: Any) -> str:
    promote = TRUE_DIVISION.get(compiler.dialect.name, " ")
    out = []
    for text, column in zip_longest(element.texts, element.elements):
        out.append(compiler.post_process_text(text.replace(_DIVISION, promote)))
        if column is not None:
            rendered = compiler.process(column, **kw)
            out.append(f"({rendered})" if isinstance(column, Fragment) else rendered)
    return "".join(out)


def bind(sql: str, columns: Mapping[str, sa.ColumnElement[Any]], *, where: str = "query",
         count_column: sa.ColumnElement[Any] | None = None, type_: Any = None) -> Fragment:
    """``sql`` with its attribute names bound to ``columns``.

    Raises DataJointError naming an attribute the query does not have.  ``count_column``
    replaces ``count(*)`` by ``count(column)`` (aggregation keeping unmatched rows).
    """
    texts, names = parse(sql.strip())
    elements = []
    for name in names:
        if name == "*count":
            elements.append(count_column if count_column is not None else sa.literal_column("*"))
            continue
        column = columns.get(name)
        if column is None:
            raise DataJointError(
                f"Attribute `{name}` is not found in {where}; available: {', '.join(columns) or '(none)'}."
            )
        elements.append(column)
    return Fragment(texts, elements, type_)
