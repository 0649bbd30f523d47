"""Restriction arguments -> SQLAlchemy boolean clauses.

This is the one place that understands what may follow ``&`` and ``-``:

===========================  ==================================================
argument                     rows kept
===========================  ==================================================
dict / mapping               rows equal on the keys the heading has (others ignored)
str                          rows satisfying the SQL condition
list, tuple, set             rows satisfying any element (empty: none)
AndList                      rows satisfying every element (empty: all)
Not(x)                       rows not satisfying x
True / False                 all rows / no rows
None                         no rows (same as False)
numpy record array, DataFrame  rows matching any record (as a list of dicts)
query expression             rows with a match on the shared attributes
===========================  ==================================================

Values in dicts are bound parameters, never pasted into SQL text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from ..errors import DataJointError
from ..heading import Heading

__all__ = ["AndList", "Not", "to_clause"]


class AndList(list):
    """A list of restrictions that must all hold (a plain list means any one of them)."""


class Not:
    """Inverts a restriction: ``q & Not(cond)`` is ``q - cond``."""

    def __init__(self, restriction: Any) -> None:
        self.restriction = restriction

    def __repr__(self) -> str:
        return f"Not({self.restriction!r})"


Columns = Mapping[str, sa.ColumnElement[Any]]
SubqueryFactory = Callable[[Any], sa.ColumnElement[bool]]


def _mapping_clause(mapping: Mapping[str, Any], heading: Heading, columns: Columns) -> sa.ColumnElement[bool]:
    terms = []
    for name, value in mapping.items():
        if name not in heading:
            continue
        column = columns[name]
        if value is None:
            terms.append(column.is_(None))
        else:
            terms.append(column == sa.bindparam(None, _bind_value(value), type_=column.type))
    return sa.and_(sa.true(), *terms) if terms else sa.true()


def _bind_value(value: Any) -> Any:
    return value.item() if hasattr(value, "item") and not isinstance(value, (bytes, str)) else value


def _records(value: Any) -> list[dict[str, Any]] | None:
    """A numpy record array or DataFrame as a list of dicts; None for anything else."""
    if type(value).__name__ == "DataFrame":
        frame = value.reset_index() if any(n is not None for n in value.index.names) else value
        return frame.to_dict("records")
    if getattr(value, "dtype", None) is not None and getattr(value.dtype, "names", None):
        names = value.dtype.names
        return [dict(zip(names, row)) for row in value.tolist()]
    return None


def to_clause(restriction: Any, heading: Heading, columns: Columns, semijoin: SubqueryFactory | None = None) -> sa.ColumnElement[bool]:
    """Translate a restriction argument into a boolean clause over ``columns``.

    ``semijoin`` turns a query expression into a clause (restriction by a query).
    """
    if restriction is None or restriction is False:
        return sa.false()
    if restriction is True:
        return sa.true()
    if isinstance(restriction, Not):
        return sa.not_(to_clause(restriction.restriction, heading, columns, semijoin))
    if isinstance(restriction, str):
        if not restriction.strip():
            return sa.true()
        from .query import _resolve_names  # renamed/computed names -> their expressions

        renamed = {n: c for n, c in columns.items() if getattr(c, "key", None) != n}
        return sa.text(_resolve_names(restriction, renamed) if renamed else restriction)
    if isinstance(restriction, Mapping):
        return _mapping_clause(restriction, heading, columns)
    if isinstance(restriction, AndList):
        return sa.and_(sa.true(), *(to_clause(r, heading, columns, semijoin) for r in restriction))
    records = _records(restriction)
    if records is not None:
        return to_clause(records, heading, columns, semijoin)
    if isinstance(restriction, (list, tuple, set, frozenset)):
        clauses = [to_clause(r, heading, columns, semijoin) for r in restriction]
        return sa.or_(sa.false(), *clauses) if clauses else sa.false()
    if semijoin is not None and hasattr(restriction, "make_select"):
        return semijoin(restriction)
    if isinstance(restriction, type) and hasattr(restriction, "make_select") and semijoin is not None:
        return semijoin(restriction())
    raise DataJointError(f"Invalid restriction type {type(restriction).__name__}: {restriction!r}")
