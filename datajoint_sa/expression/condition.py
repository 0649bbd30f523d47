"""Restriction arguments -> SQLAlchemy boolean clauses.

This is the one place that understands what may follow ``&`` and ``-``:

============================  ===================================================
argument                      rows kept
============================  ===================================================
dict / mapping, numpy record  rows equal on the keys the heading has (others are
                              ignored; no common key: all rows); None means IS NULL
str                           rows satisfying the SQL condition
list, tuple, set, iterable    rows satisfying any element (empty: none)
AndList                       rows satisfying every element (empty: all)
Not(x)                        rows not satisfying x
True / False, None            all rows / no rows / no rows
numpy record array, DataFrame rows matching any record
query expression (or class)   rows with a match in it on the homologous namesakes
                              (no namesakes: all rows if it is non-empty)
dj.U(...)                     all rows
============================  ===================================================

Matching a query uses ``EXISTS`` (so NULLs never match and ``A - B`` keeps rows whose
attribute is NULL).  Dict values are bound parameters, never pasted into SQL.
:func:`to_clause` returns Python ``True``/``False`` for conditions known in advance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import sqlalchemy as sa

from ..compile.fragment import bind
from ..compile.state import SelectState, base_tables, needs_wrap_as_operand, share_a_table
from ..errors import DataJointError
from ..heading import Heading
from ..types import value_coercer
from .semantics import check_homology, check_same_connection

__all__ = ["AndList", "Not", "Top", "Target", "to_clause"]

Clause = Union[sa.ColumnElement[bool], bool]


class AndList(list):
    """A list of restrictions that must all hold (a plain list means any one of them)."""

    def append(self, restriction: Any) -> None:
        if isinstance(restriction, AndList):
            self.extend(restriction)
        else:
            super().append(restriction)


class Not:
    """Inverts a restriction: ``q & Not(cond)`` is ``q - cond``."""

    def __init__(self, restriction: Any) -> None:
        self.restriction = restriction

    def __repr__(self) -> str:
        return f"Not({self.restriction!r})"


@dataclass
class Top:
    """Restrict to the first ``limit`` rows in ``order_by`` order, after skipping ``offset``.

    ``order_by``: ``"KEY"`` (the primary key), ``"attr DESC"``, a list of these, or None to
    keep the order of a Top already applied.  ``limit=None`` keeps all rows after the offset.
    """

    limit: int | None = 1
    order_by: str | list[str] | None = "KEY"
    offset: int = 0

    def __post_init__(self) -> None:
        if self.limit is not None and (not isinstance(self.limit, int) or isinstance(self.limit, bool)):
            raise TypeError("Top limit must be an integer")
        if self.offset is None:
            self.offset = 0
        if not isinstance(self.offset, int) or isinstance(self.offset, bool):
            raise TypeError("The offset argument must be an integer")
        if self.offset < 0:
            raise TypeError(f"The offset argument must be a non-negative integer, not {self.offset}")
        if isinstance(self.order_by, str):
            self.order_by = [self.order_by]
        if self.order_by is not None:
            if not isinstance(self.order_by, Sequence) or not all(isinstance(o, str) for o in self.order_by):
                raise TypeError("Top order_by attributes must all be strings")
            self.order_by = list(self.order_by)

    def then(self, other: Top) -> Top:
        """The rows of ``other`` applied to the rows of this Top, in this Top's order.

        Offsets add; the limit is ``other``'s, cut to what remains of this Top's rows
        after ``other``'s offset.
        """
        limit = other.limit
        if self.limit is not None:
            remaining = max(self.limit - other.offset, 0)
            limit = remaining if limit is None else min(limit, remaining)
        return Top(limit, self.order_by, self.offset + other.offset)

    merge = then  # DataJoint 2.x's name


@dataclass(frozen=True)
class Target:
    """What a restriction applies to: a heading, the SELECT state holding its columns, and the
    connection its rows come from (None: any)."""

    heading: Heading
    state: SelectState
    name: str = "query"
    connection: Any = None

    @property
    def columns(self) -> Mapping[str, sa.ColumnElement[Any]]:
        return self.state.columns


def _fold(clauses: Iterable[Clause], absorbing: bool, combine: Any) -> Clause:
    """Combine clauses with AND (``absorbing=False``) or OR (``absorbing=True``), folding constants."""
    terms = []
    for clause in clauses:
        if clause is absorbing:
            return absorbing
        if clause is not (not absorbing):
            terms.append(clause)
    return (not absorbing) if not terms else terms[0] if len(terms) == 1 else combine(*terms)


def _and(clauses: Iterable[Clause]) -> Clause:
    return _fold(clauses, False, sa.and_)


def _or(clauses: Iterable[Clause]) -> Clause:
    return _fold(clauses, True, sa.or_)


def _not(clause: Clause) -> Clause:
    return (not clause) if isinstance(clause, bool) else sa.not_(clause)


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (bytes, str)) and getattr(value, "ndim", 0) == 0:
        return value.item()
    return value


def _coerced(target: Target, name: str, value: Any) -> tuple[bool, Any]:
    """(ok, value as the column stores it); not ok when no stored value can equal it."""
    attr = target.heading[name]
    if attr.expression is not None or attr.type.kind in ("native", "codec", "json"):
        return True, value
    coerce = value_coercer(attr.type)
    if coerce is None:
        return True, value
    try:
        return True, coerce(value)
    except (ValueError, TypeError, ArithmeticError, DataJointError):
        return False, None


def _equals(target: Target, name: str, value: Any) -> Clause:
    column = target.columns[name]
    value = _plain(value)
    if value is None:
        return column.is_(None)
    ok, value = _coerced(target, name, value)
    return column == value if ok else False


def _json_path_equals(target: Target, key: str, value: Any) -> Clause:
    """``{"attr.a.b": value}``: the JSON value at path a.b of attribute attr equals value."""
    name, *path = key.split(".")
    document = sa.type_coerce(target.columns[name], sa.JSON)
    element = document[path[0] if len(path) == 1 else tuple(path)]
    value = _plain(value)
    if value is None:
        return element.as_string().is_(None)
    if isinstance(value, bool):
        return element.as_boolean() == value
    if isinstance(value, int):
        return element.as_integer() == value
    if isinstance(value, float):
        return element.as_float() == value
    return element.as_string() == str(value)


def _mapping_clause(mapping: Mapping[str, Any], target: Target) -> Clause:
    heading = target.heading
    terms: list[Clause] = []
    for key, value in mapping.items():
        if not isinstance(key, str):
            continue
        if key in heading:
            terms.append(_equals(target, key, value))
        elif "." in key and key.split(".", 1)[0] in heading and heading[key.split(".", 1)[0]].type.kind == "json":
            terms.append(_json_path_equals(target, key, value))
    return _and(terms)


def _records(value: Any) -> list[Any] | None:
    """A numpy record array or DataFrame as a list of dicts; None for anything else."""
    if type(value).__name__ == "DataFrame":
        frame = value.reset_index() if any(n is not None for n in value.index.names) else value
        return frame.to_dict("records")
    dtype = getattr(value, "dtype", None)
    if dtype is not None and getattr(dtype, "names", None):
        if getattr(value, "ndim", 1) == 0:  # one numpy record
            return [dict(zip(dtype.names, value.tolist()))]
        return [dict(zip(dtype.names, row)) for row in value.tolist()]
    return None


def _key_list_clause(items: list[Any], target: Target) -> Clause | None:
    """``attr IN (...)`` for a list of one-attribute dicts (e.g. keys of a one-attribute key)."""
    if len(items) < 2 or not all(isinstance(i, Mapping) for i in items):
        return None
    keys = {tuple(k for k in i if k in target.heading) for i in items}
    if len(keys) != 1 or len(next(iter(keys))) != 1:
        return None
    (name,) = next(iter(keys))
    values = [_plain(i[name]) for i in items]
    if any(v is None for v in values):
        return None
    accepted = [v for ok, v in (_coerced(target, name, v) for v in values) if ok]
    return target.columns[name].in_(accepted) if accepted else False


def _as_query(restriction: Any) -> Any:
    from .query import QueryExpression

    if isinstance(restriction, type) and issubclass(restriction, QueryExpression):
        return restriction()
    return restriction if isinstance(restriction, QueryExpression) else None


def _semijoin(other: Any, target: Target, semantic_check: bool) -> Clause:
    """Rows of the target with a match in ``other`` on their homologous namesakes."""
    check_same_connection(target.connection, other._connection, "restrict")
    shared = check_homology(target.heading, other.heading, semantic_check)
    state: SelectState = other._state
    if not shared:
        return sa.exists(state.wrapped().select())
    if not needs_wrap_as_operand(state) and not share_a_table(state.source, target.state.source):
        # correlated directly: EXISTS (SELECT * FROM other WHERE other.a = target.a AND ...)
        match = [state.columns[n] == target.columns[n] for n in shared]
        inner = sa.exists().select_from(state.source).where(*state.where, *match)
        return inner.correlate_except(state.source, *base_tables(state.source))
    sub = state.select(shared).subquery()
    inner = sa.exists().select_from(sub).where(*(sub.c[n] == target.columns[n] for n in shared))
    return inner.correlate_except(sub)


def to_clause(restriction: Any, target: Target, semantic_check: bool = True) -> Clause:
    """Translate a restriction argument into a boolean clause over ``target``'s columns."""
    if restriction is None or isinstance(restriction, bool):
        return bool(restriction)
    if isinstance(restriction, Not):
        return _not(to_clause(restriction.restriction, target, semantic_check))
    if isinstance(restriction, str):
        text = restriction.strip()
        return bind(text, target.columns, where=target.name) if text else True
    if isinstance(restriction, Mapping):
        return _mapping_clause(restriction, target)
    if isinstance(restriction, AndList):
        return _and(to_clause(r, target, semantic_check) for r in restriction)
    if isinstance(restriction, Top):
        # dj.Top restricts a query on its own (query & dj.Top(...)), never inside a list or AndList
        raise DataJointError(f"Invalid restriction type {restriction!r}")
    query = _as_query(restriction)
    if query is not None:
        return _semijoin(query, target, semantic_check)
    if type(restriction).__name__ == "U" and hasattr(restriction, "aggr"):
        return True  # the universal set matches everything
    records = _records(restriction)
    if records is not None:
        restriction = records
    if isinstance(restriction, Iterable) and not isinstance(restriction, (bytes, bytearray)):
        items = list(restriction)
        fast = _key_list_clause(items, target)
        if fast is not None:
            return fast
        return _or(to_clause(r, target, semantic_check) for r in items)
    raise DataJointError(f"Invalid restriction type {type(restriction).__name__}: {restriction!r}")

