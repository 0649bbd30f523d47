"""dj.U: the universal set over some attributes, for distinct values and free grouping.

``dj.U('a', 'b') & q``   the distinct (a, b) combinations of q, with (a, b) as primary key;
``dj.U('a').aggr(q, n='count(*)')``   aggregates of q grouped by a;
``dj.U().aggr(q, n='count(*)')``   one row of aggregates over all of q.

Joining with dj.U (``q * dj.U('a')``) was removed in DataJoint 2.0 and raises: with
semantic matching, ``dj.U('a') & q`` or ``q.proj(...)`` say what was meant.
"""

from __future__ import annotations

from typing import Any

from ..compile.fragment import bind
from ..compile.state import SelectState
from ..errors import DataJointError
from ..heading import Heading
from .projection import computed_attribute
from .query import QueryExpression, _operand
from .semantics import with_primary_key

__all__ = ["U"]


def _join_removed() -> DataJointError:
    return DataJointError(
        "dj.U(...) * table (and table * dj.U(...)) is no longer supported in DataJoint 2.0: semantic "
        "matching makes it unnecessary. Use dj.U(...) & table for distinct values, or dj.U(...).aggr(...)."
    )


class U:
    """The set of all possible values of the named attributes (see the module docstring)."""

    def __init__(self, *primary_key: str) -> None:
        bad = [a for a in primary_key if not isinstance(a, str)]
        if bad:
            raise DataJointError(f"dj.U takes attribute names, not {bad[0]!r}.")
        self._primary_key = list(primary_key)

    @property
    def primary_key(self) -> list[str]:
        return list(self._primary_key)

    def __repr__(self) -> str:
        return f"U({', '.join(map(repr, self._primary_key))})"

    def _check_in(self, query: QueryExpression) -> None:
        missing = [a for a in self._primary_key if a not in query.heading]
        if missing:
            raise DataJointError(
                f"Attribute(s) {missing} of dj.U are not in the query; available: {', '.join(query.heading.names)}."
            )

    def __and__(self, other: Any) -> QueryExpression:
        if not (isinstance(other, QueryExpression) or (isinstance(other, type) and issubclass(other, QueryExpression))):
            raise DataJointError("dj.U can only be restricted by a query expression.")
        query = _operand(other, "restriction")
        self._check_in(query)
        state = query._state
        if state.limit is not None or state.offset:
            state = state.wrapped(query.heading.names)
        key = self._primary_key
        heading = with_primary_key(query.heading.select(key), key)
        columns = {n: state.columns[n] for n in key}
        return QueryExpression._new(query.connection, heading, SelectState(
            state.source, columns, state.where, state.group_by, distinct=True))

    def __rand__(self, other: Any) -> QueryExpression:
        return self & other

    def __sub__(self, other: Any) -> Any:
        raise DataJointError("dj.U(...) - query would be an infinite set and is not supported.")

    def __mul__(self, other: Any) -> QueryExpression:
        raise _join_removed()

    def __rmul__(self, other: Any) -> QueryExpression:
        raise _join_removed()

    def join(self, other: Any, **_: Any) -> QueryExpression:
        raise _join_removed()

    def aggr(self, group: Any, *attributes: Any, exclude_nonmatching: bool = True, **named: str) -> QueryExpression:
        """Aggregates of ``group`` per combination of this set's attributes (all of it for ``dj.U()``)."""
        if not exclude_nonmatching:
            raise DataJointError("dj.U.aggr keeps only matching rows: exclude_nonmatching=False is not possible.")
        if attributes:
            raise DataJointError("dj.U.aggr takes only named computations, e.g. n='count(*)'.")
        query = _operand(group, "aggr")
        if isinstance(query, U):
            raise DataJointError("dj.U.aggr requires a query expression as the group argument.")
        self._check_in(query)
        state = query._state
        if state.group_by is not None or state.distinct or state.limit is not None or state.offset:
            state = state.wrapped(query.heading.names)
        key = self._primary_key
        attrs = list(with_primary_key(query.heading.select(key), key).attributes.values())
        columns = {n: state.columns[n] for n in key}
        for name, sql in named.items():
            if not isinstance(sql, str):
                raise DataJointError(f"aggr computation {name}= must be an SQL string.")
            if name in columns:
                raise DataJointError(f"Attribute `{name}` already exists.")
            attrs.append(computed_attribute(name, sql.strip()))
            columns[name] = bind(sql.strip(), state.columns, where="the aggregation")
        grouped = SelectState(state.source, columns, state.where, group_by=tuple(state.columns[n] for n in key))
        return QueryExpression._new(query.connection, Heading(attrs), grouped)

    aggregate = aggr
